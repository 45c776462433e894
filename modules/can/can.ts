/*
 * The CanBridge port on the board and in mcsim, over the xsmc binding
 * (bindings/xs/can-native.js). Constructing it starts the native port:
 * the TWAI ISR path on the board, the UDP thread in mcsim. From then on
 * frames flow in C whatever JS does; JS only refreshes the target.
 */

import CANNative from "can/native";
import type { BridgeMode, BusHealth, CanBridge, HaldexGeneration } from "ports/can";
import { NATIVE_STATE, countersFromNative, nativeTarget, vehicleFromNative } from "can/native-shapes";

const BUS_RUNNING = 1, BUS_OFF = 2;

export class NativeCanBridge implements CanBridge {
	readonly #native: CANNative;
	#generation: HaldexGeneration;

	/** Starts the bridge in STOCK (pass-through). */
	constructor(options: { generation?: HaldexGeneration; watchdogMs?: number } = {}) {
		this.#generation = options.generation ?? 4;
		this.#native = new CANNative({ generation: this.#generation, watchdogMs: options.watchdogMs ?? 500 });
	}

	setTarget(generation: HaldexGeneration, lockPct: number | null, mode: BridgeMode = "CUSTOM"): void {
		if (generation !== this.#generation) {
			this.#native.setGeneration(generation);
			this.#generation = generation;
		}
		const t = nativeTarget(lockPct, mode);
		this.#native.setTarget(t.mode as 0, t.percent);
	}

	/** The core's own pass-through hold, beside the controller's STOCK. */
	holdPassthrough(hold: boolean): void {
		this.#native.holdPassthrough(hold);
	}

	rewriting(): boolean {
		return this.#native.state() === NATIVE_STATE.ACTIVE;
	}

	vehicle() {
		return vehicleFromNative(this.#native.snapshot());
	}

	counters() {
		return countersFromNative(this.#native.counters());
	}

	health(): { chassis: BusHealth; haldex: BusHealth } {
		const bus = (b: 0 | 1): BusHealth => {
			const s = this.#native.busStatus(b);
			return { started: s.state === BUS_RUNNING || s.state === BUS_OFF, busOff: s.state === BUS_OFF, silent: s.dead };
		};
		return { chassis: bus(0), haldex: bus(1) };
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
	}
	catch (e) {
		log(`CAN bridge did not start: ${e instanceof Error ? e.message : String(e)}`);
		return new StoppedBridge();
	}
}

const NEVER = -1;

/** A bridge whose port did not start: nothing flows, and it says so. */
export class StoppedBridge implements CanBridge {
	setTarget(): void { /* no port: nothing to rewrite */ }
	rewriting(): boolean { return false; }
	vehicle() {
		return { speedKmh: 0, rpm: 0, pedalPct: 0, haldexEngagementPct: 0, haldexState: 0, speedAgeMs: NEVER, engineAgeMs: NEVER, haldexAgeMs: NEVER };
	}
	counters() {
		return { chassisToHaldex: 0, haldexToChassis: 0, rewritten: 0, dropped: 0, errors: 0, busOffRecoveries: 0, watchdogFallbacks: 0 };
	}
	health(): { chassis: BusHealth; haldex: BusHealth } {
		const down: BusHealth = { started: false, busOff: false, silent: true };
		return { chassis: down, haldex: down };
	}
	selfTest(): boolean {
		return CANNative.selfTest();
	}
}
