/*
 * A scriptable HTTP client for firmware suites (portable: runs in XS, no
 * node:*, no timers). Requests queue up; nothing is answered until the test
 * says so, either by hand (req.respond / data / end / fail) or through a
 * `serve` function run by flush(). Like the real adapters it never calls
 * back inside get() and goes silent after abort().
 */

import type { HttpClient, HttpExchange, HttpFailure, HttpGetRequest, HttpResponseHandler } from "ports/http-client";
import { utf8Encode } from "util/utf8";

export class FakeRequest {
	readonly url: string;
	/** Request headers, names in lower case. */
	readonly headers: Record<string, string>;
	aborted = false;
	/** onEnd or onError was delivered. */
	finished = false;
	/** A serve function has handled it (flush() skips it). */
	served = false;
	status = 0;
	bytesSent = 0;
	readonly #handler: HttpResponseHandler;

	constructor(request: HttpGetRequest, handler: HttpResponseHandler) {
		this.url = request.url;
		this.headers = {};
		for (const [n, v] of request.headers ?? []) this.headers[n.toLowerCase()] = v;
		this.#handler = handler;
	}

	get open(): boolean {
		return !this.aborted && !this.finished;
	}

	respond(status: number, headers: Record<string, string> = {}): this {
		if (!this.open) return this;
		this.status = status;
		const lower: Record<string, string> = {};
		for (const name of Object.keys(headers)) lower[name.toLowerCase()] = headers[name];
		this.#handler.onHead({ status, headers: lower });
		return this;
	}

	data(bytes: Uint8Array | string): this {
		if (!this.open) return this;
		const chunk = typeof bytes === "string" ? utf8Encode(bytes) : bytes;
		this.bytesSent += chunk.length;
		this.#handler.onData(chunk);
		return this;
	}

	end(): this {
		if (!this.open) return this;
		this.finished = true;
		this.#handler.onEnd();
		return this;
	}

	fail(failure: HttpFailure, detail = "scripted failure"): this {
		if (!this.open) return this;
		this.finished = true;
		this.#handler.onError(failure, detail);
		return this;
	}

	/** A whole JSON answer. */
	json(status: number, value: unknown, headers: Record<string, string> = {}): this {
		const body = utf8Encode(typeof value === "string" ? value : JSON.stringify(value));
		return this.respond(status, { "content-type": "application/json", "content-length": String(body.length), ...headers })
			.data(body)
			.end();
	}
}

export class FakeHttpClient implements HttpClient {
	readonly requests: FakeRequest[] = [];
	/** Answers requests when flush() runs; may leave one open (a stall). */
	serve: ((req: FakeRequest) => void) | undefined;

	get(request: HttpGetRequest, handler: HttpResponseHandler): HttpExchange {
		const req = new FakeRequest(request, handler);
		this.requests.push(req);
		return {
			abort: () => {
				req.aborted = true;
			},
		};
	}

	get last(): FakeRequest {
		const req = this.requests[this.requests.length - 1];
		if (!req) throw new Error("no HTTP request was made");
		return req;
	}

	/** Requests still waiting for (the rest of) an answer. */
	get open(): FakeRequest[] {
		return this.requests.filter((r) => r.open);
	}

	/** Run `serve` on every request it has not seen yet, including ones made while serving. */
	flush(): number {
		let served = 0;
		for (let i = 0; i < this.requests.length; i++) {
			const req = this.requests[i];
			if (req.served || !req.open || !this.serve) continue;
			req.served = true;
			served++;
			this.serve(req);
		}
		return served;
	}
}

export interface FakeFileOptions {
	/** Answer 200 with the whole file, ignoring Range, and send no Accept-Ranges. */
	noRange?: boolean;
	/** Cut the connection when the file offset reaches each of these (each once). */
	cutAt?: number[];
	/** Send nothing more (leave the request open) once the file offset reaches this, once. */
	stallAt?: number;
	/** Bytes per data() call. */
	chunk?: number;
	/** Status for the n-th request (0-based) instead of serving the file. */
	statusFor?: (index: number) => number | undefined;
	date?: string;
}

/** A `serve` function for one file with Range support, cuts and stalls, like host/ota-server but in memory. */
export function serveFile(file: Uint8Array, options: FakeFileOptions = {}): (req: FakeRequest) => void {
	const cuts = [...(options.cutAt ?? [])].sort((a, b) => a - b);
	let stall = options.stallAt;
	let index = 0;
	const chunk = options.chunk ?? 1024;
	return (req) => {
		const n = index++;
		const forced = options.statusFor?.(n);
		const date: Record<string, string> = options.date ? { date: options.date } : {};
		if (forced !== undefined) {
			req.json(forced, { error: { code: "scripted", message: `status ${forced}` } }, date);
			return;
		}
		let start = 0;
		const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
		if (range && !options.noRange) {
			start = Number(range[1]);
			if (start >= file.length) {
				req.respond(416, { "content-range": `bytes */${file.length}`, ...date }).end();
				return;
			}
			req.respond(206, {
				"content-length": String(file.length - start),
				"content-range": `bytes ${start}-${file.length - 1}/${file.length}`,
				"accept-ranges": "bytes",
				...date,
			});
		} else {
			req.respond(200, {
				"content-length": String(file.length),
				...(options.noRange ? {} : ({ "accept-ranges": "bytes" } as Record<string, string>)),
				...date,
			});
		}
		while (cuts.length && cuts[0] <= start) cuts.shift();
		for (let at = start; at < file.length; ) {
			const cut = cuts.length && cuts[0] > at ? cuts[0] : undefined;
			const stop = Math.min(file.length, at + chunk, cut ?? Infinity, stall !== undefined && stall > at ? stall : Infinity);
			req.data(file.subarray(at, stop));
			at = stop;
			if (!req.open) return;
			if (cut !== undefined && at === cut) {
				cuts.shift();
				req.fail("cut", `scripted cut at byte ${at}`);
				return;
			}
			if (stall !== undefined && at === stall) {
				stall = undefined;
				return; // left open: the client's stall timer must notice
			}
		}
		req.end();
	};
}
