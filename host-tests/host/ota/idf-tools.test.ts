/*
 * The simulator's flash file reads as a board's flash: the binary
 * partition table at 0x8000 is what ESP-IDF's gen_esp32part.py makes of
 * partitions.csv, with its MD5 entry, and otadata sits where the table
 * says. Always checked with our own decoder; with $IDF_PATH set (an
 * ESP-IDF v6.0 tree, e.g. IDF_PATH=/work/esp-idf) also byte for byte
 * against gen_esp32part.py and through parttool/otatool (read-flash served
 * from the file by idf-read-flash.py). CI has no ESP-IDF: that part skips.
 */

import { assert } from "chai";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator } from "../../../host/simulator/simulator";
import {
	PARTITION_TABLE_DATA_LENGTH,
	PARTITION_TABLE_OFFSET,
	decodePartitionTable,
	encodePartitionTable,
	parsePartitionCsv,
} from "../../../host/adapters/flash/partition-table";
import { decodeEntry } from "ota/otadata";
import { PROJECT_ROOT } from "../../xs/xs-engine";

const md5 = (b: Uint8Array) => new Uint8Array(createHash("md5").update(b).digest());
const CSV = path.join(PROJECT_ROOT, "partitions.csv");
const quiet = { log() {} };

describe("the simulator's flash file, read as a board's", function () {
	this.timeout(60_000);
	let dataDir: string;
	let flash: Uint8Array;
	before(async () => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-idftools-"));
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet, bootDelayMs: 10 });
		await sim.stop();
		flash = new Uint8Array(fs.readFileSync(path.join(dataDir, "flash.bin")));
	});
	after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

	it("holds the partition table at 0x8000, MD5 entry included, matching partitions.csv", () => {
		const table = flash.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + PARTITION_TABLE_DATA_LENGTH);
		const parts = parsePartitionCsv(fs.readFileSync(CSV, "utf8"));
		const decoded = decodePartitionTable(table, md5);
		assert.deepEqual(
			decoded.map((p) => [p.name, p.offset, p.size]),
			parts.map((p) => [p.name, p.offset, p.size]),
		);
		assert.deepEqual(decoded.find((p) => p.name === "ota_1")!, { name: "ota_1", type: 0, subtype: 0x11, offset: 0x210000, size: 0x1f0000, flags: 0 });
		const damaged = table.slice();
		damaged[40] ^= 1;
		assert.throws(() => decodePartitionTable(damaged, md5), /MD5/);
	});

	it("has the otadata the first boot wrote ({seq 1, VALID} in sector 0) where the table puts it", () => {
		const ota = decodePartitionTable(flash.subarray(PARTITION_TABLE_OFFSET), md5).find((p) => p.type === 1 && p.subtype === 0)!;
		const e = decodeEntry(flash, ota.offset);
		assert.equal(e.seq, 1);
		assert.equal(e.state, 2);
	});

	describe("with ESP-IDF's tools ($IDF_PATH)", () => {
		const idf = process.env.IDF_PATH;
		before(function () {
			if (!idf || !fs.existsSync(path.join(idf, "components/partition_table/gen_esp32part.py"))) {
				console.log(
					"      (skipped: set IDF_PATH to an ESP-IDF v6.0 tree, e.g. IDF_PATH=/work/esp-idf, to compare with gen_esp32part.py, parttool and otatool)",
				);
				this.skip();
			}
		});
		const py = (...args: string[]) => execFileSync("/usr/bin/python3", args, { env: { ...process.env, IDF_PATH: idf }, encoding: "utf8" });

		it("gen_esp32part.py makes the same bytes of partitions.csv", () => {
			const out = path.join(dataDir, "idf-table.bin");
			py(path.join(idf!, "components/partition_table/gen_esp32part.py"), "--quiet", CSV, out);
			const ours = encodePartitionTable(parsePartitionCsv(fs.readFileSync(CSV, "utf8")), md5);
			assert.deepEqual(new Uint8Array(fs.readFileSync(out)), ours);
		});

		it("parttool and otatool read the partition table and otadata from the file", () => {
			const lines = py(path.join(PROJECT_ROOT, "host-tests/host/ota/idf-read-flash.py"), path.join(dataDir, "flash.bin")).trim().split("\n");
			assert.include(lines, "partition ota_0 0 16 0x20000 0x1f0000");
			assert.include(lines, "partition otadata 1 0 0xe000 0x2000");
			assert.include(lines, "otadata 0 0x00000001 0x4743989a");
			assert.include(lines, "otadata 1 0xffffffff 0xffffffff");
		});
	});
});
