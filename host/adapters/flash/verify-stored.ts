/*
 * Verify an image already in flash the way ESP-IDF's esp_image_verify does
 * for the bootloader and esp_ota_end: structure, checksum and appended
 * SHA-256, reading the slot 4 KiB at a time (no identity or version rules:
 * those apply to uploads).
 */

import type { DigestFactory } from "ports/digest";
import { OtaError } from "ota/errors";
import { ImageValidator, type ValidatedImage } from "ota/validator";

export type VerifyResult = { ok: true; image: ValidatedImage } | { ok: false; error: OtaError };

export function verifyStoredImage(read: (offset: number, length: number) => Uint8Array, slotSize: number, digests: DigestFactory, chipId?: number): VerifyResult {
	const v = new ImageValidator({ digests, slotSize, chipId, structureOnly: true, ignoreTrailing: true, running: "0.0.0", runningSecureVersion: 0 });
	try {
		for (let at = 0; at < slotSize && !v.complete; at += 4096) v.write(read(at, Math.min(4096, slotSize - at)));
		return { ok: true, image: v.end() };
	}
	catch (e) {
		if (e instanceof OtaError) return { ok: false, error: e };
		throw e;
	}
}
