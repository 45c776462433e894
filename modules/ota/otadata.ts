/*
 * The otadata partition, encoded exactly as ESP-IDF does (esp_ota_select_entry_t
 * in esp_flash_partitions.h, bootloader_common_ota_select_crc): two 4 KiB
 * sectors, each starting with a 32-byte entry
 *   ota_seq u32 | seq_label[20] | ota_state u32 | crc u32
 * crc = ESP-IDF's CRC-32 (reflected 0xEDB88320, init ~0, final inversion)
 * over the 4 little-endian bytes of ota_seq.
 *
 * Pure functions: the host flash adapter, the simulated bootloader and the
 * tests share them, so every otadata decision has one implementation.
 */

import type { OtaImageState } from "ports/ota";
import { frozen } from "util/frozen";
import { crc32Register } from "util/crc32";

export const OTADATA_SECTOR_SIZE = 0x1000;
export const OTADATA_ENTRY_SIZE = 32;
export const SEQ_UNSET = 0xffffffff;

export const STATE_CODES: Record<OtaImageState, number> = frozen({
	NEW: 0,
	PENDING_VERIFY: 1,
	VALID: 2,
	INVALID: 3,
	ABORTED: 4,
	UNDEFINED: 0xffffffff,
});

/** The names of codes 0..4, in code order: stateName runs five times a second (the LED's PENDING_VERIFY signal). */
const STATE_NAMES: readonly OtaImageState[] = frozen(["NEW", "PENDING_VERIFY", "VALID", "INVALID", "ABORTED"]);
const UNDEFINED_STATE: OtaImageState = "UNDEFINED";

/** A state code's name; any code ESP-IDF does not define reads UNDEFINED. No for-in (an enumerator per call in XS), no literal. @hot */
export function stateName(code: number): OtaImageState {
	return code >= 0 && code < STATE_NAMES.length && code === Math.floor(code) ? STATE_NAMES[code] : UNDEFINED_STATE;
}

export interface OtaSelectEntry {
	seq: number;
	/** Raw ota_state value (an unknown value is kept, so a round trip is exact). */
	state: number;
	crc: number;
	/** seq_label bytes (ESP-IDF leaves them 0xFF). */
	label: Uint8Array;
}

/**
 * ESP-IDF's otadata CRC: crc32_le(UINT32_MAX, &ota_seq, 4). The ROM's
 * crc32_le inverts on entry and exit, so with UINT32_MAX as the start value
 * the register starts at 0 (unlike zlib's crc32, a known trap).
 * Vectors: seq 1 -> 0x4743989A, seq 2 -> 0x55F63774.
 */
export function otaSeqCrc(seq: number): number {
	const bytes = new Uint8Array([seq & 255, (seq >>> 8) & 255, (seq >>> 16) & 255, (seq >>> 24) & 255]);
	return ~crc32Register(0, bytes) >>> 0; // ~UINT32_MAX: the ROM inverts on entry
}

export function encodeEntry(seq: number, state: number): Uint8Array {
	const b = new Uint8Array(OTADATA_ENTRY_SIZE).fill(0xff);
	put32(b, 0, seq);
	put32(b, 24, state);
	put32(b, 28, otaSeqCrc(seq));
	return b;
}

export function decodeEntry(b: Uint8Array, at = 0): OtaSelectEntry {
	return { seq: get32(b, at), label: b.slice(at + 4, at + 24), state: get32(b, at + 24), crc: get32(b, at + 28) };
}

/** The entry's CRC matches a set seq (what esp_ota_get_state_partition and the bootloader's "initial contents" test look at). */
export function entryCrcOk(e: OtaSelectEntry): boolean {
	return e.seq !== SEQ_UNSET && e.crc === otaSeqCrc(e.seq);
}

/** bootloader_common_ota_select_invalid: unset, or state INVALID/ABORTED (the CRC is not looked at). */
export function entryInvalid(e: OtaSelectEntry): boolean {
	return e.seq === SEQ_UNSET || e.state === STATE_CODES.INVALID || e.state === STATE_CODES.ABORTED;
}

/** bootloader_common_ota_select_valid (v6.0): not invalid, and the CRC matches: the entry can choose a slot. */
export function entryValid(e: OtaSelectEntry): boolean {
	return !entryInvalid(e) && entryCrcOk(e);
}

/**
 * bootloader_common_get_active_otadata: index (0/1) of the winning entry,
 * the highest seq among valid ones (a tie goes to sector 0); -1 when none is.
 */
export function activeEntry(entries: readonly OtaSelectEntry[]): number {
	const ok0 = entryValid(entries[0]),
		ok1 = entryValid(entries[1]);
	if (ok0 && ok1) return entries[0].seq >= entries[1].seq ? 0 : 1;
	if (ok0) return 0;
	if (ok1) return 1;
	return -1;
}

/** Slot index an entry boots: (seq - 1) % slots. */
export function slotOfSeq(seq: number, slots: number): number {
	return (seq - 1) % slots;
}

/**
 * The bootloader's choice before it loads anything
 * (bootloader_utility_get_selected_boot_partition, no factory app, rollback
 * enabled, after its PENDING_VERIFY -> ABORTED pass):
 *   - both entries invalid: ota_0; `initial` when both are also blank or
 *     CRC-damaged (a board fresh from a USB flash): the bootloader then
 *     writes otadata[0] = {slot + 1, VALID} for the slot it loads;
 *   - else the active entry's slot;
 *   - else (entries set but damaged) no slot: every slot is tried from ota_0.
 */
export function bootChoice(entries: readonly OtaSelectEntry[], slots: number): { slot: number; entry: number; initial: boolean } {
	if (entryInvalid(entries[0]) && entryInvalid(entries[1])) return { slot: 0, entry: -1, initial: !entryCrcOk(entries[0]) && !entryCrcOk(entries[1]) };
	const active = activeEntry(entries);
	if (active === -1) return { slot: -1, entry: -1, initial: false };
	return { slot: slotOfSeq(entries[active].seq, slots), entry: active, initial: false };
}

/**
 * esp_ota_get_boot_partition: the active entry's slot; when there is none
 * (both invalid, or damaged) find_default_boot_partition: ota_0, as this
 * layout has no factory app.
 */
export function bootPartition(entries: readonly OtaSelectEntry[], slots: number): number {
	if (entryInvalid(entries[0]) && entryInvalid(entries[1])) return 0;
	const active = activeEntry(entries);
	return active === -1 ? 0 : slotOfSeq(entries[active].seq, slots);
}

/**
 * The slot esp_ota_check_rollback_is_possible would return to: the entry
 * that is not active must itself be valid (state and CRC); the caller must
 * still verify that slot's image. Undefined when there is none (this layout
 * has no factory app to fall back to).
 */
export function rollbackTarget(entries: readonly OtaSelectEntry[], slots: number): number | undefined {
	const active = activeEntry(entries);
	if (active === -1) return undefined;
	const other = entries[active ^ 1];
	return entryValid(other) ? slotOfSeq(other.seq, slots) : undefined;
}

/**
 * The write that selects `slot`, as ESP-IDF v6.0's esp_rewrite_ota_data
 * makes it: which sector and which seq.
 *   - The active entry already maps to `slot` (e.g. after a bootloader
 *     fallback, or installing into the slot a failed trial left selected):
 *     that same sector is rewritten in place with the same seq, so the new
 *     state (NEW) is the one that wins. (v5.5 wrote the other sector with
 *     the same seq, and the older VALID entry won the tie: no trial.)
 *   - Otherwise the sector NOT holding the active entry, so a torn write
 *     leaves the previous choice intact, with the smallest seq above the
 *     active one that maps to `slot` (compute_ota_seq_for_target_slot).
 *   - No active entry: sector 0, seq slot + 1.
 */
export function planSelection(entries: readonly OtaSelectEntry[], slot: number, slots: number): { sector: 0 | 1; seq: number; inPlace: boolean } {
	if (slot < 0 || slot >= slots) throw new RangeError(`OTA slot ${slot} does not exist (there are ${slots})`);
	const active = activeEntry(entries);
	if (active === -1) return { sector: 0, seq: slot + 1, inPlace: false };
	const seq = entries[active].seq;
	if (slotOfSeq(seq, slots) === slot) return { sector: active as 0 | 1, seq, inPlace: true };
	const base = (slot + 1) % slots;
	let i = 0;
	while (seq > base + i * slots) i++;
	return { sector: active === 0 ? 1 : 0, seq: base + i * slots, inPlace: false };
}

/**
 * esp_ota_get_state_partition: the state recorded for `slot`: the first
 * sector (0, then 1) whose entry maps to the slot and whose CRC matches.
 */
export function slotStateCode(entries: readonly OtaSelectEntry[], slot: number, slots: number): number | undefined {
	for (const e of entries) {
		if (entryCrcOk(e) && slotOfSeq(e.seq, slots) === slot) return e.state;
	}
	return undefined;
}

function put32(b: Uint8Array, at: number, v: number): void {
	b[at] = v & 255;
	b[at + 1] = (v >>> 8) & 255;
	b[at + 2] = (v >>> 16) & 255;
	b[at + 3] = (v >>> 24) & 255;
}
function get32(b: Uint8Array, at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
