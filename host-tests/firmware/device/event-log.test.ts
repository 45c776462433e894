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
		assert.deepEqual(
			e.map((x) => [x.n, x.boot, x.kind]),
			[
				[3, 2, "boot"],
				[2, 1, "mode"],
				[1, 1, "boot"],
			],
		);
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
		assert.deepEqual(
			log.entries(2).map((e) => e.message),
			["e4", "e3"],
		);
		assert.deepEqual(
			log.entries(10, "mode").map((e) => e.message),
			["e3", "e1"],
		);
	});

	it("clears flash and RAM, leaving one entry that says who cleared it", () => {
		const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
		log.record("mode", "x");
		log.flush();
		log.clear("the owner");
		const again = new EventLog({ clock: time, timers: time, partition: flash, boot: 2 });
		assert.deepEqual(
			again.entries().map((e) => e.message),
			["log cleared by the owner"],
		);
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

	describe("reading entries one at a time (the streamed GET /api/logs)", () => {
		const kinds = ["mode", "login", "wifi", "update"] as const;
		/** Everything recorded, newest first, as the log must list it. */
		function fill(log: EventLog, count: number): { kind: string; message: string }[] {
			const all: { kind: string; message: string }[] = [];
			for (let i = 0; i < count; i++) {
				const kind = kinds[(i * 7) % kinds.length];
				const message = `event ${i} ${"x".repeat(i % 90)}`;
				log.record(kind, message);
				all.unshift({ kind, message });
				if (i % 13 === 0) time.advance(1);
			}
			return all;
		}
		const take = (log: EventLog, limit: number, kind?: string) => {
			const c = log.cursor(limit, kind);
			const out: { kind: string; message: string }[] = [];
			for (let e = c.next(); e; e = c.next()) out.push({ kind: e.kind, message: e.message });
			return out;
		};

		it("lists the newest first across flash and the waiting batch, for every limit and kind", () => {
			const log = new EventLog({ clock: time, timers: time, partition: flash, boot: 1 });
			const all = fill(log, 300); // several sectors, and a partly waiting batch
			assert.isAbove(log.status().waiting, 0, "some entries still wait for their batch");
			for (const limit of [1, 7, 100, 200]) {
				assert.deepEqual(take(log, limit), all.slice(0, limit), `limit ${limit}`);
				for (const kind of kinds) assert.deepEqual(take(log, limit, kind), all.filter((e) => e.kind === kind).slice(0, limit), `limit ${limit}, kind ${kind}`);
			}
			assert.deepEqual(take(log, 5, "boot"), []);
		});

		it("lists the RAM ring the same way when there is no flash", () => {
			const log = new EventLog({ clock: time, timers: time, boot: 1 });
			const all = fill(log, 100).slice(0, 64); // the RAM ring keeps the newest 64
			assert.deepEqual(take(log, 100), all);
			assert.deepEqual(take(log, 10, "wifi"), all.filter((e) => e.kind === "wifi").slice(0, 10));
		});

		it("skips an entry whose sector was reused while it was being read, instead of showing another", () => {
			const small = new MemoryPartition(3 * flash.sectorSize);
			const log = new EventLog({ clock: time, timers: time, partition: small, boot: 1 });
			fill(log, 60);
			log.flush();
			const cursor = log.cursor(200);
			const first = cursor.next()!;
			fill(log, 400); // wraps the 3-sector ring: the rest of what the cursor selected is erased
			log.flush();
			const rest: number[] = [];
			for (let e = cursor.next(); e; e = cursor.next()) rest.push(e.n);
			assert.isBelow(first.n, 61);
			for (const n of rest) assert.isAtMost(n, first.n, "never an entry recorded after the cursor was made");
		});
	});
});
