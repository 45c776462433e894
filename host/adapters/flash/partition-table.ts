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

const DATA_SUBTYPES = ["ota", "phy", "nvs", "coredump", "nvs_keys", "efuse", "undefined", "esphttpd", "fat", "spiffs", "littlefs"];

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
		const a = sorted[i - 1], b = sorted[i];
		if (a.offset + a.size > b.offset) problems.push(`${a.name} overlaps ${b.name}`);
	}
	const otadata = parts.filter((p) => p.type === "data" && p.subtype === "ota");
	const slots = otaSlots(parts);
	if (slots.length) {
		if (otadata.length !== 1) problems.push(`OTA slots need exactly one otadata partition, found ${otadata.length}`);
		else if (otadata[0].size !== OTADATA_SIZE) problems.push(`otadata must be 0x2000 bytes, is 0x${otadata[0].size.toString(16)}`);
	}
	if (slots.length > MAX_OTA_SLOTS) problems.push(`at most ${MAX_OTA_SLOTS} OTA slots`);
	slots.forEach((s, i) => { if (s.index !== i) problems.push(`OTA slots must be numbered from ota_0 without gaps`); });
	if (parts.filter((p) => p.type === "data" && p.subtype === "nvs").length === 0) problems.push("no nvs partition");
	return problems;
}

export interface OtaSlotLayout { name: string; index: number; offset: number; size: number }

export function otaSlots(parts: Partition[]): OtaSlotLayout[] {
	return parts
		.filter((p) => p.type === "app" && /^ota_\d+$/.test(p.subtype))
		.map((p) => ({ name: p.name, index: parseInt(p.subtype.slice(4), 10), offset: p.offset, size: p.size }))
		.sort((a, b) => a.index - b.index);
}

export function findPartition(parts: Partition[], type: PartitionType, subtype: string): Partition | undefined {
	return parts.find((p) => p.type === type && p.subtype === subtype);
}
