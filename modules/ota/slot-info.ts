/*
 * What is in a slot, read through the OTA port: the app descriptor of the
 * image there. The running version comes from here (the running slot's
 * descriptor), never from a constant.
 */

import type { OtaPort } from "ports/ota";
import type { DigestFactory } from "ports/digest";
import { OtaError } from "ota/errors";
import { SIG_BLOCK_MAGIC, SIG_SECTOR_SIZE, parseSignatureSector, signatureOffset } from "ota/signature";
import { APP_DESC_MAGIC, IMAGE_MAGIC, IMAGE_PREFIX_LENGTH, imageLengthFromHeaders, parseAppDescriptor, type AppDescriptor } from "ota/image-format";

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
 * the image's end is found from its headers (a few small reads: no
 * hashing of the whole image, which the bootloader verified at boot), then
 * the sector at the next 4 KiB boundary is read; an unsigned image (or one
 * whose sector does not parse) has none. A board's trusted keys are those
 * of the image it runs: a release signed by old and new keys hands the
 * trust on to the new one.
 */
export function slotSigners(ota: OtaPort, index: number, digests: DigestFactory): string[] {
	const slot = ota.slots().find((s) => s.index === index);
	if (!slot) return [];
	const length = imageLengthFromHeaders((offset, n) => ota.read(index, offset, n), slot.size);
	if (length === undefined) return [];
	const offset = signatureOffset(length);
	if (offset + SIG_SECTOR_SIZE > slot.size) return [];
	const sector = ota.read(index, offset, SIG_SECTOR_SIZE);
	if (sector[0] !== SIG_BLOCK_MAGIC) return [];
	try {
		return parseSignatureSector(sector, digests).map((b) => b.keyDigest);
	} catch (e) {
		if (e instanceof OtaError) return [];
		throw e;
	}
}
