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
