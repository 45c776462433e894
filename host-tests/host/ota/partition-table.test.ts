/* ESP-IDF partition table rules (modules/ota/partition-table). */

import { assert } from "../../support/assert";
import { checkPartitionTable, otaSlots, parsePartitionCsv, parseSize } from "../../../host/adapters/flash/partition-table";

const MB4 = 4 * 1024 * 1024;
const GOOD = `
nvs, data, nvs, 0x9000, 0x5000,
otadata, data, ota, 0xe000, 0x2000,
phy_init, data, phy, 0x10000, 0x1000,
ota_0, app, ota_0, 0x20000, 0x1f0000,
ota_1, app, ota_1, 0x210000, 0x1f0000,
`;

describe("../../../host/adapters/flash/partition-table", () => {
	it("parses sizes in hex, decimal, K and M", () => {
		assert.equal(parseSize("0x1000"), 4096);
		assert.equal(parseSize("64K"), 65536);
		assert.equal(parseSize("1M"), 1048576);
		assert.equal(parseSize("12"), 12);
		assert.throws(() => parseSize("lots"), RangeError);
	});
	it("accepts a correct two-slot table", () => {
		assert.deepEqual(checkPartitionTable(parsePartitionCsv(GOOD), MB4), []);
		assert.deepEqual(
			otaSlots(parsePartitionCsv(GOOD)).map((s) => s.index),
			[0, 1],
		);
	});
	it("places a partition without an offset after the previous one, aligned", () => {
		const parts = parsePartitionCsv("nvs, data, nvs, , 0x5000,\nfactory, app, factory, , 1M,");
		assert.equal(parts[0].offset, 0x9000);
		assert.equal(parts[1].offset, 0x10000);
	});
	it("finds an app slot that is not 64 KiB aligned", () => {
		const p = checkPartitionTable(parsePartitionCsv(GOOD.replace("0x210000, 0x1f0000", "0x211000, 0x1ef000")), MB4);
		assert.isTrue(
			p.some((m) => /ota_1 offset .* not aligned/.test(m)),
			p.join("; "),
		);
	});
	it("finds an otadata of the wrong size", () => {
		const p = checkPartitionTable(parsePartitionCsv(GOOD.replace("0xe000, 0x2000", "0xe000, 0x1000")), MB4);
		assert.isTrue(
			p.some((m) => /otadata must be 0x2000/.test(m)),
			p.join("; "),
		);
	});
	it("finds overlapping partitions", () => {
		const p = checkPartitionTable(parsePartitionCsv(GOOD.replace("0x210000, 0x1f0000", "0x200000, 0x1f0000")), MB4);
		assert.isTrue(
			p.some((m) => /overlaps/.test(m)),
			p.join("; "),
		);
	});
	it("finds a table that does not fit the flash", () => {
		const p = checkPartitionTable(parsePartitionCsv(GOOD.replace("0x210000, 0x1f0000", "0x210000, 0x200000")), MB4);
		assert.isTrue(
			p.some((m) => /past the 0x400000 flash/.test(m)),
			p.join("; "),
		);
	});
	it("finds a partition over the partition table", () => {
		const p = checkPartitionTable(parsePartitionCsv(GOOD.replace("0x9000, 0x5000", "0x8000, 0x6000")), MB4);
		assert.isTrue(
			p.some((m) => /overlaps the bootloader/.test(m)),
			p.join("; "),
		);
	});
});
