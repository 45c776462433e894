/*
 * The simulated car's drive cycle and the chassis frames it puts on the bus.
 *
 * Cycle (45 s, repeating): idle 0-5 s, launch 5-13 s (80 % pedal, 0 to
 * 80 km/h), cruise 13-28 s (20 % pedal, 80 km/h), braking 28-36 s (to a
 * stop), stop 36-45 s. The engine's reported torque (MOTOR1 byte 1) follows
 * the pedal: round(pedal x 1.6), so a stock car asks the Haldex for some
 * lock at launch and none at cruise.
 *
 * Frame periods (ms), close to a PQ35/46 chassis bus:
 *   mLW_1 0x0C2 10, BRAKES1 0x1A0 10, MOTOR1 0x280 10, MOTOR3 0x380 10,
 *   BRAKES3 0x4A0 10, MOTOR2 0x288 20, BRAKES4 0x2A0 20, BRAKES2 0x5A0 20,
 *   MOTOR5 0x480 100: 660 frames/s. A real bus adds comfort and
 *   instrument IDs on top (1,000-2,000 frames/s); they pass the bridge
 *   untouched and do not matter to the Haldex.
 */

import {
	ID,
	encodeBrakes1,
	encodeBrakes2,
	encodeBrakes3,
	encodeBrakes4,
	encodeMlw1,
	encodeMotor1,
	encodeMotor2,
	encodeMotor3,
	encodeMotor5,
	type CanFrame,
} from "./frames";

export type Phase = "idle" | "launch" | "cruise" | "braking" | "stop";

export interface CarState {
	phase: Phase;
	speedKmh: number;
	rpm: number;
	pedalPct: number;
	braking: boolean;
	steeringDeg: number;
	/** Engine coolant, degC. */
	coolantC: number;
}

export const CYCLE_MS = 45_000;
const PHASES: { phase: Phase; untilMs: number }[] = [
	{ phase: "idle", untilMs: 5_000 },
	{ phase: "launch", untilMs: 13_000 },
	{ phase: "cruise", untilMs: 28_000 },
	{ phase: "braking", untilMs: 36_000 },
	{ phase: "stop", untilMs: CYCLE_MS },
];

/** Parked with the ignition on and the engine off: the bus is awake, nothing moves. */
export function parkedCycle(): CarState {
	return { phase: "stop", speedKmh: 0, rpm: 0, pedalPct: 0, braking: false, steeringDeg: 0, coolantC: COLD_C };
}

const COLD_C = 20;
const WARM_C = 90;
/** A cold start warming up: most of the way to 90 degC in five minutes of the cycle. */
export function coolantAt(tMs: number): number {
	return WARM_C - (WARM_C - COLD_C) * Math.exp(-Math.max(0, tMs) / 100_000);
}

/** The car at `tMs` into the (repeating) cycle; the coolant warms over the whole drive. */
export function driveCycle(tMs: number): CarState {
	const t = ((tMs % CYCLE_MS) + CYCLE_MS) % CYCLE_MS;
	const phase = PHASES.find((p) => t < p.untilMs)!.phase;
	const idle = { speedKmh: 0, rpm: 800, pedalPct: 0, braking: false };
	let s: Omit<CarState, "phase" | "steeringDeg" | "coolantC">;
	switch (phase) {
		case "idle":
		case "stop":
			s = idle;
			break;
		case "launch": {
			const f = (t - 5_000) / 8_000;
			s = { speedKmh: 80 * f, rpm: 1500 + 4000 * ((f * 3) % 1), pedalPct: 80, braking: false };
			break;
		}
		case "cruise":
			s = { speedKmh: 80, rpm: 2200, pedalPct: 20, braking: false };
			break;
		case "braking": {
			const f = (t - 28_000) / 8_000;
			s = { speedKmh: 80 * (1 - f), rpm: Math.max(800, 2200 - 1400 * f * 1.5), pedalPct: 0, braking: true };
			break;
		}
	}
	return { phase, ...s, steeringDeg: phase === "cruise" ? 5 * Math.sin(t / 2000) : 0, coolantC: coolantAt(tMs) };
}

export function torqueByteFor(pedalPct: number): number {
	return Math.round(pedalPct * 1.6);
}

export interface Schedule {
	id: number;
	periodMs: number;
	/** Offset inside the period, so frames do not all leave at once. */
	phaseMs: number;
}

export const SCHEDULE: Schedule[] = [
	{ id: ID.MLW1, periodMs: 10, phaseMs: 0 },
	{ id: ID.BRAKES1, periodMs: 10, phaseMs: 1 },
	{ id: ID.MOTOR1, periodMs: 10, phaseMs: 2 },
	{ id: ID.MOTOR3, periodMs: 10, phaseMs: 3 },
	{ id: ID.BRAKES3, periodMs: 10, phaseMs: 4 },
	{ id: ID.MOTOR2, periodMs: 20, phaseMs: 5 },
	{ id: ID.BRAKES4, periodMs: 20, phaseMs: 6 },
	{ id: ID.BRAKES2, periodMs: 20, phaseMs: 7 },
	{ id: ID.MOTOR5, periodMs: 100, phaseMs: 8 },
];

/** Something that puts chassis frames on the bus as time passes. */
export interface ChassisSource {
	/** Frames due in (last poll, nowMs], in time order, each with its time. */
	poll(nowMs: number): { atMs: number; frame: CanFrame }[];
	/** The car's state now, when the source knows it (the drive cycle does, a replay does not). */
	state?(nowMs: number): CarState;
}

/** The drive cycle as chassis frames at the SCHEDULE's rates. */
export class DriveCycleCar implements ChassisSource {
	#lastMs: number;
	#mlwCounter = 0;
	#brakes4Counter = 0;
	readonly #startMs: number;
	readonly #cycle: (tMs: number) => CarState;

	constructor(startMs = 0, cycle: (tMs: number) => CarState = driveCycle) {
		this.#startMs = startMs;
		this.#lastMs = startMs - 1;
		this.#cycle = cycle;
	}

	state(nowMs: number): CarState {
		return this.#cycle(nowMs - this.#startMs);
	}

	poll(nowMs: number): { atMs: number; frame: CanFrame }[] {
		const out: { atMs: number; frame: CanFrame }[] = [];
		const from = this.#lastMs + 1;
		if (nowMs < from) return out;
		// Cap a long gap (a stalled event loop) at one second of frames.
		const start = Math.max(from, nowMs - 1000);
		for (let t = start; t <= nowMs; t++) {
			const rel = t - this.#startMs;
			for (const s of SCHEDULE) {
				if ((((rel - s.phaseMs) % s.periodMs) + s.periodMs) % s.periodMs !== 0) continue;
				out.push({ atMs: t, frame: { id: s.id, data: this.#encode(s.id, this.#cycle(rel)) } });
			}
		}
		this.#lastMs = nowMs;
		return out;
	}

	#encode(id: number, car: CarState): Uint8Array {
		switch (id) {
			case ID.MLW1:
				return encodeMlw1(car.steeringDeg, this.#mlwCounter++);
			case ID.BRAKES1:
				return encodeBrakes1(car.speedKmh, car.braking);
			case ID.MOTOR1:
				return encodeMotor1({ rpm: car.rpm, pedalPct: car.pedalPct, torqueByte: torqueByteFor(car.pedalPct) });
			case ID.MOTOR3:
				return encodeMotor3(car.pedalPct);
			case ID.BRAKES3:
				return encodeBrakes3(car.speedKmh);
			case ID.MOTOR2:
				return encodeMotor2(car.speedKmh, car.coolantC);
			case ID.BRAKES4:
				return encodeBrakes4(this.#brakes4Counter++, car.braking);
			case ID.BRAKES2:
				return encodeBrakes2();
			default:
				return encodeMotor5();
		}
	}
}
