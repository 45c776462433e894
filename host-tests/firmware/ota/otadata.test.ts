/*
 * Specification: otadata exactly as ESP-IDF v6.0 encodes and selects it
 * (esp_ota_select_entry_t, bootloader_common_*, esp_rewrite_ota_data,
 * bootloader_utility_get_selected_boot_partition). The CRC vectors are
 * ESP-IDF's; do not "fix" them to zlib's.
 */

import { assert } from "../../support/assert";
import {
	STATE_CODES,
	activeEntry,
	decodeEntry,
	encodeEntry,
	bootChoice,
	bootPartition,
	entryCrcOk,
	entryValid,
	otaSeqCrc,
	planSelection,
	rollbackTarget,
	slotStateCode,
	stateName,
} from "ota/otadata";

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
	it("names every state code as STATE_CODES does, and any other code UNDEFINED", () => {
		for (const name of Object.keys(STATE_CODES) as (keyof typeof STATE_CODES)[]) assert.equal(stateName(STATE_CODES[name]), name);
		for (const code of [5, 6, -1, 1.5, 0x7fffffff]) assert.equal(stateName(code), "UNDEFINED", String(code));
	});
	it("calls an entry valid as bootloader_common_ota_select_valid does: set, CRC right, and not INVALID or ABORTED", () => {
		assert.isFalse(entryValid(blank()));
		const bad = entry(3, STATE_CODES.VALID);
		bad.crc ^= 1;
		assert.isFalse(entryValid(bad));
		assert.isTrue(entryCrcOk(entry(3, STATE_CODES.INVALID)), "the CRC alone is fine");
		assert.isFalse(entryValid(entry(3, STATE_CODES.INVALID)));
		assert.isFalse(entryValid(entry(3, STATE_CODES.ABORTED)));
		assert.isTrue(entryValid(entry(3, STATE_CODES.PENDING_VERIFY)));
		assert.isTrue(entryValid(entry(3, STATE_CODES.UNDEFINED)));
	});
	it("lets the highest valid seq win", () => {
		assert.equal(activeEntry([entry(4, STATE_CODES.VALID), entry(5, STATE_CODES.NEW)]), 1);
		assert.equal(activeEntry([entry(6, STATE_CODES.VALID), entry(5, STATE_CODES.VALID)]), 0);
		assert.equal(activeEntry([entry(6, STATE_CODES.ABORTED), entry(5, STATE_CODES.VALID)]), 1);
		assert.equal(activeEntry([blank(), blank()]), -1);
	});
	it("writes a selection of another slot into the sector not holding the current winner", () => {
		assert.deepEqual(planSelection([blank(), blank()], 1, 2), { sector: 0, seq: 2, inPlace: false });
		assert.deepEqual(planSelection([entry(1, STATE_CODES.VALID), blank()], 1, 2), { sector: 1, seq: 2, inPlace: false });
		assert.deepEqual(planSelection([entry(1, STATE_CODES.VALID), entry(2, STATE_CODES.VALID)], 0, 2), { sector: 0, seq: 3, inPlace: false });
		assert.deepEqual(planSelection([entry(3, STATE_CODES.VALID), entry(2, STATE_CODES.ABORTED)], 1, 2), { sector: 1, seq: 4, inPlace: false });
	});
	it("v6.0: selecting the slot the winner already maps to rewrites that sector in place, same seq (so NEW wins, not the old VALID)", () => {
		// After a bootloader fallback: otadata[1] (seq 4, ota_1) selects ota_1, whose image failed, so ota_0 runs.
		const entries = [entry(3, STATE_CODES.VALID), entry(4, STATE_CODES.VALID)];
		const plan = planSelection(entries, 1, 2);
		assert.deepEqual(plan, { sector: 1, seq: 4, inPlace: true });
		// v5.5.5 wrote sector 0 with seq 4: both then say seq 4, the tie goes to sector 0 and its
		// state is the one that counts. Here the rewritten sector is the winner, with the new state.
		const after = [entries[0], entry(plan.seq, STATE_CODES.NEW)];
		assert.equal(activeEntry(after), 1);
		assert.equal(after[activeEntry(after)].state, STATE_CODES.NEW);
	});
	it("the bootloader's choice: blank otadata is a first boot after a USB flash; damaged entries select nothing", () => {
		assert.deepEqual(bootChoice([blank(), blank()], 2), { slot: 0, entry: -1, initial: true });
		const damaged = entry(2, STATE_CODES.VALID);
		damaged.crc ^= 0xff;
		assert.deepEqual(bootChoice([blank(), damaged], 2), { slot: -1, entry: -1, initial: false }, "seq set, not INVALID, CRC wrong: no slot, try all");
		assert.deepEqual(
			bootChoice([entry(1, STATE_CODES.ABORTED), entry(2, STATE_CODES.INVALID)], 2),
			{ slot: 0, entry: -1, initial: false },
			"both invalid with good CRCs: ota_0, otadata left alone",
		);
		assert.deepEqual(bootChoice([entry(1, STATE_CODES.VALID), entry(2, STATE_CODES.NEW)], 2), { slot: 1, entry: 1, initial: false });
		assert.equal(bootPartition([blank(), damaged], 2), 0, "esp_ota_get_boot_partition falls back to the first OTA slot");
		assert.equal(bootPartition([entry(3, STATE_CODES.VALID), entry(2, STATE_CODES.ABORTED)], 2), 0);
		assert.equal(bootPartition([entry(3, STATE_CODES.ABORTED), entry(2, STATE_CODES.VALID)], 2), 1);
	});
	it("rollback needs the entry that is not active to be valid itself (esp_ota_check_rollback_is_possible)", () => {
		assert.equal(rollbackTarget([entry(1, STATE_CODES.VALID), entry(2, STATE_CODES.PENDING_VERIFY)], 2), 0);
		assert.isUndefined(rollbackTarget([entry(1, STATE_CODES.ABORTED), entry(2, STATE_CODES.PENDING_VERIFY)], 2));
		assert.isUndefined(rollbackTarget([blank(), entry(2, STATE_CODES.PENDING_VERIFY)], 2), "a board that only ever ran one slot has nothing to return to");
		assert.isUndefined(rollbackTarget([blank(), blank()], 2));
	});
	it("maps seq to slot as (seq - 1) % slots", () => {
		for (const [seq, slot] of [
			[1, 0],
			[2, 1],
			[3, 0],
			[4, 1],
		]) {
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
