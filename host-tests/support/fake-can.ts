/*
 * A recording CanBridge for firmware tests (portable: runs inside XS too).
 * It keeps the last target and mimics the C core's watchdog against a
 * clock, so tests can assert what the controller asked and when.
 */

import {
	noCounters,
	noVehicle,
	type BridgeCounters,
	type BridgeMode,
	type BusHealth,
	type CanBridge,
	type HaldexGeneration,
	type VehicleState,
} from "ports/can";
import type { Clock } from "ports/clock";

export interface TargetCall {
	atMs: number;
	generation: HaldexGeneration;
	lockPct: number | null;
	mode: BridgeMode | undefined;
}

export class RecordingCanBridge implements CanBridge {
	readonly calls: TargetCall[] = [];
	readonly clock: Clock;
	watchdogMs = 500;
	selfTestResult = true;
	inputs: VehicleState = noVehicle();
	busHealth: { chassis: BusHealth; haldex: BusHealth } = {
		chassis: { started: true, busOff: false, silent: false },
		haldex: { started: true, busOff: false, silent: false },
	};
	counts: BridgeCounters = noCounters();

	constructor(clock: Clock) {
		this.clock = clock;
	}

	/** The core's own pass-through hold, as the update service sets it. */
	held = false;
	readonly holds: boolean[] = [];
	holdPassthrough(hold: boolean): void {
		this.held = hold;
		this.holds.push(hold);
	}

	setTarget(generation: HaldexGeneration, lockPct: number | null, mode?: BridgeMode): void {
		if (lockPct !== null && (!Number.isInteger(lockPct) || lockPct < 0 || lockPct > 100))
			throw new RangeError(`lockPct ${lockPct} is not a whole percent 0..100`);
		this.calls.push({ atMs: this.clock.monotonicMs(), generation, lockPct, mode });
	}

	get last(): TargetCall | undefined {
		return this.calls[this.calls.length - 1];
	}

	/** Like the core: rewriting while the last target is not pass-through and fresher than the watchdog. */
	rewriting(): boolean {
		const last = this.last;
		return !!last && last.lockPct !== null && this.clock.monotonicMs() - last.atMs <= this.watchdogMs;
	}

	vehicle(): VehicleState {
		return { ...this.inputs };
	}

	counters(): BridgeCounters {
		return { ...this.counts };
	}

	health(): { chassis: BusHealth; haldex: BusHealth } {
		return { chassis: { ...this.busHealth.chassis }, haldex: { ...this.busHealth.haldex } };
	}

	selfTest(): boolean {
		return this.selfTestResult;
	}
}
