/*
 * OTA slot port, at the level of ESP-IDF's esp_ota_* API. The device adapter
 * is a thin native binding (Moddable's update modules switch the boot slot
 * inside complete(), which we must not do); the host adapter keeps a flash
 * image file and a simulated bootloader. Every decision (what to accept,
 * when to switch, when to confirm) is made by firmware modules in ota/.
 *
 * Errors: adapters throw OtaError (ota/errors) with these codes:
 *   ota_running_slot   begin/invalidate/setBoot on the running slot
 *                      where ESP-IDF refuses it (ESP_ERR_OTA_PARTITION_CONFLICT)
 *   ota_pending_verify begin while the running image is PENDING_VERIFY
 *                      (ESP_ERR_OTA_ROLLBACK_INVALID_STATE)
 *   ota_no_slot        an index that is not an OTA slot
 *   ota_write_failed   the flash refused an erase, write or otadata update
 */

/** ESP-IDF esp_ota_img_states_t. */
export type OtaImageState = "NEW" | "PENDING_VERIFY" | "VALID" | "INVALID" | "ABORTED" | "UNDEFINED";

export interface OtaSlot {
	/** Partition label, e.g. "ota_0". */
	label: string;
	/** OTA slot number (0 for ota_0). */
	index: number;
	/** Partition offset and size in bytes. */
	offset: number;
	size: number;
}

export interface OtaSlotWriter {
	/** Appends bytes; erases 4 KiB sectors just ahead of the data. */
	write(chunk: Uint8Array): void;
	/** Bytes written so far. */
	readonly written: number;
	/** Finish writing. Validates nothing of our own and does NOT change the boot slot. */
	end(): void;
	/** Abandon the write; the slot stays unbootable. */
	abort(): void;
}

/** The chip images must be built for: image header chip_id, and its revision (major * 100 + minor, esp_chip_info). */
export interface OtaChip {
	id: number;
	revision: number;
}

/**
 * What ESP-IDF itself checks of an update's Secure Boot V2 signature in
 * esp_ota_end. "none": nothing (a developer build; the firmware's own rule
 * in ota/validator is all). "first-block": the firmware was built with
 * CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT, and ESP-IDF checks only the
 * image's first signature block, against the key of the running image's
 * first valid block (v6.0 secure_boot_signatures_app.c: one block when
 * hardware secure boot is off).
 */
export type OtaSignatureCheck = "none" | "first-block";

export interface OtaPort {
	/** The chip the running firmware is on (what an image's header must allow). */
	chip(): OtaChip;
	/** What esp_ota_end checks of a signature, so the validator refuses first what it would refuse late. */
	signatureCheck(): OtaSignatureCheck;
	/** Every OTA app slot, in index order. */
	slots(): OtaSlot[];
	/** The slot the running app was booted from. */
	running(): OtaSlot;
	/** State of the running slot's otadata entry (PENDING_VERIFY after an install). */
	runningState(): OtaImageState;
	/** State recorded for any slot, UNDEFINED when otadata has none. */
	slotState(index: number): OtaImageState;
	/** The slot the next boot will choose, by the bootloader's rules. */
	bootSlot(): OtaSlot;
	/** Read bytes of a slot (descriptors, re-hashing a staged image). */
	read(index: number, offset: number, length: number): Uint8Array;
	/** Begin a sequential write into a slot that is not the running one. */
	begin(index: number): OtaSlotWriter;
	/**
	 * Point otadata at `index` with state NEW (esp_ota_set_boot_partition,
	 * v6.0: the otadata sector not holding the current choice, or that same
	 * sector in place when it already selects `index`).
	 * Takes effect at the next restart.
	 */
	setBoot(index: number): void;
	/** Confirm the running image (PENDING_VERIFY -> VALID); cancels rollback. */
	markValid(): void;
	/** Mark the running image INVALID and restart into the previous one. */
	markInvalidAndRestart(): void;
	/** Make a slot unbootable (erase its first sector) so a half image can never run. */
	invalidate(index: number): void;
}
