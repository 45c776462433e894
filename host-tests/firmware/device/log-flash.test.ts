/* Specification of the event log's flash format (modules/device/log-flash): append, rotate, survive a power cut. */

import { assert } from "../../support/assert";
import { MemoryPartition } from "../../support/fake-device";
import { FlashLog } from "device/log-flash";

function all(log: FlashLog): string[] {
	const out: string[] = [];
	log.forEach((t) => out.push(t));
	return out;
}

describe("device/log-flash", () => {
	it("formats a blank partition with one erase and reads back what it appended after a remount", () => {
		const p = new MemoryPartition(4 * 4096);
		const log = new FlashLog(p);
		assert.deepEqual(p.erases, [1, 0, 0, 0]);
		log.append("one");
		log.append("two");
		assert.deepEqual(all(new FlashLog(p)), ["one", "two"]);
		assert.deepEqual(p.erases, [1, 0, 0, 0], "mounting never erases a formatted partition");
	});

	it("rotates through the sectors, erasing each only when the ring comes back to it", () => {
		const p = new MemoryPartition(3 * 4096);
		const log = new FlashLog(p);
		const record = "x".repeat(1000); // 4 records of 1003 bytes per 4 KiB sector (8-byte header)
		for (let i = 0; i < 4 * 3; i++) log.append(`${i} ${record}`);
		assert.deepEqual(p.erases, [1, 1, 1]);
		log.append(`12 ${record}`); // sector 0 is reused: its 4 oldest records go
		assert.deepEqual(p.erases, [2, 1, 1]);
		const texts = all(new FlashLog(p)).map((t) => Number(t.split(" ")[0]));
		assert.deepEqual(texts, [4, 5, 6, 7, 8, 9, 10, 11, 12]);
	});

	it("skips a record cut by a power loss and appends after it", () => {
		const p = new MemoryPartition(2 * 4096);
		const log = new FlashLog(p);
		log.append("before");
		p.cutNextWriteAfter = 5;
		log.append("cut in the middle");
		const again = new FlashLog(p);
		again.append("after");
		assert.deepEqual(all(again), ["before", "after"]);
		assert.equal(again.stats().damaged, 2, "seen once at mount, once when read");
	});

	it("clears with one erase per used sector and keeps counting sequences", () => {
		const p = new MemoryPartition(3 * 4096);
		const log = new FlashLog(p);
		for (let i = 0; i < 6; i++) log.append(`${i} ${"y".repeat(1500)}`);
		const seq = log.stats().headSequence;
		log.clear();
		assert.deepEqual(all(log), []);
		assert.equal(log.stats().headSequence, seq + 1);
		log.append("fresh");
		assert.deepEqual(all(new FlashLog(p)), ["fresh"]);
	});

	it("refuses an empty record and one larger than a sector", () => {
		const log = new FlashLog(new MemoryPartition(2 * 4096));
		assert.throws(() => log.append(""), RangeError);
		assert.throws(() => log.append("z".repeat(log.maxPayload + 1)), RangeError);
		log.append("z".repeat(log.maxPayload));
	});

	it("stores UTF-8 text", () => {
		const p = new MemoryPartition(2 * 4096);
		new FlashLog(p).append("Ölwechsel 5050 → FWD");
		assert.deepEqual(all(new FlashLog(p)), ["Ölwechsel 5050 → FWD"]);
	});
});
