/*
 * Moddable http Server adapter: drives the router core from the SDK's
 * callback protocol (modules/network/http). Used on the board and in mcsim.
 *
 * Notes on the SDK server this adapter relies on:
 * - Message 4 (headersComplete): returning true streams the body through
 *   message 5; returning false makes the server skip the body.
 * - It counts a string body's characters, not its UTF-8 bytes, so every
 *   body is handed over as bytes.
 * - A one-piece body must fit the socket's free send buffer ("assume it
 *   all fits"; otherwise it throws "can't write all data" and drops the
 *   connection), so bodies over SMALL_BODY bytes are streamed through
 *   message 9 in pieces of the size the server asks for.
 * - It answers "OK" for statuses missing from its reason table, so the
 *   reason phrase is always passed explicitly.
 * - Chunked request bodies are refused by the SDK (it throws and closes).
 * - Told to skip a body (false from message 4), the SDK still reads all of
 *   it before answering: a 4 MB upload refused for its content-length took
 *   83 s in mcsim. When the router has already decided the answer, the
 *   adapter clears the request's `total` (the SDK's count of body bytes
 *   still to come, modules/network/http/http.js): the server then goes
 *   straight to the response, and closes the connection after it
 *   ("connection: close" always), without reading the body.
 */

import { Server } from "http";
import type { Router, Exchange } from "api/router";
import { isBodySource, reasonPhrase, type BodySource, type RequestHead, type Response } from "api/http";

const SMALL_BODY = 512;

const CONNECTION = 1,
	STATUS = 2,
	HEADER = 3,
	HEADERS_COMPLETE = 4,
	REQUEST_FRAGMENT = 5,
	PREPARE_RESPONSE = 8,
	RESPONSE_FRAGMENT = 9,
	RESPONSE_COMPLETE = 10,
	ERROR = -1;

interface Connection {
	/** The SDK's own: body bytes still expected (undefined = none). */
	total?: number;
	head?: RequestHead;
	exchange?: Exchange;
	response?: Response;
	read(type: typeof ArrayBuffer, limit?: number): ArrayBuffer;
}

export function serveRouter(router: Router, port: number): { close(): void } {
	const server = new Server({ port });
	// biome-ignore lint/suspicious/noExplicitAny: the SDK's callback protocol is untyped (@moddable/typings has no message types); each case narrows.
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
				if (!conn.exchange.wantsBody) conn.total = undefined; // answer now; never read what is refused
				return conn.exchange.wantsBody;
			}
			case REQUEST_FRAGMENT:
				conn.exchange!.write(new Uint8Array(conn.read(ArrayBuffer)));
				// Decided mid-body (a stalled upload was aborted): no more body; the server then
				// asks for the response (message 8) and closes the connection after it.
				if (conn.exchange!.settled) conn.total = 0;
				return;
			case PREPARE_RESPONSE:
				return prepare(conn, conn.exchange!.finish());
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
	let body = res.body;
	if (typeof body === "string") body = new Uint8Array(ArrayBuffer.fromString(body));
	if (body instanceof Uint8Array && body.length > SMALL_BODY) body = sliceSource(body);
	// Kept for message 9 (the body's pieces) and 10 (afterSend).
	conn.response = { ...res, body };
	if (isBodySource(body)) {
		if (body.length !== undefined) headers.push("content-length", String(body.length));
		return { status: res.status, reason: reasonPhrase(res.status), headers, body: true };
	}
	return { status: res.status, reason: reasonPhrase(res.status), headers, body: body === undefined ? undefined : toArrayBuffer(body) };
}

/** A whole body served in the pieces the server asks for. */
function sliceSource(bytes: Uint8Array): BodySource {
	let at = 0;
	return {
		length: bytes.length,
		read(max: number) {
			if (at >= bytes.length) return undefined;
			const piece = bytes.subarray(at, at + max);
			at += piece.length;
			return piece;
		},
	};
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
	return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}
