/* Contracts shared by every adapter of the clock and store ports. */

import { assert } from "../../support/assert";
import { ManualTime, MemoryStore } from "../../support/fakes";
import { epochSeconds } from "ports/clock";
import { STORE_MAX_VALUE_BYTES, utf8Length } from "ports/store";

describe("ports/clock", () => {
	it("reports 0 epoch seconds until a source sets the time", () => {
		const t = new ManualTime();
		assert.equal(epochSeconds(t), 0);
		t.setWallMs(1_700_000_000_500, "server");
		assert.equal(epochSeconds(t), 1_700_000_000);
	});
	it("lets SNTP replace the browser's time but not the reverse", () => {
		const t = new ManualTime();
		assert.isTrue(t.setWallMs(1000, "browser"));
		assert.isTrue(t.setWallMs(5000, "sntp"));
		assert.isFalse(t.setWallMs(9000, "browser"));
		assert.equal(t.wallMs(), 5000);
		assert.equal(t.source(), "sntp");
	});
	it("fires timers in time order as the test advances", () => {
		const t = new ManualTime();
		const seen: string[] = [];
		t.after(30, () => seen.push(`a@${t.monotonicMs()}`));
		const every = t.every(20, () => seen.push(`e@${t.monotonicMs()}`));
		t.advance(45);
		t.cancel(every);
		t.advance(100);
		assert.deepEqual(seen, ["e@20", "a@30", "e@40"]);
	});
});

describe("ports/store limits (Preference)", () => {
	it("refuses keys over 15 characters", () => {
		assert.throws(() => new MemoryStore().set("ohx", "a-very-long-key-1", 1), RangeError);
	});
	it("refuses values over 4000 bytes, counting UTF-8 bytes", () => {
		const s = new MemoryStore();
		s.set("ohx", "k", "x".repeat(STORE_MAX_VALUE_BYTES));
		assert.throws(() => s.set("ohx", "k", "é".repeat(2001)), RangeError);
		assert.equal(utf8Length("é".repeat(2001)), 4002);
	});
	it("keeps what was set and lists keys per domain", () => {
		const s = new MemoryStore();
		s.set("a", "x", 1);
		s.set("b", "y", true);
		s.delete("a", "x");
		assert.deepEqual(s.keys("a"), []);
		assert.deepEqual(s.keys("b"), ["y"]);
		assert.equal(s.writes.length, 3);
	});
});
