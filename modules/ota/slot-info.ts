/*
 * What is in a slot, read through the OTA port: the app descriptor of the
 * image there. The running version comes from here (the running slot's
 * descriptor), never from a constant.
 */

import type { OtaPort } from "ports/ota";
import type { DigestFactory } from "ports/digest";
import { OtaError } from "ota/errors";
import { ImageValidator } from "ota/validator";
import { SIG_BLOCK_MAGIC, SIG_SECTOR_SIZE, parseSignatureSector, signatureOffset } from "ota/signature";
import { APP_DESC_MAGIC, IMAGE_MAGIC, IMAGE_PREFIX_LENGTH, parseAppDescriptor, type AppDescriptor } from "ota/image-format";

/** The descriptor of the image in `index`, or undefined when the slot holds no image. */
export function slotDescriptor(ota: OtaPort, index: number): AppDescriptor | undefined {
	const prefix = ota.read(index, 0, IMAGE_PREFIX_LENGTH);
	if (prefix[0] !== IMAGE_MAGIC) return undefined;
	const d = parseAppDescriptor(prefix);
	return d.magic === APP_DESC_MAGIC ? d : undefined;
}

export interface RunningImage {
	slot: number;
	version: string;
	secureVersion: number;
}

/** The running image's version and secure_version ("0.0.0" when it has no descriptor). */
export function runningImage(ota: OtaPort): RunningImage {
	const slot = ota.running().index;
	const d = slotDescriptor(ota, slot);
	return { slot, version: d ? d.version : "0.0.0", secureVersion: d ? d.secureVersion : 0 };
}

/**
 * The keys that signed the image in `index` (their digests, ota/signature):
 * the image's structure is walked to its end (read 4 KiB at a time), then
 * the sector at the next 4 KiB boundary is read; an unsigned image (or one
 * whose sector does not parse) has none. A board's trusted keys are those
 * of the image it runs: a release signed by old and new keys hands the
 * trust on to the new one.
 */
export function slotSigners(ota: OtaPort, index: number, digests: DigestFactory): string[] {
	const slot = ota.slots().find((s) => s.index === index);
	if (!slot || ota.read(index, 0, 1)[0] !== IMAGE_MAGIC) return [];
	const v = new ImageValidator({ digests, slotSize: slot.size, structureOnly: true, ignoreTrailing: true, running: "0.0.0", runningSecureVersion: 0 });
	try {
		for (let at = 0; at < slot.size && !v.complete; at += 4096) v.write(ota.read(index, at, Math.min(4096, slot.size - at)));
		const offset = signatureOffset(v.end().imageLength);
		if (offset + SIG_SECTOR_SIZE > slot.size) return [];
		const sector = ota.read(index, offset, SIG_SECTOR_SIZE);
		if (sector[0] !== SIG_BLOCK_MAGIC) return [];
		return parseSignatureSector(sector, digests).map((b) => b.keyDigest);
	} catch (e) {
		if (e instanceof OtaError) return [];
		throw e;
	}
}
