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
 *
 * An MQB car (Gen5, ./mqb.ts) drives the same cycle on MQB_SCHEDULE, its
 * E2E frames with alive counters of their own and valid CRCs.
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
import { MQB, encodeEsp19, encodeEsp21, encodeMotor04, encodeMotor07, encodeMotor11, encodeMotor12, encodeMotor20, protect } from "./mqb";

/** The chassis bus the car has: PQ (Haldex Gen1/2/4) or MQB (Gen5). */
export type ChassisKind = "pq" | "mqb";

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

/** Frame periods (ms) of the MQB car: the frames the bridge decodes or rewrites, 670 frames/s. */
export const MQB_SCHEDULE: Schedule[] = [
	{ id: MQB.ESP_19, periodMs: 10, phaseMs: 0 },
	{ id: MQB.MOTOR_12, periodMs: 10, phaseMs: 1 },
	{ id: MQB.MOTOR_11, periodMs: 10, phaseMs: 2 },
	{ id: MQB.ESP_21, periodMs: 20, phaseMs: 3 },
	{ id: MQB.MOTOR_20, periodMs: 20, phaseMs: 4 },
	{ id: MQB.ESP_14, periodMs: 20, phaseMs: 5 },
	{ id: MQB.ESP_10, periodMs: 20, phaseMs: 6 },
	{ id: MQB.ESP_05, periodMs: 20, phaseMs: 7 },
	{ id: MQB.MOTOR_04, periodMs: 20, phaseMs: 8 },
	{ id: MQB.MOTOR_14, periodMs: 100, phaseMs: 9 },
	{ id: MQB.ESP_07, periodMs: 100, phaseMs: 11 },
	{ id: MQB.ESP_23, periodMs: 100, phaseMs: 13 },
	{ id: MQB.MOTOR_CODE_01, periodMs: 100, phaseMs: 15 },
	{ id: MQB.ESP_20, periodMs: 100, phaseMs: 17 },
	{ id: MQB.MOTOR_07, periodMs: 100, phaseMs: 19 },
	{ id: MQB.KOMBI_01, periodMs: 100, phaseMs: 21 },
];

/** Boost pressure, kPa absolute: atmospheric at idle, rising with the pedal. */
export function boostKpaFor(car: CarState): number {
	return car.rpm > 0 ? 100 + car.pedalPct : 101;
}

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
	readonly #alive = new Map<number, number>();
	readonly #startMs: number;
	readonly #cycle: (tMs: number) => CarState;
	readonly #schedule: Schedule[];
	readonly kind: ChassisKind;

	constructor(startMs = 0, cycle: (tMs: number) => CarState = driveCycle, kind: ChassisKind = "pq") {
		this.#startMs = startMs;
		this.#lastMs = startMs - 1;
		this.#cycle = cycle;
		this.kind = kind;
		this.#schedule = kind === "mqb" ? MQB_SCHEDULE : SCHEDULE;
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
			for (const s of this.#schedule) {
				if ((((rel - s.phaseMs) % s.periodMs) + s.periodMs) % s.periodMs !== 0) continue;
				const car = this.#cycle(rel);
				out.push({ atMs: t, frame: { id: s.id, data: this.kind === "mqb" ? this.#encodeMqb(s.id, car) : this.#encode(s.id, car) } });
			}
		}
		this.#lastMs = nowMs;
		return out;
	}

	#encodeMqb(id: number, car: CarState): Uint8Array {
		let d: Uint8Array;
		switch (id) {
			case MQB.ESP_19:
				return encodeEsp19(car.speedKmh);
			case MQB.ESP_21:
				d = encodeEsp21(car.speedKmh);
				break;
			case MQB.MOTOR_12:
				d = encodeMotor12(car.rpm);
				break;
			case MQB.MOTOR_11:
				d = encodeMotor11(torqueByteFor(car.pedalPct));
				break;
			case MQB.MOTOR_20:
				d = encodeMotor20(car.pedalPct);
				break;
			case MQB.MOTOR_04:
				return encodeMotor04(boostKpaFor(car));
			case MQB.MOTOR_07:
				return encodeMotor07(car.coolantC);
			case MQB.KOMBI_01:
				return new Uint8Array([0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x20]);
			default:
				d = new Uint8Array([0, 0x30, car.braking ? 0x10 : 0, 0, 0, 0, 0, 0]);
				break;
		}
		const n = this.#alive.get(id) ?? 0;
		this.#alive.set(id, (n + 1) & 0x0f);
		return protect(id, d, n);
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
