/*
 * First boot after an install. ESP-IDF's bootloader starts a new image as
 * PENDING_VERIFY; the firmware confirms it (markValid) only after it has
 * been healthy continuously for a window (30 s by default):
 *   - both CAN nodes started and not bus-off (no traffic needed: the
 *     engine is off during installs, so the buses may be silent),
 *   - the C core's self-test passed,
 *   - the HTTP server answered.
 * The inputs are injected functions (the CAN bridge and the HTTP server
 * belong to other modules). While PENDING_VERIFY the firmware never
 * restarts itself (restartAllowed() is false): a reset is the owner's,
 * and the bootloader then returns to the previous slot.
 *
 * At boot it also notices a rollback: an install was recorded for a slot,
 * but we run from another one and that slot is ABORTED/INVALID (or holds
 * no confirmed entry). That is FAILED_GRACEFUL, recorded with the reason.
 *
 * Confirming is two writes that a power cut can separate: otadata (erase,
 * then write the VALID entry: esp_ota_mark_app_valid_cancel_rollback) and
 * the store's history. Before touching otadata the pending record is
 * marked healthPassed (and its old health problem dropped); so if the cut
 * lands inside the otadata rewrite, the board boots the previous image and
 * the record says the new one passed its check and the confirmation was
 * cut off, never a stale health problem. A cut after otadata is finished
 * at the next boot (the pending record names the running slot).
 */

import type { OtaPort, OtaImageState } from "ports/ota";
import type { KeyValueStore } from "ports/store";
import type { Clock } from "ports/clock";
import type { Timers, TimerHandle } from "ports/timers";
import type { Logger } from "ports/log";
import { epochSeconds } from "ports/clock";
import { appendHistory, clearPending, readHistory, readPending, writePending, writeResult, type InstallResult } from "ota/history";
import { runningImage } from "ota/slot-info";

export interface CanNodeHealth {
	name: string;
	started: boolean;
	busOff: boolean;
}

export interface HealthInputs {
	/** Every CAN node the board has (two on the OpenHaldex-C6). */
	canNodes(): readonly CanNodeHealth[];
	selfTestPassed(): boolean;
	/** True once the HTTP server has answered a request (or its own probe). */
	httpAnswered(): boolean;
	/** Any further problem the composition root knows of (the simulator's failing switch); undefined = none. */
	extra?(): string | undefined;
}

/** Health inputs from the CAN bridge port (ports/can) and an HTTP probe. */
export function healthFromBridge(
	bridge: { health(): { chassis: { started: boolean; busOff: boolean }; haldex: { started: boolean; busOff: boolean } }; selfTest(): boolean },
	httpAnswered: () => boolean,
): HealthInputs {
	let selfTest: boolean | undefined;
	return {
		canNodes() {
			const h = bridge.health();
			return [
				{ name: "chassis", ...h.chassis },
				{ name: "haldex", ...h.haldex },
			];
		},
		// The golden-vector self-test is deterministic: run it once per boot.
		selfTestPassed: () => (selfTest ??= bridge.selfTest()),
		httpAnswered,
	};
}

export interface BootConfirmOptions {
	/** How long the image must stay healthy without a break. */
	windowMs?: number;
	/** How often the health is sampled. */
	pollMs?: number;
	/** CAN nodes required; 2 on the board. */
	canNodes?: number;
}

export const DEFAULT_HEALTH_WINDOW_MS = 30_000;
export const DEFAULT_HEALTH_POLL_MS = 1_000;

export interface BootConfirmDeps {
	ota: OtaPort;
	store: KeyValueStore;
	clock: Clock;
	timers: Timers;
	logger: Logger;
	health: HealthInputs;
}

export type BootPhase = "NORMAL" | "VERIFYING" | "CONFIRMED" | "FAILED_GRACEFUL";
/** The trial phase, compared on every status poll and LED frame: a constant, not a literal (docs/preload-hazards.md). */
export const VERIFYING: BootPhase = "VERIFYING";

export interface BootStatus {
	phase: BootPhase;
	runningState: OtaImageState;
	version: string;
	/** Healthy without a break for this long (while VERIFYING). */
	healthyForMs: number;
	windowMs: number;
	/** What is unhealthy right now (empty when healthy). */
	problems: string[];
	/** How the last install ended, when one did. */
	lastResult?: InstallResult;
}

/** The health rule as a pure function: the problems, as sentences; empty = healthy. */
export function healthProblems(health: HealthInputs, requiredCanNodes = 2): string[] {
	const problems: string[] = [];
	let nodes: readonly CanNodeHealth[] = [];
	try {
		nodes = health.canNodes();
	} catch (e) {
		problems.push(`reading the CAN nodes failed: ${String(e)}`);
	}
	if (nodes.length < requiredCanNodes) problems.push(`${nodes.length} of ${requiredCanNodes} CAN nodes present`);
	for (const n of nodes) {
		if (!n.started) problems.push(`CAN node ${n.name} not started`);
		else if (n.busOff) problems.push(`CAN node ${n.name} is bus-off`);
	}
	if (!safe(() => health.selfTestPassed())) problems.push("the CAN core self-test failed");
	if (!safe(() => health.httpAnswered())) problems.push("the HTTP server has not answered yet");
	if (health.extra) {
		let extra: string | undefined;
		try {
			extra = health.extra();
		} catch (e) {
			extra = `health probe failed: ${String(e)}`;
		}
		if (extra) problems.push(extra);
	}
	return problems;
}

function safe(f: () => boolean): boolean {
	try {
		return f() === true;
	} catch {
		return false;
	}
}

export class BootConfirmer {
	readonly #deps: BootConfirmDeps;
	readonly #windowMs: number;
	readonly #pollMs: number;
	readonly #canNodes: number;
	#phase: BootPhase = "NORMAL";
	#healthySince: number | undefined;
	#problems: string[] = [];
	#timer: TimerHandle | undefined;
	#lastStoredProblem: string | undefined;
	/** The running image's version, read once at start (it cannot change during a boot). */
	#version: string | undefined;

	constructor(deps: BootConfirmDeps, options: BootConfirmOptions = {}) {
		this.#deps = deps;
		this.#windowMs = options.windowMs ?? DEFAULT_HEALTH_WINDOW_MS;
		this.#pollMs = options.pollMs ?? DEFAULT_HEALTH_POLL_MS;
		this.#canNodes = options.canNodes ?? 2;
		if (!(this.#windowMs >= 0) || !(this.#pollMs > 0)) throw new RangeError("health window must be >= 0 and the poll period > 0");
	}

	/** Call once at boot, after the services the health check looks at have started. */
	start(): BootStatus {
		const { ota, store, clock, logger } = this.#deps;
		const me = runningImage(ota);
		this.#version = me.version;
		const state = ota.runningState();
		if (readHistory(store).length === 0) appendHistory(store, { time: epochSeconds(clock), version: me.version });

		const pending = readPending(store);
		if (pending && pending.slot !== me.slot) {
			// We were installed elsewhere but run from here: the bootloader rolled back.
			const theirs = ota.slotState(pending.slot);
			const why =
				pending.healthPassed !== undefined
					? "it passed its health check, but the board restarted or lost power while the confirmation was being written, so the bootloader went back"
					: theirs === "ABORTED"
						? "it was reset before it confirmed its health"
						: theirs === "INVALID"
							? "it marked itself invalid"
							: theirs === "NEW" || theirs === "PENDING_VERIFY"
								? "the bootloader could not start it"
								: "its boot record was lost (power cut while switching)";
			const detail = pending.lastProblem ? `; last health problem: ${pending.lastProblem}` : "";
			const result: InstallResult = {
				state: "FAILED_GRACEFUL",
				version: pending.version,
				from: pending.from,
				time: epochSeconds(clock),
				reason: `${pending.version} did not start for good: ${why} (slot ${pending.slot} is ${theirs})${detail}. Running ${me.version} from slot ${me.slot} again.`,
			};
			writeResult(store, result);
			clearPending(store);
			this.#phase = "FAILED_GRACEFUL";
			logger.log("error", `update rolled back: ${result.reason}`);
		}

		if (state === "PENDING_VERIFY") {
			this.#phase = VERIFYING;
			this.#healthySince = undefined;
			logger.log("warn", `firmware ${me.version} is on trial: confirming after ${this.#windowMs} ms of good health`);
			this.#sample();
			if (this.#phase === VERIFYING) this.#timer = this.#deps.timers.every(this.#pollMs, () => this.#sample());
		} else if (pending && pending.slot === me.slot) {
			// Confirmed already (e.g. power cut between markValid and the history write): finish the record.
			this.#confirmed(me.version, pending.from);
		}
		return this.status;
	}

	/** The phase alone: what a poll needs, without the stored result and the slot reads status makes. */
	get phase(): BootStatus["phase"] {
		return this.#phase;
	}

	/** How long the new image has been healthy on trial (0 outside VERIFYING); read on every status poll. @hot */
	get healthyForMs(): number {
		return this.#phase === VERIFYING && this.#healthySince !== undefined ? this.#deps.clock.monotonicMs() - this.#healthySince : 0;
	}

	get status(): BootStatus {
		const { ota, store, clock } = this.#deps;
		const healthyForMs = this.#healthySince === undefined ? 0 : clock.monotonicMs() - this.#healthySince;
		let lastResult: InstallResult | undefined;
		const v = store.get("ota", "result");
		if (typeof v === "string") {
			try {
				lastResult = JSON.parse(v);
			} catch {
				lastResult = undefined;
			}
		}
		return {
			phase: this.#phase,
			runningState: ota.runningState(),
			version: this.#version ?? runningImage(ota).version,
			healthyForMs: this.#phase === VERIFYING ? healthyForMs : 0,
			windowMs: this.#windowMs,
			problems: [...this.#problems],
			lastResult,
		};
	}

	/** False while the running image awaits confirmation: nothing may restart the board then. */
	restartAllowed(): boolean {
		return this.#phase !== VERIFYING;
	}

	stop(): void {
		this.#deps.timers.cancel(this.#timer);
		this.#timer = undefined;
	}

	#sample(): void {
		if (this.#phase !== VERIFYING) return;
		const now = this.#deps.clock.monotonicMs();
		this.#problems = healthProblems(this.#deps.health, this.#canNodes);
		if (this.#problems.length) {
			this.#healthySince = undefined;
			this.#rememberProblem(this.#problems.join("; "));
			return;
		}
		this.#healthySince ??= now;
		if (now - this.#healthySince < this.#windowMs) return;
		const { ota, store, clock } = this.#deps;
		const pending = readPending(store);
		if (pending)
			writePending(store, { slot: pending.slot, version: pending.version, from: pending.from, time: pending.time, healthPassed: epochSeconds(clock) });
		ota.markValid();
		this.#confirmed(this.#version ?? runningImage(ota).version, pending ? pending.from : "");
		this.stop();
	}

	#confirmed(version: string, from: string): void {
		const { store, clock, logger } = this.#deps;
		const time = epochSeconds(clock);
		appendHistory(store, { time, version });
		writeResult(store, { state: "CONFIRMED", version, from, time });
		clearPending(store);
		this.#phase = "CONFIRMED";
		this.#healthySince = undefined;
		logger.log("info", `firmware ${version} confirmed healthy; rollback cancelled`);
	}

	/** Keep the latest problem with the pending install (store writes only when it changes). */
	#rememberProblem(problem: string): void {
		if (problem === this.#lastStoredProblem) return;
		this.#lastStoredProblem = problem;
		const pending = readPending(this.#deps.store);
		if (pending) writePending(this.#deps.store, { ...pending, lastProblem: problem.slice(0, 300) });
	}
}
