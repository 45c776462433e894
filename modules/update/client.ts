/*
 * The update client: asks the OTA file server (the fleet OTA file API, v2) which firmware
 * exists for our module, remembers the best offer, and downloads it through
 * the OTA pipeline when the owner installs it. It is the RemoteUpdates the
 * UpdateService consults for GET /api/update and POST /api/update/install.
 *
 * - check(): GET {url}/api/v2/ota-files?module=..&isActive=1 with
 *   x-access-token, without blocking the caller; the outcome lands in
 *   summary(): latest, available, lastCheckMs (ms since boot, 0 = never),
 *   checkError (a sentence) and checkErrorCode:
 *     not_configured  no server URL set
 *     offline         the board is not joined to a network
 *     unreachable     DNS, connection refused, cut before an answer
 *     tls_failed      certificate or handshake failure
 *     timeout         no complete answer within checkTimeoutMs
 *     bad_token       401 (token missing or unknown) or 403 (wrong token)
 *     server_error    any other non-200 status
 *     malformed_list  not a JSON array, or larger than listLimitBytes
 * - A check runs by itself once a day while joined to a network, never while
 *   the car is driving, and not while a download runs.
 * - installAvailable() / fetch(): a resumable Download into beginTransfer.
 *   The access token is only sent to URLs under the configured server.
 */

import type { BodySink } from "api/router";
import type { Clock } from "ports/clock";
import type { Timers, TimerHandle } from "ports/timers";
import type { KeyValueStore } from "ports/store";
import type { Logger } from "ports/log";
import type { HttpClient, HttpExchange } from "ports/http-client";
import type { StageOptions } from "ota/stager";
import type { RemoteUpdates, RemoteUpdateSummary } from "update/service";
import { utf8Decode } from "util/utf8";
import { fromHex } from "util/hex";
import { Download, setClockFromDate, type BeginTransfer, type DownloadOptions, type DownloadStatus } from "update/download";
import { chooseUpdate, parseOtaFileList, type OtaFile } from "update/release-list";
import { frozen } from "util/frozen";
import {
	authHeaders,
	fileUrl,
	isOnServer,
	listUrl,
	loadServerSettings,
	saveServerSettings,
	viewServerSettings,
	type ServerSettings,
	type ServerSettingsView,
} from "update/server-settings";
import { apiError } from "api/error-codes";

export type CheckErrorCode = "" | "not_configured" | "offline" | "unreachable" | "tls_failed" | "timeout" | "bad_token" | "server_error" | "malformed_list";

export interface UpdateClientDeps {
	http: HttpClient;
	store: KeyValueStore;
	clock: Clock;
	timers: Timers;
	logger: Logger;
	/** The running firmware's version (descriptor, e.g. "0.1.0+ohxs"). */
	runningVersion(): string;
	/** Joined to a network that may reach the server (station mode with an IP). */
	online(): boolean;
	/** The car is moving: no automatic check then. */
	isDriving(): boolean;
}

export interface UpdateClientOptions {
	/** A check with no complete answer by then fails with timeout. */
	checkTimeoutMs: number;
	/** The largest list body accepted (bytes): the list is parsed whole. */
	listLimitBytes: number;
	/** Automatic check period. */
	dailyMs: number;
	/** How often the automatic check looks at its conditions. */
	pollMs: number;
	/** The first automatic check waits this long after start (Wi-Fi settles, HTTP is up). */
	firstCheckDelayMs: number;
	download: Partial<DownloadOptions>;
}

export const DEFAULT_CLIENT_OPTIONS: UpdateClientOptions = frozen({
	checkTimeoutMs: 20_000,
	listLimitBytes: 16 * 1024,
	dailyMs: 24 * 3600_000,
	pollMs: 10 * 60_000,
	firstCheckDelayMs: 60_000,
	download: {},
});

export interface ClientSummary extends RemoteUpdateSummary {
	checkErrorCode: CheckErrorCode;
	checking: boolean;
}

export interface Offer {
	id: string;
	version: string;
	size?: number;
	sha256?: string;
	downgrade: boolean;
}

interface DownloadRecord {
	kind: "update" | "url";
	version?: string;
	download: Download;
}

export class UpdateClient implements RemoteUpdates {
	readonly #deps: UpdateClientDeps;
	readonly #options: UpdateClientOptions;
	#latest = "";
	#offer: Offer | undefined;
	#lastCheckMs = 0;
	/** Monotonic time the last check (automatic or asked) started; undefined before the first. */
	#lastAttemptMs: number | undefined;
	#checkError = "";
	#checkErrorCode: CheckErrorCode = "";
	#skipped = 0;
	#check: { exchange: HttpExchange; timeout: TimerHandle } | undefined;
	#download: DownloadRecord | undefined;
	#poll: TimerHandle | undefined;
	#startedMs = 0;

	constructor(deps: UpdateClientDeps, options: Partial<UpdateClientOptions> = {}) {
		this.#deps = deps;
		this.#options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
	}

	/** Arm the daily check. */
	start(): void {
		this.stop();
		this.#startedMs = this.#deps.clock.monotonicMs();
		this.#poll = this.#deps.timers.every(Math.min(this.#options.pollMs, this.#options.firstCheckDelayMs), () => this.#automatic());
	}

	/** Stop timers and close connections (reboot, shutdown). A running download is cancelled. */
	stop(): void {
		this.#deps.timers.cancel(this.#poll);
		this.#poll = undefined;
		this.#endCheck();
		if (this.#download && !this.#download.download.finished) this.#download.download.cancel("the update client stopped");
	}

	// ---- settings ------------------------------------------------------------

	settings(): ServerSettingsView {
		return viewServerSettings(loadServerSettings(this.#deps.store));
	}

	/** POST /api/update/server: validate and store; a changed server forgets the last result. */
	configure(patch: unknown): ServerSettingsView {
		const before = loadServerSettings(this.#deps.store);
		const after = saveServerSettings(this.#deps.store, patch);
		if (after.url !== before.url || after.module !== before.module || after.token !== before.token) {
			this.#endCheck();
			this.#setResult("", undefined, "", "");
			this.#lastCheckMs = 0;
			this.#lastAttemptMs = undefined;
		}
		return viewServerSettings(after);
	}

	// ---- checking --------------------------------------------------------------

	get available(): boolean {
		return this.#offer !== undefined;
	}

	summary(): ClientSummary {
		return {
			latest: this.#latest,
			available: this.available,
			lastCheckMs: this.#lastCheckMs,
			checkError: this.#checkError,
			checkErrorCode: this.#checkErrorCode,
			checking: this.#check !== undefined,
		};
	}

	get offer(): Offer | undefined {
		return this.#offer ? { ...this.#offer } : undefined;
	}

	/**
	 * Start a check; true while it runs (the answer comes later), false when it
	 * already finished (offline). Throws HttpError 409 when no server is
	 * configured or a download runs. A check already running is reused.
	 */
	check(options: { allowDowngrade?: boolean } = {}): boolean {
		const settings = loadServerSettings(this.#deps.store);
		if (!settings.url) throw apiError("update_server_not_configured", "No update server is set: POST /api/update/server with its url (and token) first.");
		if (this.#downloading()) throw apiError("update_busy", "A firmware download is running; check again when it has finished.");
		if (this.#check) return true;
		if (!this.#deps.online()) {
			this.#finishCheck("offline", "The board is not joined to a network with internet access; connect it to Wi-Fi, then check again.");
			return false;
		}
		this.#lastAttemptMs = this.#deps.clock.monotonicMs();
		this.#startCheck(settings, options.allowDowngrade === true);
		return true;
	}

	#startCheck(settings: ServerSettings, allowDowngrade: boolean): void {
		const url = listUrl(settings);
		const parts: Uint8Array[] = [];
		let size = 0;
		let status = 0;
		let tooLarge = false;
		const timeout = this.#deps.timers.after(this.#options.checkTimeoutMs, () => {
			this.#finishCheck("timeout", `The update server did not answer within ${Math.round(this.#options.checkTimeoutMs / 1000)} s.`);
		});
		const mine = () => this.#check?.exchange === exchange;
		const exchange = this.#deps.http.get(
			{ url, headers: [...authHeaders(settings), ["accept", "application/json"]] },
			{
				onHead: (head) => {
					if (!mine()) return;
					status = head.status;
					setClockFromDate(this.#deps.clock, head.headers.date);
					if (status === 401 || status === 403) {
						this.#finishCheck(
							"bad_token",
							status === 401
								? "The update server wants an access token (401): set the token in the update server settings."
								: "The update server refused the access token (403): check the token in the update server settings.",
						);
					} else if (status !== 200) {
						this.#finishCheck(
							"server_error",
							status === 404
								? `There is no OTA file list at ${settings.url} (404): check the server URL.`
								: `The update server answered ${status}; try again later.`,
						);
					}
				},
				onData: (chunk) => {
					if (!mine()) return;
					size += chunk.length;
					if (size > this.#options.listLimitBytes) {
						tooLarge = true;
						this.#finishCheck("malformed_list", `The server's file list is larger than ${this.#options.listLimitBytes} bytes.`);
						return;
					}
					parts.push(chunk);
				},
				onEnd: () => {
					if (!mine() || tooLarge) return;
					this.#listArrived(settings, concat(parts, size), allowDowngrade);
				},
				onError: (failure, detail) => {
					if (!mine()) return;
					if (failure === "tls") this.#finishCheck("tls_failed", `The secure connection to the update server failed (${detail}).`);
					else this.#finishCheck("unreachable", `The update server could not be reached (${detail}).`);
				},
			},
		);
		this.#check = { exchange, timeout };
		this.#deps.logger.log("info", `checking ${url} for updates`);
	}

	#listArrived(settings: ServerSettings, body: Uint8Array, allowDowngrade: boolean): void {
		let text: string;
		try {
			text = utf8Decode(body);
		} catch {
			this.#finishCheck("malformed_list", "The server's file list is not text.");
			return;
		}
		const parsed = parseOtaFileList(text);
		if (!parsed.ok) {
			this.#finishCheck("malformed_list", parsed.message);
			return;
		}
		const running = this.#deps.runningVersion();
		const choice = chooseUpdate(parsed.files, settings.module, running, allowDowngrade);
		this.#skipped = parsed.skipped;
		const offer = choice.offer ? toOffer(choice.offer, choice.downgrade) : undefined;
		this.#endCheck();
		this.#lastCheckMs = this.#deps.clock.monotonicMs();
		this.#setResult(choice.latest?.version ?? "", offer, "", "");
		this.#deps.logger.log(
			"info",
			offer
				? `update ${offer.version} is available (running ${running})${offer.downgrade ? " as a downgrade" : ""}`
				: `no update: the server's latest for ${settings.module} is ${choice.latest?.version ?? "none"}, running ${running}`,
		);
	}

	#finishCheck(code: CheckErrorCode, message: string): void {
		this.#endCheck();
		this.#lastCheckMs = this.#deps.clock.monotonicMs();
		this.#setResult("", undefined, code, message);
		this.#deps.logger.log("warn", `update check failed (${code}): ${message}`);
	}

	#setResult(latest: string, offer: Offer | undefined, code: CheckErrorCode, message: string): void {
		this.#latest = latest;
		this.#offer = offer;
		this.#checkErrorCode = code;
		this.#checkError = message;
	}

	#endCheck(): void {
		const c = this.#check;
		this.#check = undefined;
		if (!c) return;
		this.#deps.timers.cancel(c.timeout);
		c.exchange.abort();
	}

	#automatic(): void {
		const now = this.#deps.clock.monotonicMs();
		if (now - this.#startedMs < this.#options.firstCheckDelayMs) return;
		if (this.#lastAttemptMs !== undefined && now - this.#lastAttemptMs < this.#options.dailyMs) return;
		if (this.#check || this.#downloading()) return;
		if (!loadServerSettings(this.#deps.store).url) return;
		if (!this.#deps.online() || this.#deps.isDriving()) return;
		this.#deps.logger.log("info", "daily update check");
		try {
			this.check();
		} catch (e) {
			this.#deps.logger.log("warn", `daily update check not started: ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	// ---- downloading -----------------------------------------------------------

	/**
	 * RemoteUpdates: download the offered update through `begin`, then call
	 * onValid (the service installs and restarts). False when nothing is
	 * offered or a download runs. Throws what begin throws (409 busy, ...).
	 * onFailed, when given, hears why a started download ended without a
	 * valid image (the slot is already freed).
	 */
	installAvailable(
		begin: (options: StageOptions & { total?: number }) => BodySink,
		onValid: () => void,
		onFailed?: (code: string, message: string) => void,
	): boolean {
		const offer = this.#offer;
		if (!offer || this.#downloading()) return false;
		const settings = loadServerSettings(this.#deps.store);
		if (!settings.url) return false;
		this.#startDownload(
			"update",
			fileUrl(settings, offer.id),
			{
				expectedSha256: offer.sha256 ? fromHex(offer.sha256) : undefined,
				total: offer.size,
				allowDowngrade: offer.downgrade || undefined,
			},
			begin,
			onValid,
			onFailed,
			offer.version,
		);
		return true;
	}

	/**
	 * POST /api/update/images/fetch: download any http(s) URL into the
	 * pipeline; the image ends VALID (install it like an upload) or
	 * INVALID / UPLOAD_ERROR. The access token goes along only when the URL
	 * is under the configured server.
	 */
	fetch(url: string, begin: BeginTransfer, stage: StageOptions & { total?: number } = {}): void {
		if (this.#downloading()) throw apiError("update_busy", "A firmware download is running already.");
		const settings = loadServerSettings(this.#deps.store);
		this.#startDownload("url", url, stage, begin, undefined, undefined, undefined, isOnServer(settings, url) ? authHeaders(settings) : []);
	}

	/** What the current or last download is doing (GET /api/update/remote). */
	downloadStatus(): (DownloadStatus & { kind: "update" | "url"; version?: string }) | undefined {
		const d = this.#download;
		return d ? { kind: d.kind, ...(d.version ? { version: d.version } : {}), ...d.download.status } : undefined;
	}

	#startDownload(
		kind: "update" | "url",
		url: string,
		stage: StageOptions & { total?: number },
		begin: BeginTransfer,
		onValid?: () => void,
		onFailed?: (code: string, message: string) => void,
		version?: string,
		headers?: [string, string][],
	): void {
		const settings = loadServerSettings(this.#deps.store);
		const download = new Download(
			this.#deps,
			{ url, headers: headers ?? authHeaders(settings), stage, begin },
			{
				onDone: () => {
					if (kind === "update") this.#offer = undefined;
					onValid?.();
				},
				onFailed: (code, message) => onFailed?.(code, message),
			},
			this.#options.download,
		);
		download.start();
		this.#download = { kind, version, download };
		this.#deps.logger.log("info", `downloading ${version ? `update ${version} from ` : ""}${url}`);
	}

	#downloading(): boolean {
		return this.#download !== undefined && !this.#download.download.finished;
	}

	/** GET /api/update/remote: settings, the last check and the download, for the web app and support. */
	remoteStatus() {
		return {
			server: this.settings(),
			running: this.#deps.runningVersion(),
			check: { ...this.summary(), offer: this.offer ?? null, skippedEntries: this.#skipped, lastAttemptMs: this.#lastAttemptMs ?? 0 },
			download: this.downloadStatus() ?? null,
		};
	}
}

function toOffer(f: OtaFile, downgrade: boolean): Offer {
	return { id: f.id, version: f.version, ...(f.size !== undefined ? { size: f.size } : {}), ...(f.sha256 ? { sha256: f.sha256 } : {}), downgrade };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
	const out = new Uint8Array(length);
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}
