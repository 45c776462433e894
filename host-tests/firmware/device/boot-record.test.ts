/* Specification of the crash-loop rule (modules/device/boot-record). */

import { assert } from "../../support/assert";
import { MemoryStore } from "../../support/fakes";
import { decideBoot, normalizeResetReason, readBootRecord, writeBootRecord, type BootRecord } from "device/boot-record";

function boots(reasons: string[], stableAfter: number[] = []): ReturnType<typeof decideBoot>[] {
	const store = new MemoryStore();
	const out: ReturnType<typeof decideBoot>[] = [];
	reasons.forEach((r, i) => {
		const d = decideBoot(readBootRecord(store), normalizeResetReason(r));
		writeBootRecord(store, d.record);
		if (stableAfter.includes(i)) writeBootRecord(store, { ...d.record, stable: true, streak: 0, reasons: [] });
		out.push(d);
	});
	return out;
}

describe("device/boot-record", () => {
	it("starts safe mode on the third crash in a row, each within a minute of boot", () => {
		const d = boots(["power-on", "panic", "task-watchdog", "panic"]);
		assert.deepEqual(
			d.map((x) => x.safeMode),
			[false, false, false, true],
		);
		assert.deepEqual(
			d.map((x) => x.record.streak),
			[0, 1, 2, 3],
		);
		assert.match(d[3].safeModeReason!, /crashed 3 times in a row.*panic, task-watchdog, panic/);
	});

	it("does not count a crash after the board ran a minute", () => {
		const d = boots(["power-on", "panic", "panic", "panic"], [1]);
		assert.deepEqual(
			d.map((x) => x.record.streak),
			[0, 1, 0, 1],
		);
		assert.isFalse(d[3].safeMode);
	});

	it("ends the streak with a restart that is not a crash (software, power-on, brown-out)", () => {
		for (const r of ["software", "power-on", "brownout"]) {
			const d = boots(["power-on", "panic", "panic", r, "panic"]);
			assert.isFalse(d[4].safeMode, r);
			assert.equal(d[3].record.streak, 0, r);
			assert.equal(d[4].record.streak, 1, r);
		}
	});

	it("stays in safe mode while the crashes go on, and leaves it after a software restart", () => {
		const d = boots(["power-on", "panic", "panic", "panic", "panic", "software"]);
		assert.deepEqual(
			d.map((x) => x.safeMode),
			[false, false, false, true, true, false],
		);
	});

	it("counts boots and keeps at most the last three reasons", () => {
		const d = boots(["power-on", "panic", "panic", "int-watchdog", "watchdog"]);
		assert.equal(d[4].record.boots, 5);
		assert.deepEqual(d[4].record.reasons, ["panic", "int-watchdog", "watchdog"]);
	});

	it("normalizes ESP-IDF and simulator spellings", () => {
		assert.equal(normalizeResetReason("TASK_WDT"), "task-watchdog");
		assert.equal(normalizeResetReason("poweron"), "power-on");
		assert.equal(normalizeResetReason("Panic"), "panic");
		assert.equal(normalizeResetReason("cosmic ray"), "unknown");
	});

	it("treats an unreadable record as none", () => {
		const store = new MemoryStore();
		store.set("boot", "record", "{not json");
		assert.isUndefined(readBootRecord(store));
		store.set("boot", "record", JSON.stringify({ boots: "x" }));
		assert.isUndefined(readBootRecord(store));
		const ok: BootRecord = { boots: 2, streak: 1, stable: false, reasons: ["panic"] };
		writeBootRecord(store, ok);
		assert.deepEqual(readBootRecord(store), ok);
	});
});
