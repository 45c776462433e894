/*
 * Specification: otadata exactly as ESP-IDF encodes and selects it
 * (esp_ota_select_entry_t, bootloader_common_*). The CRC vectors are
 * ESP-IDF's; do not "fix" them to zlib's.
 */

import { assert } from "../../support/assert";
import { STATE_CODES, activeEntry, decodeEntry, encodeEntry, entrySelectable, otaSeqCrc, planSelection, slotStateCode, stateName } from "ota/otadata";

const entry = (seq: number, state: number) => decodeEntry(encodeEntry(seq, state));
const blank = () => decodeEntry(new Uint8Array(32).fill(0xff));

describe("ota/otadata", () => {
	it("computes ESP-IDF's CRC over the four sequence bytes (seq 1 -> 0x4743989A, seq 2 -> 0x55F63774)", () => {
		assert.equal(otaSeqCrc(1), 0x4743989a);
		assert.equal(otaSeqCrc(2), 0x55f63774);
	});
	it("is not zlib's crc32 of the same bytes (the known trap)", () => {
		assert.notEqual(otaSeqCrc(1), 0xa505df1b);
	});
	it("encodes a 32-byte entry: seq, 0xFF label, state, crc, little-endian", () => {
		const b = encodeEntry(1, STATE_CODES.NEW);
		assert.deepEqual([...b.subarray(0, 4)], [1, 0, 0, 0]);
		assert.isTrue(b.subarray(4, 24).every((x) => x === 0xff));
		assert.deepEqual([...b.subarray(24, 28)], [0, 0, 0, 0]);
		assert.deepEqual([...b.subarray(28, 32)], [0x9a, 0x98, 0x43, 0x47]);
		const d = decodeEntry(b);
		assert.equal(d.seq, 1);
		assert.equal(stateName(d.state), "NEW");
	});
	it("ignores an unset entry, a bad CRC, and INVALID or ABORTED states", () => {
		assert.isFalse(entrySelectable(blank()));
		const bad = entry(3, STATE_CODES.VALID); bad.crc ^= 1;
		assert.isFalse(entrySelectable(bad));
		assert.isFalse(entrySelectable(entry(3, STATE_CODES.INVALID)));
		assert.isFalse(entrySelectable(entry(3, STATE_CODES.ABORTED)));
		assert.isTrue(entrySelectable(entry(3, STATE_CODES.PENDING_VERIFY)));
	});
	it("lets the highest valid seq win", () => {
		assert.equal(activeEntry([entry(4, STATE_CODES.VALID), entry(5, STATE_CODES.NEW)]), 1);
		assert.equal(activeEntry([entry(6, STATE_CODES.VALID), entry(5, STATE_CODES.VALID)]), 0);
		assert.equal(activeEntry([entry(6, STATE_CODES.ABORTED), entry(5, STATE_CODES.VALID)]), 1);
		assert.equal(activeEntry([blank(), blank()]), -1);
	});
	it("writes a new selection into the sector not holding the current winner", () => {
		assert.deepEqual(planSelection([blank(), blank()], 1, 2), { sector: 0, seq: 2 });
		assert.deepEqual(planSelection([entry(1, STATE_CODES.VALID), blank()], 1, 2), { sector: 1, seq: 2 });
		assert.deepEqual(planSelection([entry(1, STATE_CODES.VALID), entry(2, STATE_CODES.VALID)], 0, 2), { sector: 0, seq: 3 });
		assert.deepEqual(planSelection([entry(3, STATE_CODES.VALID), entry(2, STATE_CODES.ABORTED)], 1, 2), { sector: 1, seq: 4 });
	});
	it("maps seq to slot as (seq - 1) % slots", () => {
		for (const [seq, slot] of [[1, 0], [2, 1], [3, 0], [4, 1]]) {
			const plan = planSelection([entry(seq, STATE_CODES.VALID), blank()], slot, 2);
			assert.equal((plan.seq - 1) % 2, slot, `seq ${plan.seq}`);
		}
		assert.throws(() => planSelection([blank(), blank()], 2, 2), RangeError);
	});
	it("reports a slot's state from the first sector whose entry maps to it", () => {
		const entries = [entry(3, STATE_CODES.VALID), entry(2, STATE_CODES.ABORTED)];
		assert.equal(slotStateCode(entries, 0, 2), STATE_CODES.VALID);
		assert.equal(slotStateCode(entries, 1, 2), STATE_CODES.ABORTED);
		assert.isUndefined(slotStateCode([blank(), blank()], 0, 2));
	});
});
