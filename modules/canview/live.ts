/*
 * The CAN page's model, fed from capture entries: one row per (bus, ID)
 * with its rate, last bytes (as received and, for rewritten IDs, as
 * forwarded) and which bytes changed; and one watched signal sampled on
 * every frame of its ID, for the page's rolling plot.
 *
 * Rows are made once per new ID (at most MAX_ROWS, then new IDs are
 * counted, not kept), and refilled in place after that.
 */

import { DATA, ENTRY_SIZE, FLAG_EXT, FLAG_REWRITTEN, FLAG_RTR, OUT, UsClock } from "canview/entries";

export const MAX_ROWS = 96;
/** Samples the watched signal keeps (the plot's width): 2.5 s of a 100 Hz ID. */
export const SIGNAL_SAMPLES = 256;
const RATE_WINDOW_US = 1000000;

export interface LiveRow {
	bus: number;
	id: number;
	ext: boolean;
	count: number;
	/** Frames per second over the last full second. */
	hz: number;
	length: number;
	data: Uint8Array;
	/** As forwarded (differs from data only for rewritten frames). */
	out: Uint8Array;
	rewritten: boolean;
	/** Bit b set: data byte b changed since the page last read this row. */
	changed: number;
	lastUs: number;
	windowStartUs: number;
	windowCount: number;
}

/** A signal: `length` bits from `startBit` of one ID's data (Intel = little-endian bit numbering, as the DBCs of these cars). */
export interface SignalSpec {
	bus: number;
	id: number;
	startBit: number;
	length: number;
	/** Value = raw x scale + offset. */
	scale: number;
	offset: number;
	/** Read the frame as forwarded (after the rewrite) rather than as received. */
	forwarded: boolean;
}

export class LiveTable {
	readonly rows: LiveRow[] = [];
	/** New IDs seen while the table was full. */
	overflow = 0;
	readonly #clock = new UsClock();
	#signal: SignalSpec | undefined;
	// Made by watch(), dropped when the watch ends: 3 KiB the heap keeps only while someone plots.
	#times: Float64Array | undefined;
	#values: Float32Array | undefined;
	/** Samples written since the watch was set; sample k is at k % SIGNAL_SAMPLES. */
	#written = 0;
	#nowUs = 0;

	/** The latest unwrapped capture time. */
	get nowUs(): number {
		return this.#nowUs;
	}

	/** Forget every row (the capture restarts, or nobody looks: the rows' bytes go back to the heap). */
	clear(): void {
		this.rows.length = 0;
		this.overflow = 0;
		this.#written = 0;
	}

	/** Account entry i of batch. Fields read inline: in XS every call costs. @hot */
	add(batch: Uint8Array, i: number): void {
		const o = i * ENTRY_SIZE;
		const us = this.#clock.unwrap((batch[o] | (batch[o + 1] << 8) | (batch[o + 2] << 16) | (batch[o + 3] << 24)) >>> 0);
		this.#nowUs = us;
		const bus = batch[o + 8];
		const flags = batch[o + 9];
		const id = (batch[o + 4] | (batch[o + 5] << 8) | (batch[o + 6] << 16) | (batch[o + 7] << 24)) >>> 0;
		const ext = (flags & FLAG_EXT) !== 0;
		const row = this.#row(bus, id, ext, us);
		if (!row) return;
		const dlc = batch[o + 10];
		// biome-ignore lint/complexity/useMathMinMax: a call costs in XS; this runs per captured frame
		const n = flags & FLAG_RTR ? 0 : dlc > 8 ? 8 : dlc;
		const data = row.data;
		const out = row.out;
		let changed = row.changed;
		const seen = row.count > 0;
		for (let b = 0; b < 8; b++) {
			const v = b < n ? batch[o + DATA + b] : 0;
			if (seen && v !== data[b]) changed |= 1 << b;
			data[b] = v;
			out[b] = b < n ? batch[o + OUT + b] : 0;
		}
		row.changed = changed;
		row.length = n;
		row.rewritten = (flags & FLAG_REWRITTEN) !== 0;
		row.count++;
		row.lastUs = us;
		if (us - row.windowStartUs >= RATE_WINDOW_US) {
			row.hz = Math.round((row.windowCount * RATE_WINDOW_US) / (us - row.windowStartUs));
			row.windowStartUs = us;
			row.windowCount = 0;
		}
		row.windowCount++;
		const s = this.#signal;
		if (s && s.bus === bus && s.id === id && !ext) {
			const k = this.#written % SIGNAL_SAMPLES;
			this.#times![k] = us;
			this.#values![k] = signalValue(s.forwarded ? out : data, s);
			this.#written++;
		}
	}

	#row(bus: number, id: number, ext: boolean, us: number): LiveRow | undefined {
		const rows = this.rows;
		for (let r = 0; r < rows.length; r++) {
			const row = rows[r];
			if (row.id === id && row.bus === bus && row.ext === ext) return row;
		}
		if (rows.length >= MAX_ROWS) {
			this.overflow++;
			return undefined;
		}
		const row: LiveRow = {
			bus,
			id,
			ext,
			count: 0,
			hz: 0,
			length: 0,
			data: new Uint8Array(8),
			out: new Uint8Array(8),
			rewritten: false,
			changed: 0,
			lastUs: us,
			windowStartUs: us,
			windowCount: 0,
		};
		rows.push(row);
		return row;
	}

	/** Rows in (bus, id) order, as the page shows them; each row's changed bits are handed over and cleared. */
	snapshot(): {
		bus: number;
		id: number;
		ext: boolean;
		count: number;
		hz: number;
		ageMs: number;
		length: number;
		data: string;
		out?: string;
		changed: number;
	}[] {
		const now = this.#nowUs;
		const sorted = this.rows.slice().sort((a, b) => a.bus - b.bus || a.id - b.id);
		return sorted.map((row) => {
			const changed = row.changed;
			row.changed = 0;
			// A row not seen for two windows has no rate any more.
			const hz = now - row.lastUs > 2 * RATE_WINDOW_US ? 0 : row.hz;
			return {
				bus: row.bus,
				id: row.id,
				ext: row.ext,
				count: row.count,
				hz,
				ageMs: Math.round((now - row.lastUs) / 1000),
				length: row.length,
				data: hexBytes(row.data, row.length),
				...(row.rewritten ? { out: hexBytes(row.out, row.length) } : {}),
				changed,
			};
		});
	}

	/** Watch a signal (undefined: stop); the samples start again. */
	watch(spec: SignalSpec | undefined): void {
		this.#signal = spec;
		this.#written = 0;
		this.#times = spec ? (this.#times ?? new Float64Array(SIGNAL_SAMPLES)) : undefined;
		this.#values = spec ? (this.#values ?? new Float32Array(SIGNAL_SAMPLES)) : undefined;
	}

	get signal(): SignalSpec | undefined {
		return this.#signal;
	}

	/** Samples after sequence number `since` (at most SIGNAL_SAMPLES), with the next sequence number. */
	samples(since: number): { next: number; t: number[]; v: number[] } {
		const end = this.#written;
		const from = Math.max(since, end - SIGNAL_SAMPLES, 0);
		const t: number[] = [];
		const v: number[] = [];
		const times = this.#times,
			values = this.#values;
		if (times && values)
			for (let k = from; k < end; k++) {
				t.push(Math.round(times[k % SIGNAL_SAMPLES] / 1000));
				v.push(values[k % SIGNAL_SAMPLES]);
			}
		return { next: end, t, v };
	}
}

/** The signal's value in `data` (Intel bit order: bit k is bit k % 8 of byte k / 8). */
export function signalValue(data: Uint8Array, s: SignalSpec): number {
	let raw = 0;
	for (let k = 0; k < s.length; k++) {
		const bit = s.startBit + k;
		if ((data[bit >> 3] >> (bit & 7)) & 1) raw += 2 ** k;
	}
	return raw * s.scale + s.offset;
}

function hexBytes(b: Uint8Array, n: number): string {
	let s = "";
	for (let i = 0; i < n; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16).toUpperCase();
	return s;
}
