/*
 * A CanCapture for firmware tests: entries are queued as the C ring would
 * hold them (ohx_capture_entry_t bytes, a DEPTH-entry ring per bus that
 * drops when full), and configure() records what the firmware asked.
 * Portable (runs inside XS).
 */

import type { CanCapture, CanCaptureStats } from "ports/can";

export const FAKE_DEPTH = 256;

export interface FakeEntry {
	tsUs: number;
	id: number;
	bus: 0 | 1;
	data: number[];
	ext?: boolean;
	rtr?: boolean;
	/** As forwarded, for a rewritten frame. */
	out?: number[];
	dlc?: number;
}

export function entryBytes(e: FakeEntry): Uint8Array {
	const b = new Uint8Array(28);
	const dv = new DataView(b.buffer);
	dv.setUint32(0, e.tsUs >>> 0, true);
	dv.setUint32(4, e.id >>> 0, true);
	b[8] = e.bus;
	b[9] = (e.ext ? 1 : 0) | (e.rtr ? 2 : 0) | (e.out ? 4 : 0);
	b[10] = e.dlc ?? e.data.length;
	for (let i = 0; i < 8; i++) {
		b[12 + i] = e.data[i] ?? 0;
		b[20 + i] = (e.out ?? e.data)[i] ?? 0;
	}
	return b;
}

export class FakeCapture implements CanCapture {
	readonly rings: Uint8Array[][] = [[], []];
	readonly configured: { enabled: boolean; filter?: Uint8Array }[] = [];
	readonly sent: { bus: number; id: number; ext: boolean; data: number[] }[] = [];
	enabled = false;
	dropped: [number, number] = [0, 0];
	captured: [number, number] = [0, 0];
	/** Make transmit() throw (no room), as a port does. */
	full = false;

	configure(enabled: boolean, filter?: Uint8Array): void {
		this.enabled = enabled;
		this.configured.push({ enabled, filter: filter?.slice() });
		this.rings[0] = [];
		this.rings[1] = [];
		this.dropped = [0, 0];
		this.captured = [0, 0];
	}

	/** The receive path: records only while enabled, drops when the ring is full. */
	put(e: FakeEntry): void {
		if (!this.enabled) return;
		const ring = this.rings[e.bus];
		if (ring.length >= FAKE_DEPTH) {
			this.dropped[e.bus]++;
			return;
		}
		ring.push(entryBytes(e));
		this.captured[e.bus]++;
	}

	read(bus: 0 | 1, into: Uint8Array): number {
		const ring = this.rings[bus];
		const n = Math.min(ring.length, Math.floor(into.length / 28));
		for (let i = 0; i < n; i++) into.set(ring[i], i * 28);
		ring.splice(0, n);
		return n;
	}

	stats(): CanCaptureStats {
		return {
			captured: [...this.captured],
			dropped: [...this.dropped],
			pending: [this.rings[0].length, this.rings[1].length],
			enabled: this.enabled,
		} as CanCaptureStats;
	}

	transmit(bus: 0 | 1, id: number, ext: boolean, data: Uint8Array, dlc: number): void {
		if (this.full) throw new RangeError("OHX_ERR_INVALID_STATE");
		this.sent.push({ bus, id, ext, data: Array.from(data.subarray(0, dlc)) });
	}
}
