/*
 * ESP-IDF partition tables: parse partitions.csv and check it by the rules
 * ESP-IDF's gen_esp32part.py enforces, plus ours (two equal OTA slots, a
 * 4 MB flash). The host flash adapter lays out its image from the same
 * parse, so the simulator and the board agree on every offset.
 */

export type PartitionType = "app" | "data";

export interface Partition {
	name: string;
	type: PartitionType;
	subtype: string;
	offset: number;
	size: number;
	flags: string;
}

export const PARTITION_TABLE_OFFSET = 0x8000;
export const PARTITION_TABLE_SIZE = 0x1000;
export const APP_ALIGN = 0x10000;
export const DATA_ALIGN = 0x1000;
export const OTADATA_SIZE = 0x2000;
export const MAX_OTA_SLOTS = 16;

/** Data subtypes and their codes (gen_esp32part.py SUBTYPES, esp_partition_subtype_t). */
const DATA_SUBTYPE_CODES: Record<string, number> = {
	ota: 0x00,
	phy: 0x01,
	nvs: 0x02,
	coredump: 0x03,
	nvs_keys: 0x04,
	efuse: 0x05,
	undefined: 0x06,
	esphttpd: 0x80,
	fat: 0x81,
	spiffs: 0x82,
	littlefs: 0x83,
};
const DATA_SUBTYPES = Object.keys(DATA_SUBTYPE_CODES);

export function parseSize(text: string): number {
	const t = text.trim().toLowerCase();
	const m = /^(0x[0-9a-f]+|\d+)([km]?)$/.exec(t);
	if (!m) throw new RangeError(`"${text}" is not a size or offset`);
	const n = parseInt(m[1], m[1].startsWith("0x") ? 16 : 10);
	return m[2] === "k" ? n * 1024 : m[2] === "m" ? n * 1024 * 1024 : n;
}

/** Parse the CSV; blank offsets are placed after the previous partition, aligned as ESP-IDF does. */
export function parsePartitionCsv(csv: string): Partition[] {
	const out: Partition[] = [];
	let next = PARTITION_TABLE_OFFSET + PARTITION_TABLE_SIZE;
	for (const raw of csv.split("\n")) {
		const line = raw.replace(/#.*/, "").trim();
		if (!line) continue;
		const cells = line.split(",").map((c) => c.trim());
		if (cells.length < 5) throw new RangeError(`partition line "${line}" needs name, type, subtype, offset, size`);
		const [name, type, subtype, offsetText, sizeText, flags = ""] = cells;
		if (type !== "app" && type !== "data") throw new RangeError(`partition ${name}: type "${type}" is not app or data`);
		const align = type === "app" ? APP_ALIGN : DATA_ALIGN;
		const offset = offsetText ? parseSize(offsetText) : Math.ceil(next / align) * align;
		const size = parseSize(sizeText);
		out.push({ name, type, subtype, offset, size, flags });
		next = offset + size;
	}
	return out;
}

/** Every rule the table breaks, as sentences; empty when it is good. */
export function checkPartitionTable(parts: Partition[], flashSize: number): string[] {
	const problems: string[] = [];
	const names = new Set<string>();
	for (const p of parts) {
		if (names.has(p.name)) problems.push(`partition name ${p.name} is used twice`);
		names.add(p.name);
		if (p.name.length > 16) problems.push(`partition name ${p.name} is longer than 16 characters`);
		const align = p.type === "app" ? APP_ALIGN : DATA_ALIGN;
		if (p.offset % align) problems.push(`${p.name} offset 0x${p.offset.toString(16)} is not aligned to 0x${align.toString(16)}`);
		if (p.type === "app" && p.size % APP_ALIGN) problems.push(`${p.name} size 0x${p.size.toString(16)} is not a multiple of 0x${APP_ALIGN.toString(16)}`);
		if (p.size % DATA_ALIGN) problems.push(`${p.name} size is not a multiple of 4 KiB`);
		if (p.size <= 0) problems.push(`${p.name} has no size`);
		if (p.offset < PARTITION_TABLE_OFFSET + PARTITION_TABLE_SIZE) problems.push(`${p.name} overlaps the bootloader or the partition table`);
		if (p.offset + p.size > flashSize) problems.push(`${p.name} ends at 0x${(p.offset + p.size).toString(16)}, past the 0x${flashSize.toString(16)} flash`);
		if (p.type === "data" && !DATA_SUBTYPES.includes(p.subtype) && !/^0x[0-9a-f]+$/i.test(p.subtype))
			problems.push(`${p.name}: unknown data subtype ${p.subtype}`);
		if (p.type === "app" && !/^(factory|test|ota_(\d|1[0-5]))$/.test(p.subtype)) problems.push(`${p.name}: unknown app subtype ${p.subtype}`);
	}
	const sorted = [...parts].sort((a, b) => a.offset - b.offset);
	for (let i = 1; i < sorted.length; i++) {
		const a = sorted[i - 1],
			b = sorted[i];
		if (a.offset + a.size > b.offset) problems.push(`${a.name} overlaps ${b.name}`);
	}
	const otadata = parts.filter((p) => p.type === "data" && p.subtype === "ota");
	const slots = otaSlots(parts);
	if (slots.length) {
		if (otadata.length !== 1) problems.push(`OTA slots need exactly one otadata partition, found ${otadata.length}`);
		else if (otadata[0].size !== OTADATA_SIZE) problems.push(`otadata must be 0x2000 bytes, is 0x${otadata[0].size.toString(16)}`);
	}
	if (slots.length > MAX_OTA_SLOTS) problems.push(`at most ${MAX_OTA_SLOTS} OTA slots`);
	slots.forEach((s, i) => {
		if (s.index !== i) problems.push(`OTA slots must be numbered from ota_0 without gaps`);
	});
	if (parts.filter((p) => p.type === "data" && p.subtype === "nvs").length === 0) problems.push("no nvs partition");
	return problems;
}

export interface OtaSlotLayout {
	name: string;
	index: number;
	offset: number;
	size: number;
}

export function otaSlots(parts: Partition[]): OtaSlotLayout[] {
	return parts
		.filter((p) => p.type === "app" && /^ota_\d+$/.test(p.subtype))
		.map((p) => ({ name: p.name, index: parseInt(p.subtype.slice(4), 10), offset: p.offset, size: p.size }))
		.sort((a, b) => a.index - b.index);
}

export function findPartition(parts: Partition[], type: PartitionType, subtype: string): Partition | undefined {
	return parts.find((p) => p.type === type && p.subtype === subtype);
}

/** The binary table ESP-IDF flashes at 0x8000 (gen_esp32part.py to_binary): 32-byte entries, an MD5 entry, 0xFF to 0xC00. */
export const PARTITION_ENTRY_SIZE = 32;
export const PARTITION_TABLE_DATA_LENGTH = 0xc00;
const FLAG_BITS: Record<string, number> = { encrypted: 0, readonly: 1 };

function subtypeCode(p: Partition): number {
	if (/^0x[0-9a-f]+$/i.test(p.subtype)) return parseInt(p.subtype, 16);
	if (p.type === "data") {
		const code = DATA_SUBTYPE_CODES[p.subtype];
		if (code === undefined) throw new RangeError(`${p.name}: unknown data subtype ${p.subtype}`);
		return code;
	}
	if (p.subtype === "factory") return 0x00;
	if (p.subtype === "test") return 0x20;
	const ota = /^ota_(\d+)$/.exec(p.subtype);
	if (ota) return 0x10 + parseInt(ota[1], 10);
	throw new RangeError(`${p.name}: unknown app subtype ${p.subtype}`);
}

/**
 * Encode the table as gen_esp32part.py does: per partition magic 0xAA 0x50,
 * type, subtype, offset u32, size u32, name (16 bytes, NUL-padded), flags
 * u32, little-endian; then 0xEB 0xEB, 14 x 0xFF and the MD5 of the entries;
 * 0xFF up to 0xC00 bytes. `md5` is injected (Node's crypto in the simulator).
 */
export function encodePartitionTable(parts: Partition[], md5: (bytes: Uint8Array) => Uint8Array): Uint8Array {
	const out = new Uint8Array(PARTITION_TABLE_DATA_LENGTH).fill(0xff);
	const entries = (parts.length + 1) * PARTITION_ENTRY_SIZE;
	if (entries >= PARTITION_TABLE_DATA_LENGTH) throw new RangeError(`${parts.length} partitions do not fit the table`);
	const view = new DataView(out.buffer);
	parts.forEach((p, i) => {
		const at = i * PARTITION_ENTRY_SIZE;
		if (p.name.length > 16) throw new RangeError(`partition name ${p.name} is longer than 16 characters`);
		out[at] = 0xaa;
		out[at + 1] = 0x50;
		out[at + 2] = p.type === "app" ? 0x00 : 0x01;
		out[at + 3] = subtypeCode(p);
		view.setUint32(at + 4, p.offset, true);
		view.setUint32(at + 8, p.size, true);
		out.fill(0, at + 12, at + 28);
		for (let k = 0; k < p.name.length; k++) out[at + 12 + k] = p.name.charCodeAt(k) & 0x7f;
		let flags = 0;
		for (const f of p.flags
			.split(":")
			.map((x) => x.trim())
			.filter(Boolean)) {
			if (FLAG_BITS[f] === undefined) throw new RangeError(`${p.name}: unknown flag ${f}`);
			flags |= 1 << FLAG_BITS[f];
		}
		view.setUint32(at + 28, flags, true);
	});
	const md5At = parts.length * PARTITION_ENTRY_SIZE;
	out[md5At] = 0xeb;
	out[md5At + 1] = 0xeb;
	out.set(md5(out.subarray(0, md5At)), md5At + 16);
	return out;
}

/** Decode a binary table (for tests and tools); checks the MD5 entry when present. */
export function decodePartitionTable(
	bytes: Uint8Array,
	md5: (bytes: Uint8Array) => Uint8Array,
): { name: string; type: number; subtype: number; offset: number; size: number; flags: number }[] {
	const out = [];
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
	for (let at = 0; at + PARTITION_ENTRY_SIZE <= Math.min(bytes.length, PARTITION_TABLE_DATA_LENGTH); at += PARTITION_ENTRY_SIZE) {
		if (bytes[at] === 0xeb && bytes[at + 1] === 0xeb) {
			const want = md5(bytes.subarray(0, at));
			if (!want.every((b, k) => b === bytes[at + 16 + k])) throw new RangeError("the partition table's MD5 does not match its entries");
			return out;
		}
		if (bytes[at] === 0xff && bytes[at + 1] === 0xff) return out;
		if (bytes[at] !== 0xaa || bytes[at + 1] !== 0x50) throw new RangeError(`no partition entry magic at 0x${at.toString(16)}`);
		let name = "";
		for (let k = 0; k < 16 && bytes[at + 12 + k]; k++) name += String.fromCharCode(bytes[at + 12 + k]);
		out.push({
			name,
			type: bytes[at + 2],
			subtype: bytes[at + 3],
			offset: view.getUint32(at + 4, true),
			size: view.getUint32(at + 8, true),
			flags: view.getUint32(at + 28, true),
		});
	}
	return out;
}
