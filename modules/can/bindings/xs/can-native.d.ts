/*
 * Typings for can-native.js (xsmc binding over modules/can/ports/ohx_port.h).
 * Numbers follow modules/can/core/ohx_bridge.h.
 */
export type CanMode = 0 | 1 | 2 | 3 | 4 | 5; // STOCK, FWD, 5050, 6040, 7525, CUSTOM
export type CanBus = 0 | 1; // CHASSIS, HALDEX
export type CanState = 0 | 1 | 2 | 3; // STOCK, ACTIVE, FALLBACK, HELD

export interface CanSnapshot {
	speedKmh: number;
	speedSource: 0 | 1 | 2 | 3 | 4; // NONE, BRAKES1, MOTOR2, ESP_19, ESP_21
	speedAgeMs: number | null; // null: never received
	rpm: number;
	pedalPct: number;
	engineAgeMs: number | null; // PQ: MOTOR1's age; MQB: the older of MOTOR_12 and MOTOR_20
	coolantC: number; // PQ MOTOR2 byte 1, MQB MOTOR_07 byte 3, x 0.75 - 48
	coolantAgeMs: number | null;
	boostKpa: number; // MQB MOTOR_04, absolute
	boostAgeMs: number | null;
	haldexEngagementPct: number;
	haldexEngagementRaw: number;
	haldexState: number; // bits: 0x01 clutch1, 0x02 temp protection, 0x04 clutch2, 0x08 coupling open, 0x40 speed limit
	haldexAgeMs: number | null;
	state: CanState;
	mode: CanMode;
	targetPct: number;
	generation: 1 | 2 | 4 | 5;
	targetAgeMs: number | null;
	watchdogMs: number;
}

export interface CanCounters {
	frames: [number, number]; // received, by source bus
	rewritten: number;
	shortFrames: number;
	dropped: [number, number]; // by destination bus
	errors: number;
	busOff: [number, number];
	busOffRecoveries: [number, number];
	deadBus: [number, number];
	watchdogFallbacks: number;
	e2eMismatch: number;
}

export interface CanBusStatus {
	state: 0 | 1 | 2; // STOPPED, RUNNING, BUS_OFF
	dead: boolean;
	lastRxAgeMs: number | null;
	txErrors: number;
	rxErrors: number;
}

export interface CanCaptureStats {
	captured: [number, number]; // entries written since the last configure, by source bus
	dropped: [number, number]; // kept by the filter but the ring was full
	pending: [number, number]; // waiting to be read
	enabled: boolean;
}

export interface CanNativeOptions {
	generation?: 1 | 2 | 4 | 5;
	watchdogMs?: number;
}

/** Errors: TypeError for a wrong type, RangeError (message = OHX_ERR_* name) for a refused value. */
export default class CANNative {
	constructor(options?: CanNativeOptions);
	/** Refresh at least every watchdogMs or the bridge falls back to pass-through. */
	setTarget(mode: CanMode, percent: number): void;
	setGeneration(generation: 1 | 2 | 4 | 5): void;
	setWatchdogMs(ms: number): void;
	holdPassthrough(hold: boolean): void;
	state(): CanState;
	/** With `into`, refills that object (no allocation once it has every field) and returns it. */
	snapshot(into?: CanSnapshot): CanSnapshot;
	/** With `into`, refills that object and its arrays (no allocation once it has every field) and returns it. */
	counters(into?: CanCounters): CanCounters;
	resetCounters(): void;
	/** With `into`, refills that object and returns it. */
	busStatus(bus: CanBus, into?: CanBusStatus): CanBusStatus;
	/** Enable or disable the capture ring; `filter` is ohx_capture_filter_t's 258 bytes (absent: every frame). Empties the rings. */
	captureConfigure(enabled: boolean, filter?: Uint8Array): void;
	/** Moves up to buffer.byteLength / 28 entries of `bus` (ohx_capture_entry_t layout) into buffer; returns how many. */
	captureRead(bus: CanBus, buffer: Uint8Array): number;
	/** With `into`, refills that object and its arrays and returns it. */
	captureStats(into?: CanCaptureStats): CanCaptureStats;
	/** Queue one frame onto `bus` from task context (never through the bridge). RangeError OHX_ERR_INVALID_STATE when there is no room now. */
	transmit(bus: CanBus, id: number, ext: boolean, data: Uint8Array, dlc: number): void;
	static selfTest(): boolean;
}
