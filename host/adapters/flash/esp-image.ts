/*
 * Test images in the real ESP-IDF application image format (see
 * docs/ota.md): 24-byte header, segments (the first one starting with the
 * 256-byte app descriptor at file offset 0x20), zero padding to the
 * checksum byte (0xEF XOR every segment data byte), then the SHA-256 of
 * everything before it when hashAppended. esptool's image-info calls these
 * images valid (host-tests/host/esptool-crosscheck.test.ts). The simulator
 * writes its factory image with it; tests import it from
 * host-tests/support/esp-image.
 *
 * Every field can be corrupted on purpose, one option each. Portable: runs
 * under Node and inside XS.
 */

import { Sha256 } from "../../portable/sha256";

export interface EspImageOptions {
	version?: string;
	projectName?: string;
	secureVersion?: number;
	idfVersion?: string;
	chipId?: number;
	/** Approximate total size; the last segment grows to reach it. Default 8 KiB. */
	size?: number;
	/** Data lengths of the segments after the descriptor segment (multiples of 4). */
	extraSegments?: readonly number[];
	hashAppended?: boolean;
	/** Seed for the segment contents (deterministic). */
	seed?: number;
	// Corruptions, one per field.
	magic?: number;
	/** Header segment_count field, whatever the real number of segments. */
	segmentCountField?: number;
	hashAppendedField?: number;
	/** Write `length` into segment `index`'s header instead of its real length. */
	segmentLengthField?: { index: number; length: number };
	descriptorMagic?: number;
	badChecksum?: boolean;
	badAppendedHash?: boolean;
	/** Bytes appended after the image. */
	trailing?: Uint8Array;
	/** Header min_chip_rev_full / max_chip_rev_full (major * 100 + minor; default 0 and 0xFFFF = any). */
	minChipRevFull?: number;
	maxChipRevFull?: number;
	/** Load address of segment `index` instead of the builder's (0: descriptor, 1..: DRAM, last: flash-mapped bulk). */
	segmentAddress?: { index: number; address: number };
	/** The descriptor's mmu_page_size byte (log2; 0 = the chip's default, 64 KiB on the C6). */
	mmuPageSizeLog2?: number;
}

export const DROM_DESC_ADDR = 0x42800020;
export const DRAM_ADDR = 0x40800000;

function put32(b: Uint8Array, at: number, v: number): void {
	b[at] = v & 255;
	b[at + 1] = (v >>> 8) & 255;
	b[at + 2] = (v >>> 16) & 255;
	b[at + 3] = (v >>> 24) & 255;
}
function putText(b: Uint8Array, at: number, text: string, max: number): void {
	for (let i = 0; i < Math.min(text.length, max - 1); i++) b[at + i] = text.charCodeAt(i) & 0x7f;
}

/** xorshift32: deterministic bytes for segment contents and power-cut points. */
export class Prng {
	#s: number;
	constructor(seed: number) {
		this.#s = seed >>> 0 || 0x9e3779b9;
	}
	next(): number {
		let x = this.#s;
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		return (this.#s = x);
	}
	/** Integer in [0, n). */
	below(n: number): number {
		return this.next() % n;
	}
	fill(b: Uint8Array): void {
		for (let i = 0; i < b.length; i += 4) {
			const v = this.next();
			b[i] = v;
			if (i + 1 < b.length) b[i + 1] = v >>> 8;
			if (i + 2 < b.length) b[i + 2] = v >>> 16;
			if (i + 3 < b.length) b[i + 3] = v >>> 24;
		}
	}
}

/** The 256-byte esp_app_desc_t. */
export function appDescriptor(o: EspImageOptions = {}): Uint8Array {
	const d = new Uint8Array(256);
	put32(d, 0, o.descriptorMagic ?? 0xabcd5432);
	put32(d, 4, o.secureVersion ?? 0);
	putText(d, 0x10, o.version ?? "1.2.3+ohxs", 32);
	putText(d, 0x30, o.projectName ?? "xs_esp32", 32);
	putText(d, 0x50, "12:00:00", 16);
	putText(d, 0x60, "Jan  1 2026", 16);
	putText(d, 0x70, o.idfVersion ?? "v6.0", 32);
	d[0xb4] = o.mmuPageSizeLog2 ?? 0;
	// app_elf_sha256 (0x90..0xB0) stays zero, as in an ELF before esptool fills it in.
	return d;
}

export function buildEspImage(o: EspImageOptions = {}): Uint8Array {
	const prng = new Prng(o.seed ?? 1);
	const hashAppended = o.hashAppended ?? true;
	const target = o.size ?? 8192;
	// Segment 0: the descriptor plus a little rodata; then DRAM; then a bulk segment sized to reach `target`.
	const seg0 = new Uint8Array(256 + 64);
	seg0.set(appDescriptor(o), 0);
	prng.fill(seg0.subarray(256));
	const segs: { addr: number; data: Uint8Array }[] = [{ addr: DROM_DESC_ADDR, data: seg0 }];
	const extra = o.extraSegments ?? [512];
	for (const len of extra) {
		const data = new Uint8Array(len);
		prng.fill(data);
		segs.push({ addr: DRAM_ADDR + 0x1000 * segs.length, data });
	}
	const fixed = 24 + segs.reduce((n, s) => n + 8 + s.data.length, 0) + 8 + 16 + (hashAppended ? 32 : 0);
	const bulkLen = Math.max(4, (target - fixed) & ~3);
	const bulk = new Uint8Array(bulkLen);
	prng.fill(bulk);
	const bulkOffset = 24 + segs.reduce((n, s) => n + 8 + s.data.length, 0) + 8;
	segs.push({ addr: 0x42000000 + (bulkOffset % 0x10000), data: bulk });

	let length = 24 + segs.reduce((n, s) => n + 8 + s.data.length, 0);
	length += 15 - (length % 16) + 1; // padding + checksum byte
	const imageEnd = length;
	if (hashAppended) length += 32;
	const trailing = o.trailing ?? new Uint8Array(0);
	const out = new Uint8Array(length + trailing.length);

	out[0] = o.magic ?? 0xe9;
	out[1] = o.segmentCountField ?? segs.length;
	out[2] = 2; // DIO
	out[3] = 0x20; // 4 MB, 80 MHz
	put32(out, 4, 0x40800000); // entry
	out[8] = 0xee; // wp pin disabled
	out[12] = o.chipId ?? 0x0d;
	out[13] = 0;
	const minRev = o.minChipRevFull ?? 0,
		maxRev = o.maxChipRevFull ?? 0xffff;
	out[14] = Math.floor(minRev / 100); // min_chip_rev (legacy, major only)
	out[15] = minRev & 255;
	out[16] = minRev >>> 8; // min_chip_rev_full
	out[17] = maxRev & 255;
	out[18] = maxRev >>> 8; // max_chip_rev_full
	out[23] = o.hashAppendedField ?? (hashAppended ? 1 : 0);

	let at = 24;
	let checksum = 0xef;
	segs.forEach((s, i) => {
		put32(out, at, o.segmentAddress && o.segmentAddress.index === i ? o.segmentAddress.address : s.addr);
		put32(out, at + 4, o.segmentLengthField && o.segmentLengthField.index === i ? o.segmentLengthField.length : s.data.length);
		out.set(s.data, at + 8);
		for (let k = 0; k < s.data.length; k++) checksum ^= s.data[k];
		at += 8 + s.data.length;
	});
	out[imageEnd - 1] = o.badChecksum ? checksum ^ 0x5a : checksum;
	if (hashAppended) {
		const h = new Sha256();
		h.write(out.subarray(0, imageEnd));
		const digest = h.close();
		if (o.badAppendedHash) digest[5] ^= 1;
		out.set(digest, imageEnd);
	}
	out.set(trailing, length);
	return out;
}

/** SHA-256 of bytes (test convenience). */
export function sha256(bytes: Uint8Array): Uint8Array {
	const h = new Sha256();
	h.write(bytes);
	return h.close();
}
