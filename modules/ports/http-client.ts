/*
 * HTTP client port: one streaming GET at a time per call, callback style,
 * so it maps one to one onto Moddable's `http` Request (status, header,
 * headersComplete, responseFragment, responseComplete, error) on the board
 * and in mcsim, onto node:http in the simulator, and onto a scripted fake
 * in tests (host-tests/support/fake-http-client).
 *
 * Contract every adapter keeps:
 * - Callbacks never run inside get(): the first one comes later (next
 *   turn of the event loop, or when the test script says so).
 * - Order: onHead once, then onData zero or more times, then exactly one of
 *   onEnd / onError. onError may also come before onHead (nothing answered).
 * - onEnd means the body is complete: all of Content-Length arrived, or the
 *   server closed a body that announced no length. A body cut short is
 *   onError("cut").
 * - After abort(), no callback runs at all.
 * - Chunks are handed over, not kept: the receiver may keep them.
 * - No retries, redirects or timeouts inside the adapter: the caller owns
 *   those policies (modules/update/download), so they are the same on
 *   every platform and testable with a manual clock.
 */

/** Why a request failed without a complete response. */
export type HttpFailure =
	/** Nothing answered: DNS, connect refused, no route, network down. */
	| "unreachable"
	/** The TLS handshake or certificate verification failed. */
	| "tls"
	/** The connection closed after the response started, before the body was complete. */
	| "cut"
	/** The server sent something that is not HTTP/1.1. */
	| "protocol";

export interface HttpGetRequest {
	/** Absolute http:// or https:// URL. */
	url: string;
	/** Request headers (e.g. x-access-token, Range). Values must not contain CR or LF. */
	headers?: [string, string][];
}

export interface HttpResponseHead {
	status: number;
	/** Header names in lower case; a repeated header keeps its last value. */
	headers: Record<string, string>;
}

export interface HttpResponseHandler {
	onHead(head: HttpResponseHead): void;
	onData(chunk: Uint8Array): void;
	onEnd(): void;
	onError(failure: HttpFailure, detail: string): void;
}

export interface HttpExchange {
	/** Close the connection; no callback follows. Safe to call twice or after the end. */
	abort(): void;
}

export interface HttpClient {
	get(request: HttpGetRequest, handler: HttpResponseHandler): HttpExchange;
}

export interface ParsedUrl {
	secure: boolean;
	host: string;
	port: number;
	/** Path and query, starting with "/". */
	target: string;
}

/** Split an absolute http(s) URL; undefined when it is not one (adapters refuse it). */
export function parseHttpUrl(url: string): ParsedUrl | undefined {
	const m = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(\/[^\s#]*)?(?:#.*)?$/.exec(url);
	if (!m) return undefined;
	const secure = m[1] === "https";
	const port = m[3] ? Number(m[3]) : secure ? 443 : 80;
	if (!(port > 0 && port < 65536)) return undefined;
	return { secure, host: m[2], port, target: m[4] || "/" };
}

/** Header values come from settings the owner typed: refuse anything that could split a header. */
export function isSafeHeaderValue(value: string): boolean {
	return !/[\r\n\0]/.test(value);
}
