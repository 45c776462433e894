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
 *
 * Written for XS, where every function call costs: the entry's fields are
 * read inline, hex digits come from a table the writer makes, and the
 * seconds' digits are kept from the line before (they change once a second).
 */

import { DATA, ENTRY_SIZE, FLAG_EXT, FLAG_REWRITTEN, FLAG_RTR, OUT, UsClock } from "canview/entries";

/** The longest a line pair for one entry can be: 2 x "(4294967295.999999) can0 1FFFFFFF#" + 16 + "\n". */
export const CANDUMP_MAX_ENTRY_BYTES = 2 * 51;

const OPEN = 0x28,
	CLOSE = 0x29,
	DOT = 0x2e,
	SPACE = 0x20,
	HASH = 0x23,
	NL = 0x0a,
	ZERO = 0x30,
	R = 0x52;

/** Uppercase hex digits 0..15 as bytes (made per writer: a module-level array would sit in flash). */
export function hexDigits(): Uint8Array {
	const t = new Uint8Array(16);
	for (let d = 0; d < 16; d++) t[d] = d < 10 ? ZERO + d : 55 + d;
	return t;
}

export class CandumpWriter {
	readonly #clock = new UsClock();
	readonly #baseUs: number;
	readonly #hex = hexDigits();
	/** "(seconds." of the last line, and the seconds it spells. */
	readonly #head = new Uint8Array(16);
	#headLength = 0;
	#headSeconds = -1;

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
		const o = i * ENTRY_SIZE;
		const raw = (batch[o] | (batch[o + 1] << 8) | (batch[o + 2] << 16) | (batch[o + 3] << 24)) >>> 0;
		const us = this.#baseUs + this.#clock.unwrap(raw);
		const flags = batch[o + 9];
		const bus = batch[o + 8];
		let end = this.#line(out, at, us, bus, batch, o, o + DATA, flags);
		if (flags & FLAG_REWRITTEN) end = this.#line(out, end, us, bus ^ 1, batch, o, o + OUT, flags);
		return end;
	}

	/** @hot */
	#line(out: Uint8Array, at: number, us: number, bus: number, batch: Uint8Array, o: number, data: number, flags: number): number {
		const hex = this.#hex;
		const seconds = Math.floor(us / 1000000);
		let micros = us - seconds * 1000000;
		if (seconds !== this.#headSeconds) this.#setHead(seconds);
		const head = this.#head;
		const n0 = this.#headLength;
		let p = at;
		for (let k = 0; k < n0; k++) out[p++] = head[k];
		// six digits of microseconds, integer arithmetic
		for (let k = 5; k >= 0; k--) {
			const q = (micros / 10) | 0;
			out[p + k] = ZERO + micros - q * 10;
			micros = q;
		}
		p += 6;
		out[p++] = CLOSE;
		out[p++] = SPACE;
		out[p++] = 0x63; // c
		out[p++] = 0x61; // a
		out[p++] = 0x6e; // n
		out[p++] = ZERO + bus;
		out[p++] = SPACE;
		const id = (batch[o + 4] | (batch[o + 5] << 8) | (batch[o + 6] << 16) | (batch[o + 7] << 24)) >>> 0;
		for (let shift = flags & FLAG_EXT ? 28 : 8; shift >= 0; shift -= 4) out[p++] = hex[(id >>> shift) & 15];
		out[p++] = HASH;
		if (flags & FLAG_RTR) out[p++] = R;
		else {
			const dlc = batch[o + 10];
			// biome-ignore lint/complexity/useMathMinMax: a call costs in XS; this runs per captured frame
			const n = dlc > 8 ? 8 : dlc;
			for (let b = 0; b < n; b++) {
				const v = batch[data + b];
				out[p++] = hex[v >> 4];
				out[p++] = hex[v & 15];
			}
		}
		out[p++] = NL;
		return p;
	}

	#setHead(seconds: number): void {
		const head = this.#head;
		head[0] = OPEN;
		let digits = 1;
		for (let v = seconds; v >= 10; v = Math.floor(v / 10)) digits++;
		let v = seconds;
		for (let k = digits; k >= 1; k--) {
			head[k] = ZERO + (v % 10);
			v = Math.floor(v / 10);
		}
		head[digits + 1] = DOT;
		this.#headLength = digits + 2;
		this.#headSeconds = seconds;
	}
}
