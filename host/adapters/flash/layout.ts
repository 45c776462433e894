/*
 * The flash layout the host adapters use, from partitions.csv (the same
 * parse the board's build checks), so the simulator and the board agree on
 * every offset.
 */

import { findPartition, otaSlots, parsePartitionCsv, type OtaSlotLayout } from "./partition-table";

export interface FlashLayout {
	flashSize: number;
	otadata: { offset: number; size: number };
	slots: OtaSlotLayout[];
}

export function layoutFromCsv(csv: string, flashSize = 4 * 1024 * 1024): FlashLayout {
	const parts = parsePartitionCsv(csv);
	const otadata = findPartition(parts, "data", "ota");
	if (!otadata) throw new RangeError("the partition table has no otadata partition");
	const slots = otaSlots(parts);
	if (slots.length < 2) throw new RangeError("the partition table needs two OTA slots");
	return { flashSize, otadata: { offset: otadata.offset, size: otadata.size }, slots };
}

/** A small two-slot layout for in-memory tests (320 KiB flash, two 128 KiB slots), by ESP-IDF's alignment rules. */
export const SMALL_TEST_CSV = `
nvs, data, nvs, 0x9000, 0x4000,
otadata, data, ota, 0xd000, 0x2000,
ota_0, app, ota_0, 0x10000, 0x20000,
ota_1, app, ota_1, 0x30000, 0x20000,
`;
export const SMALL_TEST_FLASH = 0x50000;
