/*
 * The lock decision: mode + settings + the latest inputs -> lock %, then the
 * release ramp. Pure (the ramp keeps only its last value and time), so every
 * gate and boundary is pinned in tests without a bridge.
 *
 * Gates, as OpenHaldex-S3 applies them:
 * - Presets 5050/6040/7525/8020/9010 ask for no lock while the pedal is below
 *   `disableThrottle` % or the speed is above `disableSpeed` km/h (0 turns
 *   either gate off). FWD always asks for 0 %.
 * - SPEED, THROTTLE, MAP and RPM ask for no lock below their
 *   `disengageUnderSpeed` km/h (0 = off), except at full pedal (>= 99 %), a
 *   launch. The presets' gates do not apply to them.
 */

import type { HaldexMode } from "haldex/modes";
import { FWD, MAP, P5050, P6040, P7525, P8020, P9010, PRESET_LOCK, RPM, SPEED, STOCK, THROTTLE } from "haldex/modes";
import { frozen } from "util/frozen";
import { interpolateCurve, interpolateMap, type CurvePoint, type LockMap } from "haldex/curve";

export interface TargetSettings {
	disableThrottle: number;
	disableSpeed: number;
	disengageUnderSpeed: { map: number; speed: number; throttle: number; rpm: number };
	speedCurve: readonly CurvePoint[];
	throttleCurve: readonly CurvePoint[];
	rpmCurve: readonly CurvePoint[];
	map: LockMap;
}

export interface TargetInputs {
	speedKmh: number;
	pedalPct: number;
	/** Engine speed, 1/min. */
	rpm: number;
}

/** Each gate's range (and the release rate's), inclusive: the board refuses others, the web app checks them as the owner types. */
export const SETTINGS_LIMITS = frozen({
	disableThrottle: [0, 100],
	disableSpeed: [0, 300],
	lockReleaseRatePctPerSec: [0, 1000],
	disengageUnderSpeed: [0, 300],
} as const);

/** Pedal at or above this overrides the dynamic modes' under-speed gate. */
export const LAUNCH_PEDAL_PCT = 99;

/** True when a preset's pedal and speed gates allow lock. @hot */
export function presetGateOpen(s: TargetSettings, inputs: TargetInputs): boolean {
	const pedalOk = s.disableThrottle === 0 || inputs.pedalPct >= s.disableThrottle;
	const speedOk = s.disableSpeed === 0 || inputs.speedKmh <= s.disableSpeed;
	return pedalOk && speedOk;
}

/** True when a dynamic mode's under-speed gate allows lock. @hot */
export function dynamicGateOpen(limitKmh: number, inputs: TargetInputs): boolean {
	return limitKmh === 0 || inputs.pedalPct >= LAUNCH_PEDAL_PCT || inputs.speedKmh >= limitKmh;
}

function clampPct(v: number): number {
	return v < 0 ? 0 : Math.min(v, 100);
}

/**
 * Lock the mode asks for before the ramp, 0..100; null for STOCK (no
 * rewrite at all). The cases are module constants, not literals (each
 * literal would be a new string 50 times a second on the board). @hot
 */
export function rawTarget(mode: HaldexMode, s: TargetSettings, inputs: TargetInputs): number | null {
	const pedal = clampPct(inputs.pedalPct);
	const speed = Math.max(inputs.speedKmh, 0);
	switch (mode) {
		case STOCK:
			return null;
		case FWD:
			return 0;
		case P5050:
		case P6040:
		case P7525:
		case P8020:
		case P9010:
			return presetGateOpen(s, inputs) ? PRESET_LOCK[mode] : 0;
		case SPEED:
			return dynamicGateOpen(s.disengageUnderSpeed.speed, inputs) ? clampPct(interpolateCurve(s.speedCurve, speed)) : 0;
		case THROTTLE:
			return dynamicGateOpen(s.disengageUnderSpeed.throttle, inputs) ? clampPct(interpolateCurve(s.throttleCurve, pedal)) : 0;
		case MAP:
			return dynamicGateOpen(s.disengageUnderSpeed.map, inputs) ? clampPct(interpolateMap(s.map, pedal, speed)) : 0;
		case RPM:
			return dynamicGateOpen(s.disengageUnderSpeed.rpm, inputs) ? clampPct(interpolateCurve(s.rpmCurve, Math.max(inputs.rpm, 0))) : 0;
	}
}

/**
 * Release ramp: a rising request applies at once; a falling one drops by at
 * most `ratePctPerSec` x elapsed time (at least 0.1 % per step, so it always
 * arrives). Rate 0 releases at once. A gap over RESYNC_MS (start-up, a
 * stalled loop) jumps straight to the request rather than replaying a stale
 * ramp.
 */
export class ReleaseRamp {
	static readonly RESYNC_MS = 5000;
	static readonly MIN_STEP_PCT = 0.1;
	#value: number | undefined;
	#atMs = 0;

	get value(): number | undefined {
		return this.#value;
	}

	reset(): void {
		this.#value = undefined;
	}

	step(request: number, nowMs: number, ratePctPerSec: number): number {
		const target = clampPct(request);
		const dt = nowMs - this.#atMs;
		this.#atMs = nowMs;
		if (this.#value === undefined || dt > ReleaseRamp.RESYNC_MS || dt < 0 || target >= this.#value || ratePctPerSec <= 0) {
			this.#value = target;
			return target;
		}
		const step = Math.max((ratePctPerSec * dt) / 1000, ReleaseRamp.MIN_STEP_PCT);
		this.#value = Math.max(this.#value - step, target);
		return this.#value;
	}
}
