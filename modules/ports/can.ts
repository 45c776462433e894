/*
 * CAN bridge port: what JS may ask of the native bridge. The bridge itself
 * (forwarding, rewrite, fail-safe watchdog) runs in C and never waits for
 * JS; JS only refreshes the lock target and reads telemetry and counters.
 */

/** PQ Gen1, Gen2, Gen4 and MQB Gen5 (docs/haldex.md). */
export type HaldexGeneration = 1 | 2 | 4 | 5;

/**
 * The preset the lock comes from, as the C core needs it: Gen1's MOTOR1
 * byte 6 is shaped per preset; every other rewrite uses only the percent.
 * Curves and the map are "CUSTOM".
 */
export type BridgeMode = "FWD" | "5050" | "6040" | "7525" | "CUSTOM";

/** Latest values decoded from both buses. Ages are ms since last update, -1 = never. */
export interface VehicleState {
	speedKmh: number;
	rpm: number;
	pedalPct: number;
	haldexEngagementPct: number;
	/** The Haldex state byte: PQ 0x2C0 byte 0 (bit0 clutch 1, bit1 temp protection, bit2 clutch 2, bit3 open,
	 * bit6 speed limit); MQB 0x118 byte 3, whose bits are not known. */
	haldexState: number;
	speedAgeMs: number;
	engineAgeMs: number;
	haldexAgeMs: number;
	/** Engine coolant, degC (PQ: MOTOR2 byte 1, MQB: MOTOR_07 byte 3, x 0.75 - 48); meaningful only while coolantAgeMs >= 0. */
	coolantC: number;
	coolantAgeMs: number;
	/** Boost pressure, kPa absolute (MQB MOTOR_04 MO_Ladedruck); PQ cars carry none (boostAgeMs -1). */
	boostKpa: number;
	boostAgeMs: number;
}

/** What is known before any frame was seen: zeros, and every age "never". A new object each call. */
export function noVehicle(): VehicleState {
	return {
		speedKmh: 0,
		rpm: 0,
		pedalPct: 0,
		haldexEngagementPct: 0,
		haldexState: 0,
		speedAgeMs: -1,
		engineAgeMs: -1,
		haldexAgeMs: -1,
		coolantC: 0,
		coolantAgeMs: -1,
		boostKpa: 0,
		boostAgeMs: -1,
	};
}

/** Every counter at zero. A new object each call. */
export function noCounters(): BridgeCounters {
	return { chassisToHaldex: 0, haldexToChassis: 0, rewritten: 0, dropped: 0, errors: 0, busOffRecoveries: 0, watchdogFallbacks: 0, e2eMismatch: 0 };
}

export interface BusHealth {
	started: boolean;
	busOff: boolean;
	/** No frame received for longer than the dead-bus threshold. */
	silent: boolean;
}

export interface BridgeCounters {
	chassisToHaldex: number;
	haldexToChassis: number;
	rewritten: number;
	dropped: number;
	errors: number;
	busOffRecoveries: number;
	watchdogFallbacks: number;
	/** Gen5 frames passed untouched because the car's E2E CRC did not verify with the bridge's DataID. */
	e2eMismatch: number;
}

/** The capture ring's counts (modules/can/core/ohx_capture.h), by source bus [chassis, haldex]. */
export interface CanCaptureStats {
	captured: [number, number];
	/** Kept by the filter, but the ring was full: the reader was too slow. The bridge forwarded them all the same. */
	dropped: [number, number];
	pending: [number, number];
	enabled: boolean;
}

/**
 * The C core's capture ring: a copy of every frame the bridge handled, for
 * the CAN page, candump downloads and GVRET. Reading it never slows the
 * bridge; a reader that falls behind loses capture entries, counted.
 */
export interface CanCapture {
	/** Enable or disable; `filter` is ohx_capture_filter_t's 258 bytes (absent: every frame). Empties the rings. */
	configure(enabled: boolean, filter?: Uint8Array): void;
	/** Moves up to into.length / 28 entries of `bus` (ohx_capture_entry_t layout) into `into`; returns how many. */
	read(bus: 0 | 1, into: Uint8Array): number;
	/** The counts. The board reuses one object for every call: read it now, don't keep it. */
	stats(): CanCaptureStats;
	/**
	 * Queue one frame onto `bus` from task context, outside the bridge
	 * (GVRET sending, once the owner allowed it). Throws when the port has
	 * no room now. Absent where the port cannot send.
	 */
	transmit?(bus: 0 | 1, id: number, ext: boolean, data: Uint8Array, dlc: number): void;
}

export interface CanBridge {
	/**
	 * Set what the bridge does with chassis frames. `lockPct` null means pure
	 * pass-through (STOCK). Must be called more often than the bridge's
	 * watchdog period, or the bridge falls back to pass-through by itself.
	 * `lockPct` is 0..100 (the core takes whole percent: adapters round);
	 * `mode` defaults to "CUSTOM".
	 */
	setTarget(generation: HaldexGeneration, lockPct: number | null, mode?: BridgeMode): void;
	/** True while the C core is rewriting (not in STOCK and not fallen back). */
	rewriting(): boolean;
	/** The latest decoded inputs. The board reuses one object for every call: read it now, don't keep it. */
	vehicle(): VehicleState;
	/** The core's counters. The board reuses one object for every call: read it now, don't keep it. */
	counters(): BridgeCounters;
	/** Both buses' health. The board reuses its objects for every call: read them now, don't keep them. */
	health(): { chassis: BusHealth; haldex: BusHealth };
	/**
	 * The core's own pass-through hold (beside the controller's STOCK): the
	 * update service uses both while an install runs. Optional for fakes.
	 */
	holdPassthrough?(hold: boolean): void;
	/** Runs the C core's golden-vector self-test. */
	selfTest(): boolean;
	/** The capture ring; absent where the port has none (fakes, a bridge that did not start). */
	readonly capture?: CanCapture;
}
