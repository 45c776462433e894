/*
 * The CanBridge port over the Node binding of the C core
 * (build/Release/ohx_can.node, modules/can/bindings/node): the simulator
 * and host tests drive the very same bridge, rewrite and watchdog as the
 * board. The adapter adds what a port does on the board: it carries frames
 * (forward()), keeps the time (its own monotonic clock, so the firmware's
 * simulated reboots do not reset it), and tracks bus silence.
 *
 * Build the binding with `npx node-gyp rebuild` (or `make -C host-tests/c
 * node-binding`).
 */

import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BridgeCounters, BridgeMode, BusHealth, CanBridge, CanCapture, CanCaptureStats, HaldexGeneration, VehicleState } from "ports/can";
import { countersFromNative, nativeTarget, vehicleFromNative } from "can/native-shapes";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BINDING_PATH = path.join(ROOT, "build/Release/ohx_can.node");

export const BUS_CHASSIS = 0;
export const BUS_HALDEX = 1;
export type Bus = typeof BUS_CHASSIS | typeof BUS_HALDEX;

interface NativeFrame {
	id: number;
	data: Uint8Array;
	dlc?: number;
	ext?: boolean;
	rtr?: boolean;
}
interface NativeSnapshot {
	speedKmh: number;
	speedSource: number;
	speedAgeMs: number | null;
	rpm: number;
	pedalPct: number;
	engineAgeMs: number | null;
	coolantC: number;
	coolantAgeMs: number | null;
	boostKpa: number;
	boostAgeMs: number | null;
	haldexEngagementPct: number;
	haldexEngagementRaw: number;
	haldexState: number;
	haldexAgeMs: number | null;
	state: number;
	mode: number;
	targetPct: number;
	generation: number;
	targetAgeMs: number | null;
	watchdogMs: number;
}
interface NativeCounters {
	frames: [number, number];
	rewritten: number;
	shortFrames: number;
	dropped: [number, number];
	errors: number;
	busOff: [number, number];
	busOffRecoveries: [number, number];
	deadBus: [number, number];
	watchdogFallbacks: number;
	e2eMismatch: number;
}
export interface NativeBridge {
	setTarget(mode: number, percent: number, nowMs: number): void;
	setGeneration(generation: number): void;
	setWatchdogMs(ms: number): void;
	holdPassthrough(hold: boolean): void;
	onFrame(bus: number, frame: NativeFrame, nowMs: number): { verdict: number; rewritten: boolean; frame: NativeFrame & { dlc: number } };
	noteEvent(bus: number, event: number): void;
	state(nowMs: number): number;
	snapshot(nowMs: number): NativeSnapshot;
	counters(): NativeCounters;
	resetCounters(): void;
	captureConfigure(enabled: boolean, filter?: Uint8Array): void;
	captureRead(bus: number, into: Uint8Array): number;
	captureStats(): CanCaptureStats;
}
export interface OhxCanBinding {
	create(options?: { generation?: number; watchdogMs?: number }): NativeBridge;
	selfTest(): boolean;
	lockScale(full: number, percent: number, invert?: boolean): number;
	/** The core's CRC-8H2F of the bytes. */
	crc8h2f(bytes: Uint8Array): number;
	/** The core's Gen5 E2E CRC of an 8-byte frame with the DataIDs it uses for `id`; null: not an E2E frame it rewrites. */
	gen5E2eCrc(id: number, frame: Uint8Array): number | null;
	MODE: Record<"STOCK" | "FWD" | "5050" | "6040" | "7525" | "CUSTOM", number>;
	STATE: Record<"STOCK" | "ACTIVE" | "FALLBACK" | "HELD", number>;
	EVENT: Record<"TX_DROPPED" | "BUS_OFF_RECOVERED" | "BUS_OFF" | "DEAD_BUS", number>;
}

let cached: OhxCanBinding | undefined;

/** True when the native binding has been built. */
export function bindingAvailable(): boolean {
	return fs.existsSync(BINDING_PATH);
}

/** Load build/Release/ohx_can.node; throws with the build command when it is missing. */
export function loadOhxCan(): OhxCanBinding {
	if (cached) return cached;
	if (!bindingAvailable()) throw new Error(`The CAN core's Node binding is not built (${BINDING_PATH}); run \`npx node-gyp rebuild\` in the project root.`);
	cached = createRequire(import.meta.url)(BINDING_PATH) as OhxCanBinding;
	return cached;
}

export interface NodeCanBridgeOptions {
	generation?: HaldexGeneration;
	watchdogMs?: number;
	/** A bus with no frame for this long is reported silent (default 1000 ms). */
	deadBusMs?: number;
	/** Monotonic ms; default: performance.now() since construction. */
	now?: () => number;
}

export interface ForwardResult {
	/** What goes out on the other bus. */
	frame: { id: number; data: Uint8Array };
	rewritten: boolean;
}

export class NodeCanBridge implements CanBridge {
	readonly native: NativeBridge;
	readonly binding: OhxCanBinding;
	readonly now: () => number;
	/** The core's capture ring, filled by forward() as a port's receive path fills it. */
	readonly capture: CanCapture;
	/**
	 * Where capture.transmit() puts a frame: the simulator's car link sets it
	 * to deliver to the simulated car or Haldex. Unset: transmit throws, as a
	 * port with no room does.
	 */
	onTransmit?: (bus: Bus, frame: { id: number; data: Uint8Array; ext: boolean }) => void;
	readonly #deadBusMs: number;
	#generation: HaldexGeneration;
	#lastRx: [number, number] = [-1, -1];

	constructor(options: NodeCanBridgeOptions = {}) {
		this.binding = loadOhxCan();
		this.#generation = options.generation ?? 4;
		this.native = this.binding.create({ generation: this.#generation, watchdogMs: options.watchdogMs ?? 500 });
		this.#deadBusMs = options.deadBusMs ?? 1000;
		const t0 = performance.now();
		this.now = options.now ?? (() => Math.floor(performance.now() - t0));
		const native = this.native;
		this.capture = {
			configure: (enabled, filter) => native.captureConfigure(enabled, filter),
			read: (bus, into) => native.captureRead(bus, into),
			stats: () => native.captureStats(),
			transmit: (bus, id, ext, data, dlc) => {
				if (!this.onTransmit) throw new RangeError("OHX_ERR_INVALID_STATE");
				if (bus !== 0 && bus !== 1) throw new RangeError("OHX_ERR_INVALID_BUS");
				if (id < 0 || id > (ext ? 0x1fffffff : 0x7ff) || dlc < 0 || dlc > 8) throw new RangeError("OHX_ERR_INVALID_FRAME");
				this.onTransmit(bus, { id, data: data.slice(0, dlc), ext });
			},
		};
	}

	/** Bridge one received frame at `nowMs` (default now()). */
	forward(bus: Bus, frame: { id: number; data: Uint8Array }, nowMs = this.now()): ForwardResult {
		this.#lastRx[bus] = nowMs;
		const r = this.native.onFrame(bus, { id: frame.id, data: frame.data }, nowMs);
		return { frame: { id: r.frame.id, data: r.frame.data }, rewritten: r.rewritten };
	}

	setTarget(generation: HaldexGeneration, lockPct: number | null, mode: BridgeMode = "CUSTOM"): void {
		if (generation !== this.#generation) {
			this.native.setGeneration(generation);
			this.#generation = generation;
		}
		const t = nativeTarget(lockPct, mode);
		this.native.setTarget(t.mode, t.percent, this.now());
	}

	/** The core's own pass-through hold (ohx_bridge_hold_passthrough). */
	holdPassthrough(hold: boolean): void {
		this.native.holdPassthrough(hold);
	}

	/** "STOCK" | "ACTIVE" | "FALLBACK" | "HELD" at now. */
	state(): string {
		const s = this.native.state(this.now());
		return Object.keys(this.binding.STATE).find((k) => this.binding.STATE[k as keyof OhxCanBinding["STATE"]] === s) ?? String(s);
	}

	rewriting(): boolean {
		return this.native.state(this.now()) === this.binding.STATE.ACTIVE;
	}

	vehicle(): VehicleState {
		return vehicleFromNative(this.native.snapshot(this.now()));
	}

	snapshot(): NativeSnapshot {
		return this.native.snapshot(this.now());
	}

	counters(): BridgeCounters {
		return countersFromNative(this.native.counters());
	}

	health(): { chassis: BusHealth; haldex: BusHealth } {
		const now = this.now();
		const bus = (b: Bus): BusHealth => ({
			started: true,
			busOff: false,
			silent: this.#lastRx[b] < 0 || now - this.#lastRx[b] > this.#deadBusMs,
		});
		return { chassis: bus(BUS_CHASSIS), haldex: bus(BUS_HALDEX) };
	}

	selfTest(): boolean {
		return this.binding.selfTest();
	}
}
