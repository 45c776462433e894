/*
 * The capture ring's entries as JS sees them: ohx_capture_entry_t
 * (modules/can/core/ohx_capture.h) copied byte for byte into a Uint8Array,
 * 28 bytes each, little-endian. Readers index into one reused batch
 * buffer; nothing here allocates per frame.
 */

import { u32 } from "ota/image-format";

export const ENTRY_SIZE = 28;
/** Entries moved per captureRead() call: one 896-byte buffer per bus, made while capturing. */
export const BATCH_ENTRIES = 32;

export const FLAG_EXT = 0x01,
	FLAG_RTR = 0x02,
	FLAG_REWRITTEN = 0x04,
	FLAG_NOT_FORWARDED = 0x08;

const TS = 0;
/** Offsets of the received and the forwarded data bytes. */
export const DATA = 12,
	OUT = 20;

/** Microsecond timestamp of entry i (wraps at 2^32). The writers read the other fields inline: in XS every call costs. @hot */
export function entryTs(b: Uint8Array, i: number): number {
	return u32(b, i * ENTRY_SIZE + TS);
}

/**
 * Unwraps the 32-bit microsecond stamps into a running count (a double,
 * exact to 2^53 us = 285 years), given that consecutive entries are less
 * than 2^31 us (35 minutes) apart. One per reader.
 */
export class UsClock {
	#last = -1;
	#total = 0;

	/** The running microseconds of a raw stamp. @hot */
	unwrap(raw: number): number {
		if (this.#last >= 0) {
			const delta = (raw - this.#last) >>> 0;
			// A stamp just before the last (two buses' rings read in turn) counts as a small step back.
			this.#total += delta < 0x80000000 ? delta : delta - 0x100000000;
		}
		this.#last = raw;
		return this.#total;
	}
}

/** Fill `into` (258 bytes, ohx_capture_filter_t) from a list of standard IDs; an empty list keeps every frame. */
export function filterBytes(ids: readonly number[], extended: boolean, into: Uint8Array = new Uint8Array(258)): Uint8Array {
	into.fill(0);
	if (ids.length === 0) return into;
	into[0] = 1;
	into[1] = extended ? 1 : 0;
	for (const id of ids) if (id >= 0 && id <= 0x7ff) into[2 + (id >> 3)] |= 1 << (id & 7);
	return into;
}
