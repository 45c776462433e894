/*
 * node:http / node:https adapter for the HTTP client port (the simulator's
 * update client and the host tests). One connection per request and no
 * retries, like Moddable's Request: the firmware's download logic owns
 * retries, timeouts and Range.
 */

import http from "node:http";
import https from "node:https";
import type { HttpClient, HttpExchange, HttpFailure, HttpGetRequest, HttpResponseHandler } from "ports/http-client";
import { isSafeHeaderValue, parseHttpUrl } from "ports/http-client";

export interface NodeHttpClientOptions {
	/** Trusted CA certificates (PEM) for https; Node's bundle when absent. */
	ca?: string | string[];
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/;

export class NodeHttpClient implements HttpClient {
	readonly #options: NodeHttpClientOptions;
	/** Requests made (URL and headers), for logs and tests. */
	readonly requests: HttpGetRequest[] = [];

	constructor(options: NodeHttpClientOptions = {}) {
		this.#options = options;
	}

	get(request: HttpGetRequest, handler: HttpResponseHandler): HttpExchange {
		this.requests.push(request);
		let finished = false;
		let headSent = false;
		const finish = (fn: () => void) => {
			if (finished) return;
			finished = true;
			fn();
		};
		const fail = (failure: HttpFailure, detail: string) => finish(() => handler.onError(failure, detail));

		const url = parseHttpUrl(request.url);
		const bad = !url
			? `"${request.url}" is not an http:// or https:// URL`
			: request.headers?.find(([, v]) => !isSafeHeaderValue(v))
				? "a header value contains a line break"
				: undefined;
		if (bad) {
			setImmediate(() => fail("unreachable", bad));
			return {
				abort: () => {
					finished = true;
				},
			};
		}

		const headers: Record<string, string> = {};
		for (const [name, value] of request.headers ?? []) headers[name] = value;
		const lib = url!.secure ? https : http;
		const req = lib.request(
			request.url,
			{ method: "GET", headers, agent: false, ...(url!.secure && this.#options.ca ? { ca: this.#options.ca } : {}) },
			(res) => {
				if (finished) {
					res.destroy();
					return;
				}
				const out: Record<string, string> = {};
				for (const [name, value] of Object.entries(res.headers)) {
					if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
				}
				headSent = true;
				handler.onHead({ status: res.statusCode ?? 0, headers: out });
				res.on("data", (buf: Buffer) => {
					if (!finished) handler.onData(new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
				});
				res.on("end", () => {
					if (res.complete) finish(() => handler.onEnd());
					else fail("cut", "the connection closed before the body was complete");
				});
				res.on("error", (e) => fail("cut", e.message));
				res.on("close", () => {
					if (!res.complete) fail("cut", "the connection closed before the body was complete");
				});
			},
		);
		req.on("error", (e: NodeJS.ErrnoException) => {
			const code = e.code ?? "";
			if (headSent) fail("cut", e.message);
			else fail(TLS_CODES.test(code) ? "tls" : "unreachable", `${code || "error"}: ${e.message}`);
		});
		req.end();
		return {
			abort() {
				if (finished) return;
				finished = true;
				req.destroy();
			},
		};
	}
}
