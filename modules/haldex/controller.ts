/*
 * The Haldex controller: every 20 ms (50 Hz) it reads the latest inputs the
 * C core decoded, computes the lock for the selected mode, applies the
 * release ramp and refreshes the bridge's target. The refresh is also the
 * bridge's heartbeat: if this loop stops (JS stalled, crashed, stopped),
 * the core falls back to pass-through on its own after its watchdog period.
 *
 * Pass-through is forced (whatever the mode) while
 * - any hold is active: holdStock(reason) / release(reason); the OTA
 *   install and the PENDING_VERIFY boot use this. A hold takes effect
 *   before holdStock() returns, not at the next tick;
 * - the `disableController` setting is true;
 * - the controller is off (safe mode) or stopped: no loop runs, the last
 *   order sent to the bridge is pass-through.
 */

import type { BridgeMode, CanBridge, HaldexGeneration, VehicleState } from "ports/can";
import type { Timers, TimerHandle } from "ports/timers";
import type { Clock } from "ports/clock";
import type { Logger } from "ports/log";
import type { HaldexConfig, HaldexSettingsStore } from "haldex/settings";
import { STOCK, bridgeModeOf, type HaldexMode } from "haldex/modes";
import { ReleaseRamp, rawTarget, type TargetSettings } from "haldex/target";

export const TICK_MS = 20;

// The 50 Hz path compares with these, never with literals: in a preloaded
// function each string literal is copied into the chunk heap every time it
// runs (docs/preload-hazards.md, "string literal on a hot path").
const RUNNING = "running",
	HELD = "held",
	DISABLED = "disabled";

export type ControllerState = "running" | "held" | "disabled" | "off" | "stopped";

export interface HaldexControllerDeps {
	bridge: CanBridge;
	timers: Timers;
	clock: Clock;
	settings: HaldexSettingsStore;
	logger?: Logger;
}

/** A STOCK hold: ended by release(), once; releasing twice does nothing. */
export interface StockHold {
	readonly reason: string;
	release(): void;
}

export interface ControllerStatus {
	state: ControllerState;
	/** The mode the driver selected. */
	mode: HaldexMode;
	/** What is applied: the selected mode, or STOCK while forced to pass-through. */
	effectiveMode: HaldexMode;
	generation: HaldexGeneration;
	/** Lock the mode asks for before the ramp; null in pass-through. */
	requestPct: number | null;
	/** Lock handed to the bridge (after gates and ramp); null = pass-through. */
	targetPct: number | null;
	/** Engagement the Haldex reports, 0..100. */
	engagementPct: number;
	/** True while the C core is actually rewriting (false after its own fallback). */
	bridgeRewriting: boolean;
	holds: string[];
	offReason?: string;
	ticks: number;
	/** Longest gap between two ticks seen, ms (a stall shows here). */
	maxTickGapMs: number;
}

export class HaldexController {
	readonly #d: HaldexControllerDeps;
	readonly #ramp = new ReleaseRamp();
	readonly #holds: StockHold[] = [];
	#timer: TimerHandle | undefined;
	#state: "running" | "off" | "stopped" = "stopped";
	#offReason: string | undefined;
	#request: number | null = null;
	#target: number | null = null;
	#ticks = 0;
	#lastTickMs = -1;
	#maxGapMs = 0;

	constructor(deps: HaldexControllerDeps) {
		this.#d = deps;
	}

	/** Start the 50 Hz loop (ticks once at once). No effect when off (safe mode) or already running. */
	start(): void {
		if (this.#state !== "stopped") return;
		this.#state = "running";
		this.#timer = this.#d.timers.every(TICK_MS, () => this.tick());
		this.tick();
	}

	/** Stop the loop and leave the bridge in pass-through. */
	stop(): void {
		this.#cancel();
		if (this.#state === "running") this.#state = "stopped";
		this.#passThrough();
	}

	/** Safe mode: the controller is off until restart; the bridge stays in pass-through. */
	turnOff(reason: string): void {
		this.#cancel();
		this.#state = "off";
		this.#offReason = reason;
		this.#passThrough();
		this.#d.logger?.log("warn", `haldex controller off: ${reason}`);
	}

	/**
	 * Force pass-through until the returned hold is released. Effective before
	 * this returns. Holds nest, and each is ended only by its own handle: the
	 * one who held is the one who releases (a reason is for the log and the
	 * status, never matched).
	 */
	holdStock(reason: string): StockHold {
		const hold: StockHold = {
			reason,
			release: () => {
				const i = this.#holds.indexOf(hold);
				if (i < 0) return;
				this.#holds.splice(i, 1);
				this.#d.logger?.log("info", `haldex hold released: ${reason}${this.#holds.length ? ` (still held: ${this.holds().join(", ")})` : ""}`);
			},
		};
		this.#holds.push(hold);
		this.#passThrough();
		this.#d.logger?.log("info", `haldex held in STOCK: ${reason}`);
		return hold;
	}

	holds(): string[] {
		return this.#holds.map((h) => h.reason);
	}

	/** @hot */
	state(): ControllerState {
		if (this.#state !== RUNNING) return this.#state;
		if (this.#holds.length) return HELD;
		if (this.#d.settings.config.settings.disableController) return DISABLED;
		return RUNNING;
	}

	/** @hot */
	effectiveMode(): HaldexMode {
		return this.state() === RUNNING ? this.#d.settings.config.mode : STOCK;
	}

	#settingsFor: unknown;
	#settingsForTarget: TargetSettings | undefined;
	/** The settings the target needs, made once per settings change (not 50 times a second). */
	#targetSettings(config: Readonly<HaldexConfig>): TargetSettings {
		if (this.#settingsFor !== config || !this.#settingsForTarget) {
			this.#settingsFor = config;
			this.#settingsForTarget = {
				...config.settings,
				speedCurve: config.speedCurve,
				throttleCurve: config.throttleCurve,
				rpmCurve: config.rpmCurve,
				map: config.map,
			};
		}
		return this.#settingsForTarget;
	}

	/** One control step; the timer calls it every TICK_MS. @hot */
	tick(): void {
		const now = this.#d.clock.monotonicMs();
		if (this.#lastTickMs >= 0) this.#maxGapMs = Math.max(this.#maxGapMs, now - this.#lastTickMs);
		this.#lastTickMs = now;
		this.#ticks++;
		const config = this.#d.settings.config;
		const mode = this.effectiveMode();
		if (mode === STOCK) {
			this.#passThrough();
			return;
		}
		const vehicle = this.#d.bridge.vehicle();
		const request = rawTarget(mode, this.#targetSettings(config), vehicle);
		const ramped = this.#ramp.step(request ?? 0, now, config.settings.lockReleaseRatePctPerSec);
		this.#request = request;
		this.#target = Math.round(ramped);
		this.#d.bridge.setTarget(config.settings.haldexGeneration, this.#target, bridgeModeOf(mode) as BridgeMode);
	}

	readonly #status = {} as ControllerStatus;
	readonly #holdReasons: string[] = [];
	/** The controller's status, in an object reused by every call (every status poll reads it: read it, don't keep it). */
	status(vehicle: VehicleState = this.#d.bridge.vehicle()): ControllerStatus {
		const state = this.state();
		const o = this.#status;
		o.state = state;
		o.mode = this.#d.settings.config.mode;
		o.effectiveMode = this.effectiveMode();
		o.generation = this.#d.settings.config.settings.haldexGeneration;
		// One decimal: curves interpolate to values like 57.464999999999996.
		o.requestPct = state === RUNNING && this.#request !== null ? Math.round(this.#request * 10) / 10 : null;
		o.targetPct = state === RUNNING ? this.#target : null;
		o.engagementPct = vehicle.haldexEngagementPct;
		o.bridgeRewriting = this.#d.bridge.rewriting();
		const reasons = this.#holdReasons;
		reasons.length = 0;
		for (let i = 0; i < this.#holds.length; i++) reasons.push(this.#holds[i].reason);
		o.holds = reasons;
		if (this.#offReason) o.offReason = this.#offReason;
		else delete o.offReason;
		o.ticks = this.#ticks;
		o.maxTickGapMs = this.#maxGapMs;
		return o;
	}

	#passThrough(): void {
		this.#ramp.reset();
		this.#request = null;
		this.#target = null;
		this.#d.bridge.setTarget(this.#d.settings.config.settings.haldexGeneration, null);
	}

	#cancel(): void {
		this.#d.timers.cancel(this.#timer);
		this.#timer = undefined;
	}
}
