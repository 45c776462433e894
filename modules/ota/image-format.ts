/*
 * The ESP-IDF application image format (esp_image_header_t,
 * esp_image_segment_header_t, esp_app_desc_t), as far as an updater needs
 * it. Layout facts: docs/ota.md and ESP-IDF's esp_app_format.h. Pure
 * functions over byte arrays; the streaming validator uses them.
 */

import { frozen } from "util/frozen";

export const IMAGE_MAGIC = 0xe9;
export const IMAGE_HEADER_LENGTH = 24;
export const SEGMENT_HEADER_LENGTH = 8;
export const MAX_SEGMENTS = 16;
/** ESP-IDF rejects a segment of 16 MiB or more (it cannot be mapped). */
export const MAX_SEGMENT_LENGTH = 0x1000000;
export const CHECKSUM_SEED = 0xef;
export const APPENDED_HASH_LENGTH = 32;

export const APP_DESC_OFFSET = IMAGE_HEADER_LENGTH + SEGMENT_HEADER_LENGTH; // 0x20
export const APP_DESC_LENGTH = 256;
export const APP_DESC_MAGIC = 0xabcd5432;
/** Enough bytes to decide chip, identity and version before anything is erased. */
export const IMAGE_PREFIX_LENGTH = APP_DESC_OFFSET + APP_DESC_LENGTH; // 288

/** esp_chip_id_t values in the image header. */
export const CHIP_IDS: Record<string, number> = frozen({
	esp32: 0x00,
	esp32s2: 0x02,
	esp32c3: 0x05,
	esp32s3: 0x09,
	esp32c2: 0x0c,
	esp32c6: 0x0d,
	esp32h2: 0x10,
	esp32p4: 0x12,
});
export const CHIP_ESP32C6 = 0x0d;

export function chipName(id: number): string {
	for (const name in CHIP_IDS) if (CHIP_IDS[name] === id) return name === "esp32" ? "ESP32" : `ESP32-${name.slice(5).toUpperCase()}`;
	return `unknown chip 0x${id.toString(16)}`;
}

export interface ImageHeader {
	magic: number;
	segmentCount: number;
	spiMode: number;
	spiSpeedSize: number;
	entryAddr: number;
	chipId: number;
	minChipRev: number;
	minChipRevFull: number;
	maxChipRevFull: number;
	hashAppended: number;
}

export interface AppDescriptor {
	magic: number;
	secureVersion: number;
	version: string;
	projectName: string;
	time: string;
	date: string;
	idfVersion: string;
	elfSha256: Uint8Array;
	/** mmu_page_size, log2 (0 in images older than the field: the chip's default page). */
	mmuPageSizeLog2: number;
}

export function u16(b: Uint8Array, at: number): number {
	return b[at] | (b[at + 1] << 8);
}
export function u32(b: Uint8Array, at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** A NUL-terminated ASCII field; bytes outside printable ASCII become "?". */
export function cString(b: Uint8Array, at: number, length: number): string {
	let out = "";
	for (let i = 0; i < length; i++) {
		const c = b[at + i];
		if (c === 0) break;
		out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "?";
	}
	return out;
}

/** Parse the 24-byte header at `at` (no checks: the validator decides). */
export function parseImageHeader(b: Uint8Array, at = 0): ImageHeader {
	return {
		magic: b[at],
		segmentCount: b[at + 1],
		spiMode: b[at + 2],
		spiSpeedSize: b[at + 3],
		entryAddr: u32(b, at + 4),
		chipId: u16(b, at + 12),
		minChipRev: b[at + 14],
		minChipRevFull: u16(b, at + 15),
		maxChipRevFull: u16(b, at + 17),
		hashAppended: b[at + 23],
	};
}

/** Parse esp_app_desc_t from an image prefix (it starts at image offset 0x20). */
export function parseAppDescriptor(b: Uint8Array, at = APP_DESC_OFFSET): AppDescriptor {
	return {
		magic: u32(b, at),
		secureVersion: u32(b, at + 4),
		version: cString(b, at + 0x10, 32),
		projectName: cString(b, at + 0x30, 32),
		time: cString(b, at + 0x50, 16),
		date: cString(b, at + 0x60, 16),
		idfVersion: cString(b, at + 0x70, 32),
		elfSha256: b.slice(at + 0x90, at + 0xb0),
		mmuPageSizeLog2: b[at + 0xb4],
	};
}

/**
 * The ESP32-C6's address map as ESP-IDF v6.0 uses it to load an app
 * (components/soc/esp32c6/include/soc/soc.h, esp_system/ld/esp32c6/memory.ld.in,
 * bootloader/subproject/main/ld/esp32c6/bootloader.ld.in):
 *   - flash-mapped (IROM = DROM): 0x42000000 + 256 MMU pages of 64 KiB;
 *   - HP SRAM 0x40800000..0x40880000, of which an app may load only up to
 *     0x4086E610: above it the bootloader's own code, data and stack live
 *     while it copies the app (the app's linker script ends there too);
 *   - LP SRAM (RTC fast memory) 0x50000000..0x50004000;
 *   - below 0x10000000: not loaded at all (padding, reserved).
 */
export const C6_MEMORY = frozen({
	mappedLow: 0x42000000,
	mappedHigh: 0x43000000,
	sramLow: 0x40800000,
	sramHigh: 0x40880000,
	appSramEnd: 0x4086e610,
	lpLow: 0x50000000,
	lpHigh: 0x50004000,
	notLoadedBelow: 0x10000000,
	defaultMmuPage: 0x10000,
});

/** A chip revision as ESP-IDF writes it (major * 100 + minor) -> "v0.1". */
export function chipRevisionName(full: number): string {
	return `v${Math.floor(full / 100)}.${full % 100}`;
}

/** Length of the padding after the last segment: (offset + padding + 1) % 16 === 0. */
export function checksumPadding(offsetAfterSegments: number): number {
	return 15 - (offsetAfterSegments % 16);
}

/**
 * Where an image ends (header through checksum, plus the appended hash),
 * from its headers alone: the image header and each segment header, read
 * through `read`, a few small reads and no hashing. Undefined when the
 * headers do not describe an image that fits `limit` bytes. Checks nothing
 * else: for an image the bootloader already verified (the running one).
 */
export function imageLengthFromHeaders(read: (offset: number, length: number) => Uint8Array, limit: number): number | undefined {
	const h = parseImageHeader(read(0, IMAGE_HEADER_LENGTH));
	if (h.magic !== IMAGE_MAGIC || h.segmentCount === 0 || h.segmentCount > MAX_SEGMENTS || h.hashAppended > 1) return undefined;
	let at = IMAGE_HEADER_LENGTH;
	for (let i = 0; i < h.segmentCount; i++) {
		if (at + SEGMENT_HEADER_LENGTH > limit) return undefined;
		const length = u32(read(at, SEGMENT_HEADER_LENGTH), 4);
		if (length % 4 !== 0 || length >= MAX_SEGMENT_LENGTH) return undefined;
		at += SEGMENT_HEADER_LENGTH + length;
	}
	const end = at + checksumPadding(at) + 1 + (h.hashAppended ? APPENDED_HASH_LENGTH : 0);
	return end <= limit ? end : undefined;
}
