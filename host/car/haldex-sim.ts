/*
 * A simulated Haldex coupling controller. It knows nothing of OpenHaldex:
 * its engagement is derived only from the chassis frames it receives (the
 * bridge's output), as the real controller's is.
 *
 * Model: the controller asks for lock in proportion to the engine torque
 * MOTOR1 byte 1 reports, read back through the lock-byte scaling every
 * rewrite uses for a full value of 0xFE (v = 254 x (r + 40) / 200, so
 * r = v x 200 / 254 - 40, and 254 means full lock). A stock car at cruise
 * reports little torque and gets no lock; every non-STOCK rewrite puts its
 * scaled lock there. Without MOTOR1 for 200 ms it asks for none. The
 * coupling follows the request with a first-order lag (tau 150 ms).
 *
 * It reports on the Haldex bus every 20 ms (0x2C0): byte 0 state bits
 * (bit0 clutch 1 when engaged > 5 %, bit3 coupling open when < 2 %), and the
 * engagement per generation as the C core decodes it: Gen1 byte 1 in
 * 128..198, Gen2 byte 1 + byte 4 in 128..255, Gen4 byte 1 in 128..255.
 *
 * Gen5 (MQB) reads the torque from MOTOR_11 byte 6 instead, through the
 * same scaling with a full value of 0xFA, and, as an E2E receiver does,
 * only from frames whose CRC verifies: a frame that fails is counted in
 * crcErrors and ignored. It reports 0x118 every 20 ms: engagement in byte 2
 * over 0..250, state byte 3 (zero: its bits are not known).
 */

import { ID, type CanFrame } from "./frames";
import { MQB, e2eValid } from "./mqb";

export type Generation = 1 | 2 | 4 | 5;

export const HALDEX_PERIOD_MS = 20;
const TAU_MS = 150;
const STALE_MS = 200;

/** Lock a MOTOR1 torque byte asks for, 0..100. */
export function demandFromTorqueByte(v: number): number {
	if (v >= 254) return 100;
	return Math.max(0, Math.min(100, (v * 200) / 254 - 40));
}

/** Lock a MOTOR_11 torque byte asks for, 0..100 (full value 0xFA). */
export function demandFromMotor11(v: number): number {
	if (v >= 250) return 100;
	return Math.max(0, Math.min(100, (v * 200) / 250 - 40));
}

/** The feedback data for an engagement, per generation (0x2C0; Gen5 0x118). */
export function encodeHaldexFeedback(generation: Generation, engagementPct: number, state: number): Uint8Array {
	const e = Math.max(0, Math.min(100, engagementPct)) / 100;
	const d = new Uint8Array(8);
	if (generation === 5) {
		d[2] = Math.round(e * 250);
		d[3] = state & 0xff;
		return d;
	}
	d[0] = state & 0xff;
	if (generation === 1) {
		d[1] = 128 + Math.round(e * 70);
	} else if (generation === 2) {
		const raw = 128 + Math.round(e * 127);
		d[1] = 128 + Math.floor((raw - 128) / 2);
		d[4] = raw - d[1];
	} else {
		d[1] = 128 + Math.round(e * 127);
	}
	return d;
}

export class SimulatedHaldex {
	generation: Generation;
	#demand = 0;
	#engagement = 0;
	#lastMotor1Ms = -Infinity;
	#lastUpdateMs: number | undefined;
	#nextReportMs: number | undefined;
	framesReceived = 0;
	/** Gen5: E2E frames whose CRC did not verify (ignored, as a real receiver ignores them). */
	crcErrors = 0;

	/** Reports start at `startMs` (default: the first poll). */
	constructor(generation: Generation = 4, startMs?: number) {
		this.generation = generation;
		this.#nextReportMs = startMs;
	}

	get engagementPct(): number {
		return this.#engagement;
	}
	get demandPct(): number {
		return this.#demand;
	}

	/** A frame arriving from the bridge (chassis side, possibly rewritten). */
	receive(frame: CanFrame, atMs: number): void {
		this.framesReceived++;
		this.#advance(atMs);
		if (this.generation === 5) {
			if (!e2eValid(frame.id, frame.data)) {
				this.crcErrors++;
				return;
			}
			if (frame.id === MQB.MOTOR_11 && frame.data.length >= 8) {
				this.#demand = demandFromMotor11(frame.data[6]);
				this.#lastMotor1Ms = atMs;
			}
		} else if (frame.id === ID.MOTOR1 && frame.data.length >= 2) {
			this.#demand = demandFromTorqueByte(frame.data[1]);
			this.#lastMotor1Ms = atMs;
		}
	}

	/** Reports due up to nowMs. */
	poll(nowMs: number): { atMs: number; frame: CanFrame }[] {
		const out: { atMs: number; frame: CanFrame }[] = [];
		this.#nextReportMs ??= nowMs;
		while (this.#nextReportMs <= nowMs) {
			const at = this.#nextReportMs;
			this.#advance(at);
			const id = this.generation === 5 ? MQB.HALDEX : ID.HALDEX;
			const state = this.generation === 5 ? 0 : this.#state();
			out.push({ atMs: at, frame: { id, data: encodeHaldexFeedback(this.generation, this.#engagement, state) } });
			this.#nextReportMs += HALDEX_PERIOD_MS;
			if (nowMs - this.#nextReportMs > 1000) this.#nextReportMs = nowMs; // skip a long stall
		}
		return out;
	}

	#state(): number {
		let s = 0;
		if (this.#engagement > 5) s |= 0x01;
		if (this.#engagement < 2) s |= 0x08;
		return s;
	}

	#advance(atMs: number): void {
		if (this.#lastUpdateMs === undefined) {
			this.#lastUpdateMs = atMs;
			return;
		}
		const dt = atMs - this.#lastUpdateMs;
		if (dt <= 0) return;
		this.#lastUpdateMs = atMs;
		const demand = atMs - this.#lastMotor1Ms > STALE_MS ? 0 : this.#demand;
		this.#engagement += (demand - this.#engagement) * (1 - Math.exp(-dt / TAU_MS));
	}
}
