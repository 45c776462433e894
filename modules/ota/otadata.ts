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

export const OTADATA_SECTOR_SIZE = 0x1000;
export const OTADATA_ENTRY_SIZE = 32;
export const SEQ_UNSET = 0xffffffff;

export const STATE_CODES: Record<OtaImageState, number> = frozen({
	NEW: 0, PENDING_VERIFY: 1, VALID: 2, INVALID: 3, ABORTED: 4, UNDEFINED: 0xffffffff,
});

export function stateName(code: number): OtaImageState {
	for (const k in STATE_CODES) if (STATE_CODES[k as OtaImageState] === code) return k as OtaImageState;
	return "UNDEFINED";
}

export interface OtaSelectEntry {
	seq: number;
	/** Raw ota_state value (an unknown value is kept, so a round trip is exact). */
	state: number;
	crc: number;
	/** seq_label bytes (ESP-IDF leaves them 0xFF). */
	label: Uint8Array;
}

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

/**
 * ESP-IDF's otadata CRC: crc32_le(UINT32_MAX, &ota_seq, 4). The ROM's
 * crc32_le inverts on entry and exit, so with UINT32_MAX as the start value
 * the register starts at 0 (unlike zlib's crc32, a known trap).
 * Vectors: seq 1 -> 0x4743989A, seq 2 -> 0x55F63774.
 */
export function otaSeqCrc(seq: number): number {
	let c = 0; // ~UINT32_MAX
	for (let i = 0; i < 4; i++) c = CRC_TABLE[(c ^ (seq >>> (8 * i))) & 255] ^ (c >>> 8);
	return ~c >>> 0;
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

/** ESP-IDF bootloader_common_ota_select_valid: seq set and the CRC matches. */
export function entryValid(e: OtaSelectEntry): boolean {
	return e.seq !== SEQ_UNSET && e.crc === otaSeqCrc(e.seq);
}

/** bootloader_common_ota_select_invalid: unset, or state INVALID/ABORTED. */
export function entryInvalid(e: OtaSelectEntry): boolean {
	return e.seq === SEQ_UNSET || e.state === STATE_CODES.INVALID || e.state === STATE_CODES.ABORTED;
}

/** The bootable candidate (valid CRC and not INVALID/ABORTED). */
export function entrySelectable(e: OtaSelectEntry): boolean {
	return entryValid(e) && !entryInvalid(e);
}

/**
 * bootloader_common_get_active_otadata: index (0/1) of the winning entry,
 * the highest seq among selectable ones; -1 when none is.
 */
export function activeEntry(entries: readonly OtaSelectEntry[]): number {
	const ok0 = entrySelectable(entries[0]), ok1 = entrySelectable(entries[1]);
	if (ok0 && ok1) return entries[0].seq >= entries[1].seq ? 0 : 1; // ESP-IDF: MAX(seq0, seq1), ties to 0
	if (ok0) return 0;
	if (ok1) return 1;
	return -1;
}

/** Slot index an entry boots: (seq - 1) % slots. */
export function slotOfSeq(seq: number, slots: number): number {
	return (seq - 1) % slots;
}

/**
 * The write that selects `slot` (esp_rewrite_ota_data): which sector and
 * which seq. The sector is always the one NOT holding the current winner,
 * so a torn write leaves the previous choice intact; the seq is the
 * smallest that maps to `slot` and is not below the current winner's.
 */
export function planSelection(entries: readonly OtaSelectEntry[], slot: number, slots: number): { sector: 0 | 1; seq: number } {
	if (slot < 0 || slot >= slots) throw new RangeError(`OTA slot ${slot} does not exist (there are ${slots})`);
	const active = activeEntry(entries);
	if (active === -1) return { sector: 0, seq: slot + 1 };
	const seq = entries[active].seq;
	const base = (slot + 1) % slots;
	let i = 0;
	while (seq > base + i * slots) i++;
	return { sector: (active === 0 ? 1 : 0), seq: base + i * slots };
}

/**
 * esp_ota_get_state_partition: the state recorded for `slot`: the first
 * sector (0, then 1) whose entry maps to the slot and whose CRC matches.
 */
export function slotStateCode(entries: readonly OtaSelectEntry[], slot: number, slots: number): number | undefined {
	for (const e of entries) {
		if (e.seq !== SEQ_UNSET && slotOfSeq(e.seq, slots) === slot && e.crc === otaSeqCrc(e.seq)) return e.state;
	}
	return undefined;
}

function put32(b: Uint8Array, at: number, v: number): void {
	b[at] = v & 255; b[at + 1] = (v >>> 8) & 255; b[at + 2] = (v >>> 16) & 255; b[at + 3] = (v >>> 24) & 255;
}
function get32(b: Uint8Array, at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
