/*
 * A resumable download into the OTA pipeline: HTTP GET, bytes streamed into
 * one BodySink (UpdateService.beginTransfer), resumed with Range after a cut.
 *
 * Why resuming can feed the same sink: the image validator keeps its
 * SHA-256 state and checksum fold in memory, and the sink has seen exactly
 * `received` bytes, so the download asks for `Range: bytes=<received>-` and
 * keeps writing. Nothing is re-hashed and nothing is buffered. (After a
 * reboot the sink is gone; the download simply starts again.)
 *
 *   start: begin() the sink (its errors, e.g. 409 update_busy, go to the caller)
 *   request ──head──> 200/206: stream ──end──> sink.end(): VALID -> onDone
 *      │                 │ cut / stall / 5xx / 408 / 429
 *      │                 └──> wait (1 s, 2 s, 4 s, ... capped) ──> request again with Range
 *      │                      (no Range support: abort the sink, begin a new one, from 0)
 *      └── 404 / 401 / 403 / other status, TLS failure, an image rejection,
 *          too many failed attempts ──> sink.abort (slot freed) -> onFailed
 *
 * A 200 after a Range request (the server ignored it) or a 206 starting
 * elsewhere restarts from zero with a fresh sink. The retry budget counts
 * failed attempts in a row; an attempt that delivered bytes resets it.
 * A response with no bytes for stallMs counts as a cut.
 *
 * Note the service's own idle timeout (UpdateService stallMs, 30 s): the
 * defaults here keep a cut-and-resume well inside it; if the server stays
 * away longer, the service frees the slot and the next write fails with
 * transfer_aborted, which ends the download.
 */

import { HttpError } from "api/errors";
import type { BodySink } from "api/router";
import type { Response } from "api/http";
import type { Clock } from "ports/clock";
import type { Timers, TimerHandle } from "ports/timers";
import type { Logger } from "ports/log";
import type { HttpClient, HttpExchange, HttpFailure, HttpResponseHead } from "ports/http-client";
import type { StageOptions } from "ota/stager";
import { frozen } from "util/frozen";

export type BeginTransfer = (options: StageOptions & { total?: number }) => BodySink;

export interface DownloadOptions {
	/** Failed attempts in a row before giving up (an attempt that delivered bytes resets the count). */
	maxRetries: number;
	/** All attempts of one download, progress or not. */
	maxAttempts: number;
	/** First wait before a retry; doubled each failed attempt in a row. */
	backoffMs: number;
	backoffMaxMs: number;
	/** No response head or no body byte for this long: the attempt counts as cut. */
	stallMs: number;
}

export const DEFAULT_DOWNLOAD_OPTIONS: DownloadOptions = frozen({ maxRetries: 5, maxAttempts: 40, backoffMs: 1000, backoffMaxMs: 8000, stallMs: 10_000 });

export interface DownloadDeps {
	http: HttpClient;
	clock: Clock;
	timers: Timers;
	logger: Logger;
}

export interface DownloadRequest {
	url: string;
	/** Sent with every attempt (e.g. x-access-token); Range is added by the download. */
	headers: [string, string][];
	stage: StageOptions & { total?: number };
	begin: BeginTransfer;
}

export type DownloadState = "downloading" | "waiting" | "done" | "failed";

export interface DownloadStatus {
	url: string;
	state: DownloadState;
	/** Bytes fed to the current sink. */
	received: number;
	/** The file's size once known (metadata, Content-Length or Content-Range); 0 when unknown. */
	total: number;
	attempts: number;
	/** Attempts that continued with Range. */
	resumes: number;
	/** Times the download started again from zero (server without Range). */
	restarts: number;
	/** Failed attempts in a row (the retry budget used). */
	failuresInRow: number;
	/** Why the last attempt ended early, while waiting to retry. */
	lastProblem?: string;
	error?: { code: string; message: string };
}

export interface DownloadEvents {
	onDone(response: Response): void;
	onFailed(code: string, message: string): void;
}

const RETRYABLE_STATUS = frozen([408, 429, 500, 502, 503, 504]);

export class Download {
	readonly #deps: DownloadDeps;
	readonly #request: DownloadRequest;
	readonly #options: DownloadOptions;
	readonly #events: DownloadEvents;
	#state: DownloadState = "downloading";
	#sink: BodySink | undefined;
	#exchange: HttpExchange | undefined;
	#timer: TimerHandle | undefined;
	#stall: TimerHandle | undefined;
	#received = 0;
	#total: number | undefined;
	/** Resume with Range: the server advertised Accept-Ranges or answered 206. */
	#resumable = false;
	/** The current attempt's response is being streamed into the sink. */
	#streaming = false;
	#startOfAttempt = 0;
	#attempts = 0;
	#resumes = 0;
	#restarts = 0;
	#failuresInRow = 0;
	#lastProblem: string | undefined;
	#error: { code: string; message: string } | undefined;

	constructor(deps: DownloadDeps, request: DownloadRequest, events: DownloadEvents, options: Partial<DownloadOptions> = {}) {
		this.#deps = deps;
		this.#request = request;
		this.#events = events;
		this.#options = { ...DEFAULT_DOWNLOAD_OPTIONS, ...options };
		this.#total = request.stage.total;
	}

	/** Begin the transfer (throws what begin throws, e.g. HttpError 409) and send the first request. */
	start(): void {
		this.#sink = this.#request.begin(this.#request.stage);
		this.#attempt();
	}

	/** Stop now: the connection closes and the sink is aborted (slot freed). */
	cancel(reason: string): void {
		if (this.#state === "done" || this.#state === "failed") return;
		this.#fail("download_cancelled", `The download was cancelled: ${reason}.`);
	}

	get finished(): boolean {
		return this.#state === "done" || this.#state === "failed";
	}

	get status(): DownloadStatus {
		return {
			url: this.#request.url,
			state: this.#state,
			received: this.#received,
			total: this.#total ?? 0,
			attempts: this.#attempts,
			resumes: this.#resumes,
			restarts: this.#restarts,
			failuresInRow: this.#failuresInRow,
			...(this.#state === "waiting" && this.#lastProblem ? { lastProblem: this.#lastProblem } : {}),
			...(this.#error ? { error: { ...this.#error } } : {}),
		};
	}

	// ---- one attempt -----------------------------------------------------

	#attempt(): void {
		this.#timer = undefined;
		if (this.finished) return;
		if (this.#received > 0 && !this.#resumable) {
			if (!this.#restartFromZero("the server does not support resuming (no Accept-Ranges)")) return;
		}
		this.#state = "downloading";
		this.#attempts++;
		this.#startOfAttempt = this.#received;
		this.#streaming = false;
		const headers = this.#request.headers.slice();
		if (this.#received > 0) {
			headers.push(["Range", `bytes=${this.#received}-`]);
			this.#resumes++;
		}
		this.#armStall();
		const exchange = this.#deps.http.get(
			{ url: this.#request.url, headers },
			{
				onHead: (head) => {
					if (this.#exchange === exchange) this.#onHead(head);
				},
				onData: (chunk) => {
					if (this.#exchange === exchange) this.#onData(chunk);
				},
				onEnd: () => {
					if (this.#exchange === exchange) this.#onEnd();
				},
				onError: (failure, detail) => {
					if (this.#exchange === exchange) this.#onError(failure, detail);
				},
			},
		);
		this.#exchange = exchange;
	}

	#onHead(head: HttpResponseHead): void {
		this.#armStall();
		setClockFromDate(this.#deps.clock, head.headers.date);
		const { status, headers } = head;
		if (status === 200 || status === 206) {
			const length = toSize(headers["content-length"]);
			if (status === 206) {
				const range = parseContentRange(headers["content-range"]);
				if (!range || range.start !== this.#received || this.#received === 0) {
					// A range we did not ask for: trust nothing, start over.
					this.#resumable = false;
					this.#retry(`the server answered a range we did not ask for (${headers["content-range"] ?? "no Content-Range"})`);
					return;
				}
				this.#resumable = true;
				if (!this.#sameSize(range.total)) return;
			} else {
				this.#resumable = /\bbytes\b/i.test(headers["accept-ranges"] ?? "");
				if (this.#received > 0) {
					// We asked for a range and got the whole file: start over with a fresh sink, on this response.
					if (!this.#restartFromZero("the server ignored the Range request and sent the whole file")) return;
					this.#startOfAttempt = 0;
				}
				if (length !== undefined && !this.#sameSize(length)) return;
			}
			this.#streaming = true;
			return;
		}
		if (status === 404) {
			this.#fail("file_not_found", `The server has no active file at ${this.#request.url} (404): it was removed or deactivated.`);
			return;
		}
		if (status === 401 || status === 403) {
			this.#fail(
				"bad_token",
				`The server refused the access token (${status}${status === 401 ? ": missing or unknown" : ": not allowed"}); check the update server settings.`,
			);
			return;
		}
		if (status === 416) {
			this.#resumable = false;
			this.#retry("the server could not serve the remaining range (416)");
			return;
		}
		if (RETRYABLE_STATUS.includes(status)) {
			this.#retry(`the server answered ${status}`);
			return;
		}
		this.#fail("server_error", `The server answered ${status} to the download.`);
	}

	#onData(chunk: Uint8Array): void {
		if (!this.#streaming || !chunk.length) return;
		this.#armStall();
		if (this.#total !== undefined && this.#received + chunk.length > this.#total) {
			this.#fail("size_mismatch", `The server sent more than the ${this.#total} bytes it announced.`);
			return;
		}
		try {
			this.#sink!.write(chunk);
		} catch (e) {
			// The pipeline refused the bytes (image rejected, slot failure, transfer stopped): final.
			this.#failFrom(e);
			return;
		}
		this.#received += chunk.length;
		this.#failuresInRow = 0;
	}

	#onEnd(): void {
		if (!this.#streaming) {
			// A body we ignored (an error status handled in onHead) ended.
			return;
		}
		if (this.#total !== undefined && this.#received < this.#total) {
			this.#retry(`the body ended after ${this.#received} of ${this.#total} bytes`);
			return;
		}
		this.#cancelTimers();
		this.#exchange = undefined;
		let response: Response;
		try {
			response = this.#sink!.end();
		} catch (e) {
			this.#failFrom(e);
			return;
		}
		this.#sink = undefined;
		this.#state = "done";
		this.#deps.logger.log("info", `download of ${this.#request.url} complete: ${this.#received} bytes in ${this.#attempts} attempt(s)`);
		this.#events.onDone(response);
	}

	#onError(failure: HttpFailure, detail: string): void {
		if (failure === "tls") {
			this.#fail("tls_failed", `The secure connection to the server failed (${detail}); check the server's certificate and the board's CA.`);
			return;
		}
		this.#retry(failure === "unreachable" ? `the server could not be reached (${detail})` : `the connection was cut (${detail})`);
	}

	// ---- retry, restart, failure -------------------------------------------

	#retry(problem: string): void {
		this.#closeExchange();
		this.#cancelTimers();
		this.#streaming = false;
		if (this.#received > this.#startOfAttempt) this.#failuresInRow = 0;
		this.#failuresInRow++;
		if (this.#failuresInRow > this.#options.maxRetries || this.#attempts >= this.#options.maxAttempts) {
			this.#fail("download_failed", `The download stopped after ${this.#attempts} attempts (${this.#received} bytes received): ${problem}.`);
			return;
		}
		const wait = Math.min(this.#options.backoffMaxMs, this.#options.backoffMs * 2 ** (this.#failuresInRow - 1));
		this.#state = "waiting";
		this.#lastProblem = problem;
		this.#deps.logger.log("warn", `download: ${problem}; retrying in ${wait} ms from byte ${this.#resumable ? this.#received : 0}`);
		this.#timer = this.#deps.timers.after(wait, () => this.#attempt());
	}

	/** Abort the sink and begin a fresh one; false (and failed) when the pipeline refuses. */
	#restartFromZero(why: string): boolean {
		this.#deps.logger.log("warn", `download: ${why}; starting again from byte 0`);
		this.#sink?.abort(`${why}; starting again from byte 0`);
		this.#sink = undefined;
		this.#received = 0;
		this.#restarts++;
		try {
			this.#sink = this.#request.begin(this.#request.stage);
		} catch (e) {
			this.#failFrom(e);
			return false;
		}
		return true;
	}

	#sameSize(size: number | undefined): boolean {
		if (size === undefined) return true;
		if (this.#total === undefined) {
			this.#total = size;
			return true;
		}
		if (size === this.#total) return true;
		this.#fail("size_mismatch", `The file on the server is ${size} bytes, not the ${this.#total} announced.`);
		return false;
	}

	#failFrom(e: unknown): void {
		if (e instanceof HttpError) this.#fail(e.code, e.message);
		else this.#fail("download_failed", e instanceof Error ? e.message : String(e));
	}

	#fail(code: string, message: string): void {
		if (this.finished) return;
		this.#closeExchange();
		this.#cancelTimers();
		this.#state = "failed";
		this.#error = { code, message };
		const sink = this.#sink;
		this.#sink = undefined;
		try {
			sink?.abort(message);
		} catch (e) {
			this.#deps.logger.log("error", `download: aborting the transfer failed: ${e instanceof Error ? e.message : String(e)}`);
		}
		this.#deps.logger.log("warn", `download of ${this.#request.url} failed (${code}): ${message}`);
		this.#events.onFailed(code, message);
	}

	#closeExchange(): void {
		const ex = this.#exchange;
		this.#exchange = undefined;
		ex?.abort();
	}

	#armStall(): void {
		if (this.#stall) this.#deps.timers.cancel(this.#stall);
		this.#stall = this.#deps.timers.after(this.#options.stallMs, () => {
			this.#stall = undefined;
			this.#retry(`no data for ${Math.round(this.#options.stallMs / 1000)} s`);
		});
	}

	#cancelTimers(): void {
		this.#deps.timers.cancel(this.#stall);
		this.#deps.timers.cancel(this.#timer);
		this.#stall = undefined;
		this.#timer = undefined;
	}
}

function toSize(text: string | undefined): number | undefined {
	if (text === undefined || !/^\d{1,12}$/.test(text.trim())) return undefined;
	return Number(text.trim());
}

/** "bytes 100-999/1000" -> {start 100, end 999, total 1000}; total undefined for "/*". */
export function parseContentRange(text: string | undefined): { start: number; end: number; total?: number } | undefined {
	const m = /^bytes (\d{1,12})-(\d{1,12})\/(\d{1,12}|\*)$/.exec((text ?? "").trim());
	if (!m) return undefined;
	const start = Number(m[1]),
		end = Number(m[2]);
	if (end < start) return undefined;
	return { start, end, total: m[3] === "*" ? undefined : Number(m[3]) };
}

const MONTHS = frozen(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]);

/** RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") to epoch ms; undefined otherwise. */
export function parseHttpDate(text: string | undefined): number | undefined {
	const m = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec((text ?? "").trim());
	if (!m) return undefined;
	const month = MONTHS.indexOf(m[2]);
	const day = Number(m[1]),
		hour = Number(m[4]),
		minute = Number(m[5]),
		second = Number(m[6]);
	if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
	return Date.UTC(Number(m[3]), month, day, hour, minute, second);
}

/** 2024-01-01 .. 2100-01-01, as the browser time route accepts. */
const PLAUSIBLE_FROM = 1_704_067_200_000,
	PLAUSIBLE_TO = 4_102_444_800_000;

/** The server's Date header sets the wall clock while nothing better has (source "server"). Returns whether it did. */
export function setClockFromDate(clock: Clock, date: string | undefined): boolean {
	if (clock.source() !== "none") return false;
	const ms = parseHttpDate(date);
	if (ms === undefined || ms < PLAUSIBLE_FROM || ms >= PLAUSIBLE_TO) return false;
	return clock.setWallMs(ms, "server");
}
