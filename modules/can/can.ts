/*
 * The CanBridge port on the board and in mcsim, over the xsmc binding
 * (bindings/xs/can-native.js). Constructing it starts the native port:
 * the TWAI ISR path on the board, the UDP thread in mcsim. From then on
 * frames flow in C whatever JS does; JS only refreshes the target.
 */

import CANNative, { type CanBusStatus } from "can/native";
import type { BridgeCounters, BridgeMode, BusHealth, CanBridge, CanCapture, CanCaptureStats, HaldexGeneration } from "ports/can";
import {
	NATIVE_MODE,
	NATIVE_STATE,
	countersFromNative,
	nativePercent,
	vehicleIntoFrom,
	type NativeCountersShape,
	type NativeSnapshotShape,
} from "can/native-shapes";
import { noCounters, noVehicle, type VehicleState } from "ports/can";

const BUS_RUNNING = 1,
	BUS_OFF = 2;
// A default parameter is evaluated on every call that omits it: a literal there would be a new
// string in the chunk heap 50 times a second in STOCK (docs/preload-hazards.md).
const CUSTOM = "CUSTOM";

export class NativeCanBridge implements CanBridge {
	readonly #native: CANNative;
	#generation: HaldexGeneration;
	// Refilled on every vehicle() call: the controller reads it 50 times a second.
	readonly #snapshot = {} as NativeSnapshotShape;
	readonly #vehicle: VehicleState = noVehicle();
	// Refilled by counters() and health(): every status poll, every housekeeping second and,
	// on the board, every LED signal sample (five a second) read them.
	readonly #nativeCounters = {} as NativeCountersShape;
	readonly #counters = {} as BridgeCounters;
	readonly #busStatus = [{} as CanBusStatus, {} as CanBusStatus];
	readonly #health = { chassis: { started: false, busOff: false, silent: true }, haldex: { started: false, busOff: false, silent: true } };

	readonly capture: CanCapture;

	/** Starts the bridge in STOCK (pass-through). */
	constructor(options: { generation?: HaldexGeneration; watchdogMs?: number } = {}) {
		this.#generation = options.generation ?? 4;
		const native = new CANNative({ generation: this.#generation, watchdogMs: options.watchdogMs ?? 500 });
		this.#native = native;
		// Refilled by every stats() call: the CAN view reads it on every drain.
		const stats = { captured: [0, 0], dropped: [0, 0], pending: [0, 0], enabled: false } as CanCaptureStats;
		this.capture = {
			configure: (enabled, filter) => native.captureConfigure(enabled, filter),
			read: (bus, into) => native.captureRead(bus, into),
			stats: () => native.captureStats(stats as never) as unknown as CanCaptureStats,
			transmit: (bus, id, ext, data, dlc) => native.transmit(bus, id, ext, data, dlc),
		};
	}

	/** 50 times a second. @hot */
	setTarget(generation: HaldexGeneration, lockPct: number | null, mode: BridgeMode = CUSTOM): void {
		if (generation !== this.#generation) {
			this.#native.setGeneration(generation);
			this.#generation = generation;
		}
		// Called 50 times a second: no { mode, percent } object (nativeTarget) on this path.
		if (lockPct === null) this.#native.setTarget(NATIVE_MODE.STOCK as 0, 0);
		else this.#native.setTarget(NATIVE_MODE[mode] as 0, nativePercent(lockPct));
	}

	/** The core's own pass-through hold, beside the controller's STOCK. */
	holdPassthrough(hold: boolean): void {
		this.#native.holdPassthrough(hold);
	}

	rewriting(): boolean {
		return this.#native.state() === NATIVE_STATE.ACTIVE;
	}

	/** The latest inputs, in an object reused by every call (read it, don't keep it). @hot */
	vehicle() {
		return vehicleIntoFrom(this.#vehicle, this.#native.snapshot(this.#snapshot as never) as unknown as NativeSnapshotShape);
	}

	/** The counters, in an object reused by every call (read it, don't keep it). */
	counters(): BridgeCounters {
		return countersFromNative(this.#native.counters(this.#nativeCounters as never) as unknown as NativeCountersShape, this.#counters);
	}

	/** Both buses' health, in objects reused by every call (read them, don't keep them). */
	health(): { chassis: BusHealth; haldex: BusHealth } {
		healthInto(this.#health.chassis, this.#native.busStatus(0, this.#busStatus[0]));
		healthInto(this.#health.haldex, this.#native.busStatus(1, this.#busStatus[1]));
		return this.#health;
	}

	selfTest(): boolean {
		return CANNative.selfTest();
	}
}

/**
 * Start the native bridge; when the port cannot start (a TWAI driver that
 * fails to install, a UDP port in use in mcsim), the firmware still comes
 * up in a state that says so: the health check reports both nodes not
 * started (so a new image on trial rolls back), the status shows it, and
 * the web app stays reachable to diagnose it. A throw here would stop the
 * whole firmware at boot, on every boot.
 */
export function startBridge(log: (line: string) => void, options?: { generation?: HaldexGeneration; watchdogMs?: number }): CanBridge {
	try {
		return new NativeCanBridge(options);
	} catch (e) {
		log(`CAN bridge did not start: ${e instanceof Error ? e.message : String(e)}`);
		return new StoppedBridge();
	}
}

function healthInto(into: BusHealth, s: CanBusStatus): void {
	into.started = s.state === BUS_RUNNING || s.state === BUS_OFF;
	into.busOff = s.state === BUS_OFF;
	into.silent = s.dead;
}

/** A bridge whose port did not start: nothing flows, and it says so. */
export class StoppedBridge implements CanBridge {
	setTarget(): void {
		/* no port: nothing to rewrite */
	}
	rewriting(): boolean {
		return false;
	}
	vehicle() {
		return noVehicle();
	}
	counters() {
		return noCounters();
	}
	health(): { chassis: BusHealth; haldex: BusHealth } {
		const down: BusHealth = { started: false, busOff: false, silent: true };
		return { chassis: down, haldex: down };
	}
	selfTest(): boolean {
		return CANNative.selfTest();
	}
}
