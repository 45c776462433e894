/*
 * Moddable http Server adapter: drives the router core from the SDK's
 * callback protocol (modules/network/http). Used on the board and in mcsim.
 *
 * Notes on the SDK server this adapter relies on:
 * - Message 4 (headersComplete): returning true streams the body through
 *   message 5; returning false makes the server skip the body.
 * - It counts a string body's characters, not its UTF-8 bytes, so every
 *   body is handed over as an ArrayBuffer.
 * - It answers "OK" for statuses missing from its reason table, so the
 *   reason phrase is always passed explicitly.
 * - Chunked request bodies are refused by the SDK (it throws and closes).
 */

import { Server } from "http";
import type { Router, Exchange } from "api/router";
import { isBodySource, reasonPhrase, type RequestHead, type Response } from "api/http";

const CONNECTION = 1, STATUS = 2, HEADER = 3, HEADERS_COMPLETE = 4, REQUEST_FRAGMENT = 5,
	PREPARE_RESPONSE = 8, RESPONSE_FRAGMENT = 9, RESPONSE_COMPLETE = 10, ERROR = -1;

interface Connection {
	head?: RequestHead;
	exchange?: Exchange;
	response?: Response;
	read(type: typeof ArrayBuffer, limit?: number): ArrayBuffer;
}

export function serveRouter(router: Router, port: number): { close(): void } {
	const server = new Server({ port });
	server.callback = function (this: any, message: number, value?: any, etc?: any): any {
		const conn = this as Connection;
		switch (message) {
			case CONNECTION:
				return;
			case STATUS:
				conn.head = { method: String(etc), target: String(value), headers: {} };
				return;
			case HEADER:
				conn.head!.headers[String(value)] = String(etc);
				return;
			case HEADERS_COMPLETE: {
				const length = conn.head!.headers["content-length"];
				conn.exchange = router.open(conn.head!, length === undefined ? undefined : parseInt(length, 10));
				return conn.exchange.wantsBody;
			}
			case REQUEST_FRAGMENT:
				conn.exchange!.write(new Uint8Array(conn.read(ArrayBuffer)));
				return;
			case PREPARE_RESPONSE:
				return prepare(conn, (conn.response = conn.exchange!.finish()));
			case RESPONSE_FRAGMENT: {
				const body = conn.response?.body;
				if (!isBodySource(body)) return undefined;
				const piece = body.read(value as number);
				return piece ? toArrayBuffer(piece) : undefined;
			}
			case RESPONSE_COMPLETE:
				conn.response?.afterSend?.();
				return;
			case ERROR:
				conn.exchange?.abort("connection closed");
				return;
		}
	};
	return { close: () => server.close() };
}

function prepare(conn: Connection, res: Response): object {
	const headers: string[] = [];
	for (const [n, v] of res.headers ?? []) headers.push(n, v);
	const body = res.body;
	if (isBodySource(body)) {
		if (body.length !== undefined) headers.push("content-length", String(body.length));
		return { status: res.status, reason: reasonPhrase(res.status), headers, body: true };
	}
	return {
		status: res.status,
		reason: reasonPhrase(res.status),
		headers,
		body: body === undefined ? undefined : typeof body === "string" ? ArrayBuffer.fromString(body) : toArrayBuffer(body),
	};
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
	return (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
		? bytes.buffer as ArrayBuffer
		: bytes.slice().buffer as ArrayBuffer;
}
