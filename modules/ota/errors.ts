/*
 * Every way an update can be refused, as one stable code each. The code is
 * the contract (the HTTP layer maps it to a status, the UI to a hint); the
 * message is for a person and may be reworded. Codes are grouped:
 *   image_*  the uploaded bytes are not an image this board may run (422)
 *   ota_*    the update cannot proceed in the current state (409) or the
 *            flash failed (500)
 */

export type OtaErrorCode =
	// The first 288 bytes: checked before anything is erased.
	| "image_empty"
	| "image_truncated_header"
	| "image_bad_magic"
	| "image_wrong_chip"
	| "image_chip_revision"
	| "image_no_segments"
	| "image_too_many_segments"
	| "image_bad_header"
	| "image_no_app_descriptor"
	| "image_wrong_project"
	| "image_not_ohxs"
	| "image_bad_version"
	| "image_downgrade"
	| "image_secure_version_lower"
	// While streaming and at the end.
	| "image_bad_segment_length"
	| "image_segment_past_end"
	| "image_segment_misaligned"
	| "image_bad_load_address"
	| "image_truncated"
	| "image_bad_checksum"
	| "image_bad_appended_hash"
	| "image_sha256_mismatch"
	| "image_too_large"
	| "image_trailing_data"
	// Secure Boot V2 signatures (ota/signature).
	| "image_unsigned"
	| "image_untrusted_key"
	| "image_bad_signature"
	| "image_bad_signature_block"
	// State and flash.
	| "ota_bad_expected_sha256"
	| "ota_busy"
	| "ota_not_receiving"
	| "ota_pending_verify"
	| "ota_no_valid_image"
	| "ota_running_slot"
	| "ota_no_slot"
	| "ota_aborted"
	| "ota_write_failed"
	| "ota_unavailable";

/** A refused image or operation: `code` is stable, `message` is for people. */
export class OtaError extends Error {
	// A field (defined, not assigned): preloaded modules freeze Error.prototype, where assigning name would fail.
	override readonly name = "OtaError";
	readonly code: OtaErrorCode;
	constructor(code: OtaErrorCode, message: string) {
		super(message);
		this.code = code;
	}
}

/** Codes that mean "the bytes are not acceptable" rather than "not now" or "flash failed". */
export function isImageRejection(code: OtaErrorCode): boolean {
	return code.startsWith("image_");
}
