/*
 * The update service: the state machine behind /api/update. It joins the
 * OTA pipeline (ota/stager, ota/boot-confirm) to the guards a car needs:
 * one transfer or install at a time, nothing while the running image is
 * still on trial, nothing while the car moves or the engine runs, and the
 * CAN bridge forced to pass-through while an install runs.
 *
 * Update states (the system-update API):
 *   IDLE --init--> INITIALIZING --guards ok--> INITIALIZED --start--> RUNNING
 *   RUNNING: otadata points at the new slot; the response goes out, then
 *   the board restarts. After the restart RUNNING lasts while the new image
 *   is verified; confirmed -> IDLE, rolled back -> FAILED_GRACEFUL, a flash
 *   failure while switching -> FAILED_CRITICAL. reset -> IDLE (discards a
 *   staged image).
 *
 * Image states (the system-update API): UPLOADING -> VALIDATING -> VALID | INVALID, or
 * UPLOAD_ERROR when the transfer broke (client gone, stalled, flash). A
 * board has one inactive slot, so at most one image exists at a time.
 */

import type { HttpError } from "api/errors";
import type { BodySink } from "api/router";
import { jsonResponse } from "api/errors";
import { epochSeconds, type Clock } from "ports/clock";
import type { KeyValueStore } from "ports/store";
import type { Timers, TimerHandle } from "ports/timers";
import type { Restart } from "ports/restart";
import type { Logger } from "ports/log";
import type { OtaPort } from "ports/ota";
import type { VehicleState } from "ports/can";
import { OtaError, isImageRejection } from "ota/errors";
import type { ImageStager, StageOptions } from "ota/stager";
import { VERIFYING, type BootConfirmer } from "ota/boot-confirm";
import { readHistory, OTA_DOMAIN, type HistoryEntry } from "ota/history";
import { runningImage } from "ota/slot-info";
import { frozen } from "util/frozen";
import { apiError } from "api/error-codes";

export type UpdateState = "IDLE" | "INITIALIZING" | "INITIALIZED" | "RUNNING" | "FAILED_GRACEFUL" | "FAILED_CRITICAL";
export type ImageState = "UPLOADING" | "VALIDATING" | "UPLOAD_ERROR" | "VALID" | "INVALID";
export type TransferKind = "upload" | "fetch";

export interface ImageInfo {
	id: number;
	version?: string;
	/** SHA-256 of the whole file, hex, once known. */
	checksum?: string;
	/** Percent received (0..100); 100 once complete. */
	progress: number;
	state: ImageState;
	state_description: string;
	/** Machine-readable reason for INVALID / UPLOAD_ERROR. */
	error?: { code: string; message: string };
	/** Digests of the keys whose Secure Boot V2 signatures the image carries (verified), when signed. */
	signedBy?: string[];
}

/** Forces the CAN bridge to pass-through (the controller keeps STOCK) until the returned handle is released. */
export interface BridgeHold {
	hold(reason: string): { release(): void };
}

/** GET /api/status's update part, as the service reports it. */
export interface UpdateSummary {
	state: UpdateState;
	stage: string;
	current: string;
	target_version: string;
	available: boolean;
}

/** What the update client (remote server) reports, when one is configured. */
export interface RemoteUpdateSummary {
	latest: string;
	available: boolean;
	lastCheckMs: number;
	checkError: string;
	/** Stable code for checkError (offline, unauthorized, ...); empty when the last check worked. */
	checkErrorCode?: string;
}

export interface RemoteUpdates {
	summary(): RemoteUpdateSummary;
	/** summary().available without building the summary (read on every status poll). */
	readonly available: boolean;
	/**
	 * Download the available update through the sink `begin` returns, then
	 * call onValid (or onFailed when it ends without a valid image). False
	 * when none is available.
	 */
	installAvailable(
		begin: (options: StageOptions & { total?: number }) => BodySink,
		onValid: () => void,
		onFailed: (code: string, message: string) => void,
	): boolean;
}

/**
 * GET /api/status update.signing: whether uploads must be signed, by which
 * key digests, and whether ESP-IDF checks the signature too at install
 * (a build for signed releases: then only the first block counts).
 */
export interface SigningSummary {
	required: boolean;
	keys: string[];
	espIdfVerifies: boolean;
}

export interface UpdateServiceDeps {
	ota: OtaPort;
	stager: ImageStager;
	boot: BootConfirmer;
	store: KeyValueStore;
	clock: Clock;
	timers: Timers;
	restart: Restart;
	logger: Logger;
	/** Latest CAN telemetry; undefined when no bridge runs. */
	vehicle?: () => VehicleState | undefined;
	hold?: BridgeHold;
	remote?: RemoteUpdates;
	/** Called once the new firmware is confirmed (settings migrations wait for this). */
	onConfirmed?: () => void;
	/** For the event log: installs, confirmations, rollbacks. */
	onEvent?: (kind: "update" | "rollback", message: string) => void;
}

export interface UpdateServiceOptions {
	/** An upload that delivers fewer than minBytesPerStall bytes in any window of this length is aborted. */
	stallMs: number;
	/** The least an upload must deliver per stallMs: a 1-byte trickle must not hold the slot for ever. */
	minBytesPerStall: number;
	/** Telemetry older than this no longer proves the car is moving (the bus is silent with the engine off). */
	telemetryFreshMs: number;
}

// busy() runs five times a second (the LED's signal) and summary() on every status poll: they
// compare with and return these, never literals (docs/preload-hazards.md).
const RUNNING: UpdateState = "RUNNING",
	INITIALIZING: UpdateState = "INITIALIZING",
	INITIALIZED: UpdateState = "INITIALIZED",
	FAILED_GRACEFUL: UpdateState = "FAILED_GRACEFUL",
	FAILED_CRITICAL: UpdateState = "FAILED_CRITICAL",
	VALIDATING_IMAGE = "VALIDATING",
	VALID_IMAGE = "VALID",
	FETCH = "fetch",
	EMPTY = "";
const STAGE_VALIDATING = "validating",
	STAGE_DOWNLOADING = "downloading",
	STAGE_UPLOADING = "uploading",
	STAGE_VERIFYING = "verifying",
	STAGE_RESTARTING = "restarting",
	STAGE_PREPARING = "preparing",
	STAGE_READY = "ready",
	STAGE_FAILED = "failed",
	STAGE_STAGED = "staged",
	STAGE_IDLE = "idle";

export const DEFAULT_UPDATE_OPTIONS: UpdateServiceOptions = frozen({ stallMs: 30_000, minBytesPerStall: 1024, telemetryFreshMs: 2_000 });

const DESCRIPTIONS: Record<UpdateState, string> = frozen({
	IDLE: "No update in progress.",
	INITIALIZING: "Checking that the update can be installed.",
	INITIALIZED: "Ready to install; start to switch to the new firmware and restart.",
	RUNNING: "Installing: the board restarts into the new firmware and checks it.",
	FAILED_GRACEFUL: "The update did not complete; the previous firmware is running.",
	FAILED_CRITICAL: "The update failed while switching firmware; the board may need a USB re-flash if it does not start.",
});

interface Transfer {
	kind: TransferKind;
	startedMs: number;
	lastByteMs: number;
	received: number;
	total?: number;
	stall?: TimerHandle;
	/** When the current stall window began, and the bytes received by then. */
	windowStartMs: number;
	windowBytes: number;
}

export class UpdateService {
	readonly #deps: UpdateServiceDeps;
	readonly #options: UpdateServiceOptions;
	#state: UpdateState = "IDLE";
	#description = DESCRIPTIONS.IDLE;
	#stateTime = 0;
	#targetVersion: string | undefined;
	#image: ImageInfo | undefined;
	#transfer: Transfer | undefined;
	#lastTransfer: Transfer | undefined;
	#held: { release(): void } | undefined;
	/** The upload the stall rule stopped: its late bytes are answered 408, not 409. */
	#stalledId = 0;
	#watch: TimerHandle | undefined;
	#signing: SigningSummary | undefined;
	/** The running image's version: fixed for a boot, and read from flash once. */
	#current: string | undefined;

	constructor(deps: UpdateServiceDeps, options: Partial<UpdateServiceOptions> = {}) {
		this.#deps = deps;
		this.#options = { ...DEFAULT_UPDATE_OPTIONS, ...options };
	}

	/** The keys uploads must be signed by (those of the running image); none in a developer build. */
	trustedKeys(): readonly string[] {
		return this.#deps.stager.trustedKeys();
	}

	/** What /api/status says of signing: made once (the keys are fixed for a boot), not per poll. */
	signing(): SigningSummary {
		if (!this.#signing) {
			const keys = this.trustedKeys();
			this.#signing = { required: keys.length > 0, keys: [...keys], espIdfVerifies: this.#deps.stager.espIdfVerifies };
		}
		return this.#signing;
	}

	/** Call once at boot, after the boot confirmer started: derives the state from how the last install ended. */
	resume(): void {
		const boot = this.#deps.boot.status;
		if (boot.phase === VERIFYING) {
			this.#set("RUNNING", `Checking the new firmware ${boot.version}: it is confirmed after ${Math.round(boot.windowMs / 1000)} s of good health.`);
			this.#targetVersion = boot.version;
			this.#hold("the new firmware is on trial");
			this.#watch = this.#deps.timers.every(1000, () => this.#followBoot());
		} else if (boot.phase === "FAILED_GRACEFUL") {
			this.#set("FAILED_GRACEFUL", boot.lastResult?.reason ?? DESCRIPTIONS.FAILED_GRACEFUL, boot.lastResult?.time);
			this.#targetVersion = boot.lastResult?.version;
			this.#deps.onEvent?.("rollback", this.#description);
		} else if (boot.phase === "CONFIRMED") {
			this.#set("IDLE", `Updated to ${boot.version}.`, boot.lastResult?.time);
		}
		if (boot.phase !== VERIFYING) this.#restoreStaged();
	}

	/** An image uploaded before the restart is offered again once its slot verified again (ota/stager restoreStaged). */
	#restoreStaged(): void {
		let restored: ReturnType<ImageStager["restoreStaged"]>;
		try {
			restored = this.#deps.stager.restoreStaged();
		} catch (e) {
			this.#deps.logger.log("error", `checking the staged update failed: ${e instanceof Error ? e.message : String(e)}`);
			return;
		}
		if (!restored) return;
		const { image } = restored;
		this.#image = {
			id: restored.id ?? this.#nextImageId(),
			version: image.version,
			checksum: image.sha256,
			...(image.signedBy ? { signedBy: image.signedBy } : {}),
			progress: 100,
			state: "VALID",
			state_description: `Firmware ${image.version} is ready to install (uploaded before the restart, checked again).`,
		};
	}

	stop(): void {
		this.#deps.timers.cancel(this.#watch);
		this.#cancelStall();
	}

	get state(): UpdateState {
		return this.#state;
	}

	/** A transfer is running or an install is under way (the LED shows it). @hot */
	busy(): boolean {
		return this.#transfer !== undefined || this.#state === RUNNING || this.#state === INITIALIZING;
	}

	// ---- reading ---------------------------------------------------------

	/** GET /api/update: OpenHaldex-S3's flat fields plus the system-update API's. */
	status() {
		const remote = this.#deps.remote?.summary();
		const t = this.#transfer ?? this.#lastTransfer;
		const now = this.#deps.clock.monotonicMs();
		const progressMs = t ? (this.#transfer ? now : t.lastByteMs) - t.startedMs : 0;
		return {
			current: this.#currentVersion(),
			latest: remote?.latest ?? "",
			available: remote?.available ?? false,
			lastCheckMs: remote?.lastCheckMs ?? 0,
			checkError: remote?.checkError ?? "",
			checkErrorCode: remote?.checkErrorCode ?? "",
			installing: this.#state === "RUNNING" || this.#state === "INITIALIZING",
			stage: this.#stage(),
			bytesDone: t?.received ?? 0,
			bytesTotal: t?.total ?? 0,
			speedBps: t && progressMs > 0 ? Math.round((t.received * 1000) / progressMs) : 0,
			progressMs,
			state: this.#state,
			state_description: this.#description,
			last_state_time: this.#stateTime,
			target_version: this.#targetVersion ?? "",
			update_history: readHistory(this.#deps.store) as HistoryEntry[],
			timeSynced: this.#deps.clock.source() !== "none",
		};
	}

	/**
	 * The few fields GET /api/status carries, without reading the history from the store, written
	 * into `into` when given (every poll: no new object). @hot
	 */
	summary<T extends UpdateSummary = UpdateSummary>(into?: T): T {
		const o = into ?? ({} as T);
		o.state = this.#state;
		o.stage = this.#stage();
		o.current = this.#currentVersion();
		o.target_version = this.#targetVersion ?? EMPTY;
		o.available = this.#deps.remote?.available ?? false;
		return o;
	}

	images(): ImageInfo[] {
		return this.#image ? [{ ...this.#image }] : [];
	}

	image(id: number): ImageInfo {
		if (!this.#image || this.#image.id !== id)
			throw apiError(
				"image_not_found",
				this.#image
					? `There is no image ${id}; the board holds one image at a time (image ${this.#image.id}).`
					: `There is no image ${id}; no image is staged.`,
			);
		return { ...this.#image };
	}

	// ---- transfers -------------------------------------------------------

	/**
	 * Start receiving an image (an upload, or a download by the update
	 * client): the returned sink takes the bytes. Throws HttpError 409 when
	 * another transfer or an install runs or the running image is on trial.
	 */
	beginTransfer(kind: TransferKind, options: StageOptions & { total?: number }): BodySink {
		this.#refuseWhileBusy();
		const { stager } = this.#deps;
		try {
			stager.begin({ ...options, declaredSize: options.total ?? options.declaredSize });
		} catch (e) {
			throw toHttp(e);
		}
		const id = this.#nextImageId();
		const now = this.#deps.clock.monotonicMs();
		this.#transfer = { kind, startedMs: now, lastByteMs: now, received: 0, total: options.total, windowStartMs: now, windowBytes: 0 };
		this.#image = { id, progress: 0, state: "UPLOADING", state_description: kind === "upload" ? "Receiving the upload." : "Downloading the update." };
		if (this.#state === "FAILED_GRACEFUL" || this.#state === "FAILED_CRITICAL") this.#set("IDLE", DESCRIPTIONS.IDLE);
		this.#armStall();
		this.#deps.logger.log("info", `update ${kind} started as image ${id}${options.total ? ` (${options.total} bytes)` : ""}`);

		return {
			write: (chunk) => {
				const t = this.#transfer;
				if (!t || this.#image?.id !== id) throw this.#stoppedError(id);
				try {
					stager.write(chunk);
				} catch (e) {
					this.#transferFailed(e);
					throw toHttp(e);
				}
				t.received += chunk.length;
				t.lastByteMs = this.#deps.clock.monotonicMs();
				this.#image.progress = t.total ? Math.min(99, Math.floor((t.received * 100) / t.total)) : 0;
			},
			end: () => {
				if (!this.#transfer || this.#image?.id !== id) throw this.#stoppedError(id);
				this.#image.state = "VALIDATING";
				this.#image.state_description = "Checking the complete image.";
				try {
					const valid = stager.end(id);
					this.#image = {
						id,
						version: valid.version,
						checksum: valid.sha256,
						...(valid.signedBy ? { signedBy: valid.signedBy } : {}),
						progress: 100,
						state: "VALID",
						state_description: `Firmware ${valid.version} is ready to install.`,
					};
					this.#finishTransfer();
					this.#deps.logger.log("info", `image ${id} (${valid.version}) is VALID`);
					return jsonResponse(200, this.#image);
				} catch (e) {
					this.#transferFailed(e);
					throw toHttp(e);
				}
			},
			abort: (reason) => this.#abortTransfer(id, reason),
		};
	}

	/** DELETE /api/update/images/{id}: cancel an upload or discard a staged image. */
	deleteImage(id: number): void {
		this.image(id);
		if (this.#state === "RUNNING") throw apiError("update_running", "The image is being installed; it can't be deleted now.");
		if (this.#transfer) this.#abortTransfer(id, "deleted by the owner");
		this.#discardStaged();
		this.#image = undefined;
		if (this.#state === "INITIALIZED" || this.#state === "INITIALIZING") this.#set("IDLE", DESCRIPTIONS.IDLE);
	}

	// ---- lifecycle (the system-update API) ---------------------------------------------

	/** POST /api/update/init: check every guard and prepare. */
	init(): void {
		if (this.#state === "INITIALIZED") return;
		this.#set("INITIALIZING", DESCRIPTIONS.INITIALIZING);
		try {
			this.#installGuards();
		} catch (e) {
			this.#set("IDLE", DESCRIPTIONS.IDLE);
			throw e;
		}
		this.#targetVersion = this.#image!.version;
		this.#set("INITIALIZED", `Ready to install ${this.#targetVersion}.`);
	}

	/** POST /api/update/start: switch the boot slot; the response's afterSend restarts. */
	start(): () => void {
		if (this.#state !== "INITIALIZED") throw apiError("not_initialized", "Call init first: the update must be checked before it starts.");
		this.#installGuards();
		return this.#switchAndRestart();
	}

	/** POST /api/update/reset: back to IDLE; a staged image is discarded. */
	reset(): void {
		if (this.#state === "RUNNING")
			throw apiError(
				"update_running",
				"An install is running; it can't be reset. If the board does not come back, it returns to the previous firmware by itself.",
			);
		if (this.#transfer && this.#image) this.#abortTransfer(this.#image.id, "reset by the owner");
		this.#discardStaged();
		this.#image = undefined;
		this.#targetVersion = undefined;
		this.#set("IDLE", DESCRIPTIONS.IDLE);
	}

	/**
	 * POST /api/update/install (OpenHaldex's update API): the whole transaction in one call.
	 * The staged VALID image if there is one, else the available remote
	 * update (download, validate, install), else 409 nothing_to_install.
	 * Returns the restart to run once the response is sent (undefined when
	 * a download started and the restart comes later).
	 */
	install(): (() => void) | undefined {
		this.#refuseWhileBusy();
		if (this.#image?.state === "VALID") {
			this.#installGuards();
			this.#targetVersion = this.#image.version;
			this.#set("INITIALIZED", `Ready to install ${this.#targetVersion}.`);
			return this.#switchAndRestart();
		}
		const remote = this.#deps.remote;
		if (remote?.summary().available) {
			this.#vehicleGuard();
			const started = remote.installAvailable(
				(options) => this.beginTransfer("fetch", options),
				() => {
					try {
						this.#installGuards();
						this.#targetVersion = this.#image?.version;
						this.#switchAndRestart()();
					} catch (e) {
						const message = e instanceof Error ? e.message : String(e);
						this.#set("FAILED_GRACEFUL", `The downloaded update was not installed: ${message}`);
						this.#deps.logger.log("error", `the downloaded update was not installed: ${message}`);
					}
				},
				(code, message) => {
					this.#set("FAILED_GRACEFUL", `The download did not complete (${code}): ${message} The running firmware is unchanged.`);
				},
			);
			if (started) {
				this.#set("INITIALIZING", `Downloading ${remote.summary().latest}; it installs when the download is checked.`);
				this.#targetVersion = remote.summary().latest;
				return undefined;
			}
		}
		throw apiError("nothing_to_install", "There is no update to install: upload a firmware file or check for updates first.");
	}

	// ---- internals -------------------------------------------------------

	#currentVersion(): string {
		return (this.#current ??= runningImage(this.#deps.ota).version);
	}

	#switchAndRestart(): () => void {
		this.#set("RUNNING", `Installing ${this.#targetVersion}: the board restarts now.`);
		this.#hold("installing an update");
		try {
			this.#deps.stager.install();
		} catch (e) {
			const critical = e instanceof OtaError && e.code === "ota_write_failed";
			this.#set(critical ? "FAILED_CRITICAL" : "FAILED_GRACEFUL", e instanceof Error ? e.message : String(e));
			this.#release("the install did not start");
			throw toHttp(e);
		}
		this.#deps.onEvent?.("update", `installing ${this.#targetVersion}; restarting into it`);
		return () => {
			if (!this.#deps.boot.restartAllowed()) {
				this.#deps.logger.log("error", "restart refused: the running image is still on trial");
				return;
			}
			this.#deps.restart.restart(`installing ${this.#targetVersion}`);
		};
	}

	#installGuards(): void {
		this.#refuseWhileBusy();
		if (this.#image?.state !== "VALID") throw apiError("nothing_to_install", "There is no validated firmware image to install: upload one first.");
		this.#vehicleGuard();
	}

	#refuseWhileBusy(): void {
		if (this.#transfer) throw apiError("update_busy", "Another firmware transfer is running; wait for it to finish.");
		if (this.#state === RUNNING && this.#deps.boot.phase !== VERIFYING) throw apiError("update_running", "An install is already running.");
		if (this.#deps.ota.runningState() === "PENDING_VERIFY")
			throw apiError("pending_verify", "The firmware installed last is still being checked (about 30 s after it starts); try again once it is confirmed.");
	}

	#vehicleGuard(): void {
		const v = this.#deps.vehicle?.();
		if (!v) return;
		const fresh = (age: number) => isFresh(age, this.#options.telemetryFreshMs);
		if (isMoving(v, this.#options.telemetryFreshMs))
			throw apiError("vehicle_moving", `The car is moving (${Math.round(v.speedKmh)} km/h). Stop and switch the engine off before updating.`);
		if (fresh(v.engineAgeMs) && v.rpm > 0) throw apiError("engine_running", "The engine is running. Switch it off (ignition on is fine) before updating.");
	}

	#followBoot(): void {
		const boot = this.#deps.boot.status;
		if (boot.phase === "CONFIRMED") {
			this.#deps.timers.cancel(this.#watch);
			this.#watch = undefined;
			this.#targetVersion = undefined;
			this.#set("IDLE", `Updated to ${boot.version}; the new firmware passed its checks.`);
			this.#release("the new firmware is confirmed");
			this.#deps.onEvent?.("update", this.#description);
			this.#deps.onConfirmed?.();
		}
	}

	#transferFailed(e: unknown): void {
		const error = e instanceof OtaError ? e : undefined;
		const rejected = error && isImageRejection(error.code);
		if (this.#image) {
			this.#image.state = rejected ? "INVALID" : "UPLOAD_ERROR";
			this.#image.state_description = error?.message ?? String(e);
			this.#image.error = { code: error?.code ?? "transfer_failed", message: this.#image.state_description };
		}
		this.#finishTransfer();
	}

	#abortTransfer(id: number, reason: string): void {
		if (!this.#transfer || this.#image?.id !== id) return;
		this.#deps.stager.abort(reason);
		this.#image.state = "UPLOAD_ERROR";
		this.#image.state_description = `The transfer did not complete: ${reason}. The slot was freed; upload again.`;
		this.#image.error = { code: "transfer_incomplete", message: this.#image.state_description };
		this.#deps.logger.log("warn", `image ${id}: ${reason}`);
		this.#finishTransfer();
	}

	#stalled(id: number, reason: string): void {
		this.#stalledId = id;
		this.#abortTransfer(id, reason);
	}

	#stoppedError(id: number): HttpError {
		return this.#stalledId === id
			? apiError("upload_stalled", "The upload was too slow and was stopped; the slot was freed. Upload again.")
			: apiError("transfer_aborted", "This transfer was stopped (it was cancelled).");
	}

	#finishTransfer(): void {
		this.#cancelStall();
		this.#lastTransfer = this.#transfer;
		this.#transfer = undefined;
	}

	/**
	 * One timer for the whole upload, not one per chunk. When it fires, the
	 * upload is aborted (its slot freed) if no byte came for stallMs, or if the
	 * last stallMs window brought fewer than minBytesPerStall bytes (a trickle
	 * of 1 byte every 10 s used to hold the slot for ever); otherwise it is set
	 * again for the next moment either rule could trip.
	 */
	#armStall(delayMs = this.#options.stallMs): void {
		this.#cancelStall();
		const t = this.#transfer;
		// A download has its own stall watchdog that resumes with Range and
		// aborts the sink when it gives up; only uploads are timed out here.
		if (!t || t.kind === "fetch") return;
		const id = this.#image!.id;
		t.stall = this.#deps.timers.after(Math.max(1, delayMs), () => {
			if (this.#transfer !== t) return;
			const now = this.#deps.clock.monotonicMs();
			const stall = this.#options.stallMs,
				secs = Math.round(stall / 1000);
			const idle = now - t.lastByteMs;
			if (idle >= stall) return this.#stalled(id, `no data arrived for ${secs} s`);
			if (now - t.windowStartMs >= stall) {
				const got = t.received - t.windowBytes;
				if (got < this.#options.minBytesPerStall) return this.#stalled(id, `only ${got} bytes arrived in ${secs} s`);
				t.windowStartMs = now;
				t.windowBytes = t.received;
			}
			this.#armStall(Math.min(stall - idle, stall - (now - t.windowStartMs)));
		});
	}

	#cancelStall(): void {
		if (this.#transfer?.stall) this.#deps.timers.cancel(this.#transfer.stall);
	}

	#discardStaged(): void {
		this.#deps.stager.discard();
	}

	#nextImageId(): number {
		const stored = this.#deps.store.get(OTA_DOMAIN, "imageId");
		const id = (typeof stored === "number" ? stored : 0) + 1;
		this.#deps.store.set(OTA_DOMAIN, "imageId", id);
		return id;
	}

	#hold(reason: string): void {
		this.#held ??= this.#deps.hold?.hold(reason);
	}

	/** End the service's own hold (whatever reason it was taken with); `why` goes to the log. */
	#release(why: string): void {
		if (!this.#held) return;
		this.#deps.logger.log("info", `update service releases its STOCK hold: ${why}`);
		this.#held.release();
		this.#held = undefined;
	}

	/** @hot */
	#stage(): string {
		if (this.#transfer) return this.#image?.state === VALIDATING_IMAGE ? STAGE_VALIDATING : this.#transfer.kind === FETCH ? STAGE_DOWNLOADING : STAGE_UPLOADING;
		switch (this.#state) {
			case RUNNING:
				return this.#deps.boot.phase === VERIFYING ? STAGE_VERIFYING : STAGE_RESTARTING;
			case INITIALIZING:
				return STAGE_PREPARING;
			case INITIALIZED:
				return STAGE_READY;
			case FAILED_GRACEFUL:
			case FAILED_CRITICAL:
				return STAGE_FAILED;
		}
		return this.#image?.state === VALID_IMAGE ? STAGE_STAGED : STAGE_IDLE;
	}

	#set(state: UpdateState, description: string, time?: number): void {
		this.#state = state;
		this.#description = description;
		this.#stateTime = time ?? epochSeconds(this.#deps.clock);
	}
}

/** Telemetry this recent still describes the car (an engine-off bus goes silent). */
export function isFresh(ageMs: number, freshMs = DEFAULT_UPDATE_OPTIONS.telemetryFreshMs): boolean {
	return ageMs >= 0 && ageMs <= freshMs;
}

/** Moving, by the latest fresh telemetry. */
export function isMoving(v: Pick<VehicleState, "speedKmh" | "speedAgeMs">, freshMs = DEFAULT_UPDATE_OPTIONS.telemetryFreshMs): boolean {
	return isFresh(v.speedAgeMs, freshMs) && v.speedKmh > 0;
}

/** Pipeline errors as HTTP errors, with the table's status (api/error-codes). */
export function toHttp(e: unknown): unknown {
	return e instanceof OtaError ? apiError(e.code, e.message) : e;
}
