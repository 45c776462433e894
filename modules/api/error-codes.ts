/*
 * Every error code the HTTP API answers, with its status: the one table.
 * Routes and domain code name a code; its status comes from here, so a
 * code cannot answer 400 in one place and 422 in another. docs/api.md
 * lists the same table (host-tests/firmware/api/error-codes.test.ts holds
 * them together).
 *
 * The rules the table follows:
 *   400  the request itself is malformed: framing, a body that is not JSON
 *        or not an object, a bad request target
 *   422  a well-formed request with a bad value: invalid_<what>, with
 *        "field" naming the value
 *   401/403/429  who is asking; 404/405 what is asked for; 409 not now
 *        (the car moves, an update runs); 408/411/413/415/421/431 transport;
 *        5xx the board failed
 */

import type { OtaErrorCode } from "ota/errors";
import { HttpError, errorResponse, type ErrorDetail } from "api/errors";
import type { Response } from "api/http";
import { frozen } from "util/frozen";

const REQUEST_ERRORS = frozen({
	// 400: malformed requests
	bad_request: 400,
	bad_request_target: 400,
	bad_json: 400,
	body_not_object: 400,
	host_missing: 400,
	// 401, 403, 429: who asks
	auth_required: 401,
	auth_invalid: 401,
	setup_required: 403,
	setup_closed: 403,
	origin_not_allowed: 403,
	auth_locked: 429,
	// 404, 405: what is asked for
	not_found: 404,
	unknown_curve: 404,
	image_not_found: 404,
	method_not_allowed: 405,
	// transport
	upload_stalled: 408,
	length_required: 411,
	body_too_large: 413,
	body_not_allowed: 413,
	unsupported_media_type: 415,
	host_not_allowed: 421,
	headers_too_large: 431,
	// 422: a bad value, "field" names it
	invalid_setting: 422,
	invalid_curve: 422,
	invalid_map: 422,
	invalid_mode: 422,
	invalid_device_setting: 422,
	invalid_wifi: 422,
	invalid_ssid: 422,
	invalid_passphrase: 422,
	invalid_password: 422,
	invalid_url: 422,
	invalid_module: 422,
	invalid_token: 422,
	invalid_sha256: 422,
	invalid_size: 422,
	invalid_option: 422,
	invalid_time: 422,
	invalid_limit: 422,
	settings_too_large: 422,
	invalid_can_filter: 422,
	invalid_signal: 422,
	invalid_seconds: 422,
	// 409: not now
	vehicle_moving: 409,
	engine_running: 409,
	pending_verify: 409,
	update_busy: 409,
	update_running: 409,
	nothing_to_install: 409,
	not_initialized: 409,
	transfer_aborted: 409,
	settings_newer_schema: 409,
	update_server_not_configured: 409,
	capture_busy: 409,
	// 5xx: the board
	internal: 500,
	settings_write_failed: 500,
	no_network: 503,
	no_capture: 503,
	web_app_missing: 503,
} as const);

/** The update pipeline's codes (ota/errors), answered as they are: bad bytes 422 (too large 413), not now 409, flash 500. */
const OTA_ERRORS: Readonly<Record<OtaErrorCode, number>> = frozen({
	image_empty: 422,
	image_truncated_header: 422,
	image_bad_magic: 422,
	image_wrong_chip: 422,
	image_chip_revision: 422,
	image_no_segments: 422,
	image_too_many_segments: 422,
	image_bad_header: 422,
	image_no_app_descriptor: 422,
	image_wrong_project: 422,
	image_not_ohxs: 422,
	image_bad_version: 422,
	image_downgrade: 422,
	image_secure_version_lower: 422,
	image_bad_segment_length: 422,
	image_segment_past_end: 422,
	image_segment_misaligned: 422,
	image_bad_load_address: 422,
	image_truncated: 422,
	image_bad_checksum: 422,
	image_bad_appended_hash: 422,
	image_sha256_mismatch: 422,
	image_too_large: 413,
	image_trailing_data: 422,
	image_unsigned: 422,
	image_untrusted_key: 422,
	image_bad_signature: 422,
	image_bad_signature_block: 422,
	ota_bad_expected_sha256: 422,
	ota_busy: 409,
	ota_not_receiving: 409,
	ota_pending_verify: 409,
	ota_no_valid_image: 409,
	ota_running_slot: 409,
	ota_no_slot: 409,
	ota_aborted: 409,
	ota_write_failed: 500,
	ota_unavailable: 500,
});

export type RequestErrorCode = keyof typeof REQUEST_ERRORS;
export type ApiErrorCode = RequestErrorCode | OtaErrorCode;

/** Code -> status, every code the API has. */
export const API_ERRORS: Readonly<Record<ApiErrorCode, number>> = frozen({ ...REQUEST_ERRORS, ...OTA_ERRORS });

/** An HttpError with the table's status for `code`; `detail.field` names the bad value (422). */
export function apiError(code: ApiErrorCode, message: string, detail?: ErrorDetail): HttpError {
	return new HttpError(API_ERRORS[code], code, message, undefined, detail);
}

/** The JSON error answer for `code`, with the table's status. */
export function apiErrorResponse(code: ApiErrorCode, message: string, extra?: Record<string, unknown>): Response {
	return errorResponse(API_ERRORS[code], code, message, extra);
}
