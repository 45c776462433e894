/*
 * The C core's snapshot and counters (ohx_bridge.h, as both bindings return
 * them) mapped to the CanBridge port's shapes. One mapping for the Node
 * adapter (host/adapters/can-bridge-node.ts) and the xsmc adapter (can/can).
 */

import { noVehicle, type BridgeCounters, type BridgeMode, type VehicleState } from "ports/can";
import { frozen } from "util/frozen";

/** ohx_mode_t numbers. */
export const NATIVE_MODE: Record<"STOCK" | BridgeMode, number> = frozen({ STOCK: 0, FWD: 1, "5050": 2, "6040": 3, "7525": 4, CUSTOM: 5 });
/** ohx_state_t numbers. */
export const NATIVE_STATE = frozen({ STOCK: 0, ACTIVE: 1, FALLBACK: 2, HELD: 3 } as const);

export interface NativeSnapshotShape {
	speedKmh: number;
	speedAgeMs: number | null;
	rpm: number;
	pedalPct: number;
	engineAgeMs: number | null;
	coolantC: number;
	coolantAgeMs: number | null;
	boostKpa: number;
	boostAgeMs: number | null;
	haldexEngagementPct: number;
	haldexState: number;
	haldexAgeMs: number | null;
}

export interface NativeCountersShape {
	frames: [number, number];
	rewritten: number;
	dropped: [number, number];
	errors: number;
	busOffRecoveries: [number, number];
	watchdogFallbacks: number;
	e2eMismatch: number;
}

/** The same fields written into `into` (reused across calls: the control loop allocates nothing). */
export function vehicleIntoFrom(into: VehicleState, s: NativeSnapshotShape): VehicleState {
	into.speedKmh = s.speedKmh;
	into.rpm = s.rpm;
	into.pedalPct = s.pedalPct;
	into.haldexEngagementPct = s.haldexEngagementPct;
	into.haldexState = s.haldexState;
	into.speedAgeMs = s.speedAgeMs === null ? -1 : s.speedAgeMs;
	into.engineAgeMs = s.engineAgeMs === null ? -1 : s.engineAgeMs;
	into.haldexAgeMs = s.haldexAgeMs === null ? -1 : s.haldexAgeMs;
	into.coolantC = s.coolantC;
	into.coolantAgeMs = s.coolantAgeMs === null ? -1 : s.coolantAgeMs;
	into.boostKpa = s.boostKpa;
	into.boostAgeMs = s.boostAgeMs === null ? -1 : s.boostAgeMs;
	return into;
}

/** The same fields in a new object. */
export function vehicleFromNative(s: NativeSnapshotShape): VehicleState {
	return vehicleIntoFrom(noVehicle(), s);
}

/** The port's counters from the core's; written into `into` when given (refilled poll after poll). */
export function countersFromNative(c: NativeCountersShape, into?: BridgeCounters): BridgeCounters {
	const o = into ?? ({} as BridgeCounters);
	o.chassisToHaldex = c.frames[0];
	o.haldexToChassis = c.frames[1];
	o.rewritten = c.rewritten;
	o.dropped = c.dropped[0] + c.dropped[1];
	o.errors = c.errors;
	o.busOffRecoveries = c.busOffRecoveries[0] + c.busOffRecoveries[1];
	o.watchdogFallbacks = c.watchdogFallbacks;
	o.e2eMismatch = c.e2eMismatch;
	return o;
}

/** The native target for a port request: null = STOCK, else the preset and a whole percent. */
/** The whole percent the core takes (0..100). */
export function nativePercent(lockPct: number): number {
	return Math.max(0, Math.min(100, Math.round(lockPct)));
}

export function nativeTarget(lockPct: number | null, mode: BridgeMode): { mode: number; percent: number } {
	if (lockPct === null) return { mode: NATIVE_MODE.STOCK, percent: 0 };
	return { mode: NATIVE_MODE[mode], percent: nativePercent(lockPct) };
}
