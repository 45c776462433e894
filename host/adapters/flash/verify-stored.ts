/*
 * Verify an image already in flash the way ESP-IDF's esp_image_verify does
 * for the bootloader and esp_ota_end: header (chip and its revision),
 * segments and their addresses, the app descriptor's presence, checksum and
 * appended SHA-256, reading the slot 4 KiB at a time (no identity or
 * version rules: those apply to uploads).
 */

import type { DigestFactory } from "ports/digest";
import type { OtaChip } from "ports/ota";
import { OtaError } from "ota/errors";
import { ImageValidator, type ValidatedImage } from "ota/validator";

export type VerifyResult = { ok: true; image: ValidatedImage } | { ok: false; error: OtaError };

/** The simulated board: an ESP32-C6 of revision v0.1 (C6 chips exist as v0.0, v0.1 and v0.2). */
export const SIMULATED_CHIP: OtaChip = { id: 0x0d, revision: 1 };

export function verifyStoredImage(
	read: (offset: number, length: number) => Uint8Array,
	slotSize: number,
	digests: DigestFactory,
	chip: OtaChip = SIMULATED_CHIP,
): VerifyResult {
	const v = new ImageValidator({
		digests,
		slotSize,
		chipId: chip.id,
		chipRevision: chip.revision,
		structureOnly: true,
		ignoreTrailing: true,
		running: "0.0.0",
		runningSecureVersion: 0,
	});
	try {
		for (let at = 0; at < slotSize && !v.complete; at += 4096) v.write(read(at, Math.min(4096, slotSize - at)));
		return { ok: true, image: v.end() };
	} catch (e) {
		if (e instanceof OtaError) return { ok: false, error: e };
		throw e;
	}
}
