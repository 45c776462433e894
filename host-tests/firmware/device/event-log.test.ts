/* Specification of the event log (modules/device/event-log): RAM at once, flash in batches, wall time once synced. */

import { assert } from "../../support/assert";
import { ManualTime } from "../../support/fakes";
import { MemoryPartition } from "../../support/fake-device";
import { EventLog, FLUSH_COUNT, FLUSH_DELAY_MS } from "device/event-log";

describe("device/event-log", () => {
	let time: ManualTime;
	let flash: MemoryPartition;
	beforeEach(() => {
		time = new ManualTime();
		flash = new MemoryPartition();
	});

	it("shows an entry at once and writes it to flash after the batch delay", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		const writes = flash.writes;
		log.record("mode", "mode STOCK -> 5050");
		assert.equal(log.entries()[0].message, "mode STOCK -> 5050");
		assert.equal(flash.writes, writes, "not yet written");
		time.advance(FLUSH_DELAY_MS);
		assert.equal(flash.writes, writes + 1);
		assert.equal(log.status().batchesWritten, 1);
	});

	it("writes a batch as soon as FLUSH_COUNT entries wait, in one go", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		for (let i = 0; i < FLUSH_COUNT; i++) log.record("login", `wrong password ${i}`);
		assert.equal(log.status().waiting, 0);
		assert.equal(log.status().batchesWritten, 1);
	});

	it("writes boot, safe-mode, rollback and watchdog entries at once", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		log.record("rollback", "image 1.2.0 failed its health check");
		assert.equal(log.status().waiting, 0);
	});

	it("keeps entries across a reboot, numbering on from the last one", () => {
		const a = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		a.record("boot", "boot 1");
		a.record("mode", "mode STOCK -> FWD");
		a.stop(); // flushes
		const b = new EventLog({ clock: new ManualTime(), timers: time, partition: flash, boot: 2 });
		b.record("boot", "boot 2");
		const e = b.entries();
		assert.deepEqual(e.map((x) => [x.n, x.boot, x.kind]), [[3, 2, "boot"], [2, 1, "mode"], [1, 1, "boot"]]);
	});

	it("carries uptime, and wall time back-filled for this boot once the clock is synced", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		time.advance(5000);
		log.record("mode", "before sync");
		time.advance(1000);
		time.setWallMs(1_700_000_000_000, "sntp");
		log.record("mode", "after sync");
		const [after, before] = log.entries();
		assert.equal(before.upMs, 5000);
		assert.equal(before.wallMs, 1_700_000_000_000 - 1000);
		assert.equal(after.wallMs, 1_700_000_000_000);
	});

	it("filters by kind, limits, newest first", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		for (let i = 0; i < 5; i++) log.record(i % 2 ? "mode" : "login", `e${i}`);
		assert.deepEqual(log.entries(2).map((e) => e.message), ["e4", "e3"]);
		assert.deepEqual(log.entries(10, "mode").map((e) => e.message), ["e3", "e1"]);
	});

	it("clears flash and RAM, leaving one entry that says who cleared it", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		log.record("mode", "x");
		log.flush();
		log.clear("the owner");
		const again = new EventLog({ clock: time, timers: time, partition: flash, boot: 2 });
		assert.deepEqual(again.entries().map((e) => e.message), ["log cleared by the owner"]);
	});

	it("works from RAM alone (64 newest) without a partition", () => {
		const log = new EventLog({ clock: time, timers: time, boot: 1 });
		for (let i = 0; i < 70; i++) log.record("mode", `m${i}`);
		const e = log.entries(200);
		assert.equal(e.length, 64);
		assert.equal(e[0].message, "m69");
		assert.isFalse(log.status().persistent);
	});

	it("shortens a message over 200 characters", () => {
		const log = new EventLog({ clock: time, timers: time, boot: 1 });
		assert.equal(log.record("log", "a".repeat(500)).message.length, 200);
	});
});
