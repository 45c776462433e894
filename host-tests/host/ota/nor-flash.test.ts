/* Specification: the NOR flash model's rules, in memory and over the simulator's 4 MB file. */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FlashRuleError, MemoryFlashStorage, NorFlash, PowerCutError } from "../../../host/adapters/flash/nor-flash";
import { FileFlashStorage } from "../../../host/adapters/flash/file-storage";

describe("host/adapters/flash/nor-flash", () => {
	it("starts erased and erases whole 4 KiB sectors to 0xFF", () => {
		const f = new NorFlash(new MemoryFlashStorage(0x4000));
		f.write(0x1000, new Uint8Array([0, 1, 2]));
		f.eraseSector(0x1000);
		assert.isTrue(f.read(0x1000, 0x1000).every((b) => b === 0xff));
		assert.throws(() => f.eraseSector(0x1800), FlashRuleError, /sector boundary/);
	});
	it("ANDs a write into the cells: bits only go from 1 to 0", () => {
		const f = new NorFlash(new MemoryFlashStorage(0x1000));
		f.write(0, new Uint8Array([0xf0]));
		f.write(0, new Uint8Array([0x30]));
		assert.equal(f.read(0, 1)[0], 0x30);
	});
	it("refuses to turn a 0 bit into 1 without an erase", () => {
		const f = new NorFlash(new MemoryFlashStorage(0x1000));
		f.write(10, new Uint8Array([0x0f]));
		assert.throws(() => f.write(10, new Uint8Array([0x1f])), FlashRuleError, /0 bits into 1/);
		assert.equal(f.read(10, 1)[0], 0x0f, "the refused write changed nothing");
	});
	it("leaves a partial write when the power is cut mid-write, and stays dead until power-on", () => {
		const f = new NorFlash(new MemoryFlashStorage(0x1000));
		f.cutPowerAfter(3);
		assert.throws(() => f.write(0, new Uint8Array([1, 2, 3, 4, 5])), PowerCutError);
		assert.deepEqual([...f.read(0, 5)], [1, 2, 3, 0xff, 0xff]);
		assert.throws(() => f.write(8, new Uint8Array([1])), PowerCutError);
		f.powerOn();
		f.write(8, new Uint8Array([1]));
	});
	it("leaves a partly erased sector when the power is cut during an erase", () => {
		const f = new NorFlash(new MemoryFlashStorage(0x2000));
		f.write(0, new Uint8Array(0x1000));
		f.cutPowerAfter(0);
		assert.throws(() => f.eraseSector(0), PowerCutError);
		const s = f.read(0, 0x1000);
		assert.equal(s[0], 0xff);
		assert.equal(s[0xfff], 0x00);
	});
	it("keeps its contents in the image file across instances", () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-flash-"));
		try {
			const file = path.join(dir, "flash.bin");
			const a = new FileFlashStorage(file, 4 * 1024 * 1024);
			new NorFlash(a).write(0x20000, new Uint8Array([0xe9, 0x03]));
			a.close();
			assert.equal(fs.statSync(file).size, 4 * 1024 * 1024);
			const b = new NorFlash(new FileFlashStorage(file, 4 * 1024 * 1024));
			assert.deepEqual([...b.read(0x20000, 3)], [0xe9, 0x03, 0xff]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
