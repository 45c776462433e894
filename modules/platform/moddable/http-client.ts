/*
 * Moddable http Request adapter for the HTTP client port (board and mcsim).
 *
 * The SDK's Request (modules/network/http/http.js) calls back with
 *   1 status (code), 2 header (lower-case name, value), 3 headersComplete,
 *   4 responseFragment (bytes available; read them with this.read),
 *   5 responseComplete, and a negative message on any error.
 * Without a `response` type it streams: each fragment is read here as an
 * ArrayBuffer and handed on, so nothing accumulates. It ends a
 * Content-Length body by itself; a connection closed early is an error.
 * close() stops every further callback. It sends "Connection: close".
 *
 * https: the TLS socket class and the CA are passed in by the composition
 * root (main.ts), so this file does not pull TLS into builds that do not
 * want it:
 *   import SecureSocket from "securesocket";
 *   new ModdableHttpClient({ tls: { Socket: SecureSocket, certificate: new Resource("ota-ca.der") } })
 * SecureSocket verifies the server's chain against that one DER
 * certificate (pinning the CA) and checks the host name (tls_server_name).
 * See docs/update-client.md for the memory budget and the native fallback.
 *
 * The SDK cannot tell a TLS failure from a refused connection: both are an
 * error before the status line, reported as "unreachable" with the
 * SDK's value in the detail.
 */

import { Request } from "http";
import Timer from "timer";
import type { HttpClient, HttpExchange, HttpGetRequest, HttpResponseHandler } from "ports/http-client";
import { isSafeHeaderValue, parseHttpUrl } from "ports/http-client";

const STATUS = 1,
	HEADER = 2,
	HEADERS_COMPLETE = 3,
	RESPONSE_FRAGMENT = 4,
	RESPONSE_COMPLETE = 5;

export interface ModdableTlsOptions {
	/** The SDK's SecureSocket class (import SecureSocket from "securesocket"). */
	Socket: unknown;
	/** The CA that signs the update server's chain, DER (e.g. new Resource("ota-ca.der")). */
	certificate: ArrayBuffer | object;
	/** Minimum TLS version; 0x303 = TLS 1.2. */
	protocolVersion?: number;
	/** Ask the server for smaller TLS records (many servers ignore it). */
	maxFragmentLength?: number;
}

export interface ModdableHttpClientOptions {
	/** Without it, https:// URLs fail with "tls". */
	tls?: ModdableTlsOptions;
}

interface SdkRequest {
	callback: (message: number, value?: unknown, etc?: unknown) => void;
	read(type: typeof ArrayBuffer): ArrayBuffer | undefined;
	close(): void;
}

export class ModdableHttpClient implements HttpClient {
	readonly #options: ModdableHttpClientOptions;

	constructor(options: ModdableHttpClientOptions = {}) {
		this.#options = options;
	}

	get(request: HttpGetRequest, handler: HttpResponseHandler): HttpExchange {
		let finished = false;
		let sdk: SdkRequest | undefined;
		const later = (fn: () => void) => {
			Timer.set(() => {
				if (!finished) {
					finished = true;
					fn();
				}
			}, 0);
		};

		const url = parseHttpUrl(request.url);
		if (!url) {
			later(() => handler.onError("unreachable", `"${request.url}" is not an http:// or https:// URL`));
			return {
				abort: () => {
					finished = true;
				},
			};
		}
		const tls = this.#options.tls;
		if (url.secure && !tls) {
			later(() => handler.onError("tls", "https needs a CA certificate: this build has no TLS configured"));
			return {
				abort: () => {
					finished = true;
				},
			};
		}
		const headers: string[] = [];
		for (const [name, value] of request.headers ?? []) {
			if (!isSafeHeaderValue(value) || !isSafeHeaderValue(name)) {
				later(() => handler.onError("unreachable", "a header value contains a line break"));
				return {
					abort: () => {
						finished = true;
					},
				};
			}
			headers.push(name, value);
		}
		if (url.port !== (url.secure ? 443 : 80)) headers.push("Host", `${url.host}:${url.port}`);

		let status = 0;
		let received: Record<string, string> = {};
		let headSent = false;
		const dictionary: Record<string, unknown> = { host: url.host, port: url.port, path: url.target, method: "GET", headers };
		if (url.secure && tls) {
			dictionary.Socket = tls.Socket;
			dictionary.secure = {
				certificate: tls.certificate,
				protocolVersion: tls.protocolVersion ?? 0x303,
				...(tls.maxFragmentLength ? { tls_max_fragment_length: tls.maxFragmentLength } : {}),
			};
		}
		try {
			sdk = new Request(dictionary as ConstructorParameters<typeof Request>[0]) as unknown as SdkRequest;
		} catch (e) {
			later(() => handler.onError("unreachable", `the request could not start: ${String(e)}`));
			return {
				abort: () => {
					finished = true;
				},
			};
		}
		sdk.callback = function (this: SdkRequest, message: number, value?: unknown, etc?: unknown) {
			if (finished) return;
			if (message === STATUS) {
				status = Number(value);
				received = {};
			} else if (message === HEADER) {
				received[String(value).toLowerCase()] = String(etc);
			} else if (message === HEADERS_COMPLETE) {
				headSent = true;
				handler.onHead({ status, headers: received });
			} else if (message === RESPONSE_FRAGMENT) {
				const buffer = this.read(ArrayBuffer);
				if (buffer?.byteLength && !finished) handler.onData(new Uint8Array(buffer));
			} else if (message === RESPONSE_COMPLETE) {
				finished = true;
				handler.onEnd();
			} else if (message < 0) {
				finished = true;
				if (headSent) handler.onError("cut", `the connection closed before the body was complete (${String(value ?? message)})`);
				else if (status) handler.onError("protocol", `the response ended inside its headers (${String(value ?? message)})`);
				else handler.onError("unreachable", `no answer from ${url.host}:${url.port} (${String(value ?? message)})`);
			}
		};
		return {
			abort() {
				if (finished) return;
				finished = true;
				try {
					sdk?.close();
				} catch {
					/* already closed by the SDK */
				}
			},
		};
	}
}
