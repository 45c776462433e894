/*
 * Capture entries as a candump log (`candump -l` format), written as bytes
 * into the caller's buffer: no string per frame, so a capture at full bus
 * rate makes no garbage.
 *
 *   (1700000000.123456) can0 280#0011223344556677
 *
 * can0 is the chassis bus, can1 the Haldex bus. Each frame is written on
 * the bus it was received on, as received. A frame the bridge rewrote gets
 * a second line, on the bus it was forwarded to, with the bytes it was
 * forwarded with: the log holds the before and the after. (Frames
 * forwarded unchanged are not repeated.) Remote frames are `ID#R`;
 * extended IDs have 8 hex digits, standard ones 3.
 *
 * The simulator's `--can-log` replays the can0 lines (host/car/candump.ts).
 */

import { DATA, FLAG_EXT, FLAG_REWRITTEN, FLAG_RTR, OUT, UsClock, entryBus, entryFlags, entryId, entryLength, entryTs, ENTRY_SIZE } from "canview/entries";

/** The longest a line pair for one entry can be: 2 x "(4294967295.999999) can0 1FFFFFFF#" + 16 + "\n". */
export const CANDUMP_MAX_ENTRY_BYTES = 2 * 51;

const OPEN = 0x28,
	CLOSE = 0x29,
	DOT = 0x2e,
	SPACE = 0x20,
	HASH = 0x23,
	NL = 0x0a,
	ZERO = 0x30,
	R = 0x52,
	C = 0x63,
	A = 0x61,
	N = 0x6e;

/** Uppercase hex digit of v & 15. @hot */
function hex(v: number): number {
	const d = v & 15;
	return d < 10 ? ZERO + d : 55 + d;
}

/** Decimal digits of a non-negative integer at `at`; returns the new end. @hot */
function decimal(out: Uint8Array, at: number, value: number): number {
	let digits = 1;
	for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
	let v = value;
	for (let k = digits - 1; k >= 0; k--) {
		out[at + k] = ZERO + (v % 10);
		v = Math.floor(v / 10);
	}
	return at + digits;
}

export class CandumpWriter {
	readonly #clock = new UsClock();
	readonly #baseUs: number;

	/** `startSeconds`: the wall-clock time of the first entry, when known (else the log starts at 0). */
	constructor(startSeconds = 0) {
		this.#baseUs = Math.floor(startSeconds) * 1000000;
	}

	/**
	 * Writes entry i of `batch` at out[at]; returns the end, or -1 (nothing
	 * written) when fewer than CANDUMP_MAX_ENTRY_BYTES are left. @hot
	 */
	write(batch: Uint8Array, i: number, out: Uint8Array, at: number): number {
		if (out.length - at < CANDUMP_MAX_ENTRY_BYTES) return -1;
		const us = this.#baseUs + this.#clock.unwrap(entryTs(batch, i));
		const flags = entryFlags(batch, i);
		const bus = entryBus(batch, i);
		let end = this.#line(out, at, us, bus, batch, i, DATA, flags);
		if (flags & FLAG_REWRITTEN) end = this.#line(out, end, us, bus ^ 1, batch, i, OUT, flags);
		return end;
	}

	/** @hot */
	#line(out: Uint8Array, at: number, us: number, bus: number, batch: Uint8Array, i: number, data: number, flags: number): number {
		const seconds = Math.floor(us / 1000000);
		const micros = us - seconds * 1000000;
		let p = at;
		out[p++] = OPEN;
		p = decimal(out, p, seconds);
		out[p++] = DOT;
		for (let d = 100000; d >= 1; d /= 10) out[p++] = ZERO + (Math.floor(micros / d) % 10);
		out[p++] = CLOSE;
		out[p++] = SPACE;
		out[p++] = C;
		out[p++] = A;
		out[p++] = N;
		out[p++] = ZERO + bus;
		out[p++] = SPACE;
		const id = entryId(batch, i);
		for (let shift = flags & FLAG_EXT ? 28 : 8; shift >= 0; shift -= 4) out[p++] = hex(id >>> shift);
		out[p++] = HASH;
		if (flags & FLAG_RTR) out[p++] = R;
		else {
			const base = i * ENTRY_SIZE + data;
			const n = entryLength(batch, i);
			for (let b = 0; b < n; b++) {
				out[p++] = hex(batch[base + b] >> 4);
				out[p++] = hex(batch[base + b]);
			}
		}
		out[p++] = NL;
		return p;
	}
}
