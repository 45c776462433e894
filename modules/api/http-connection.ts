/*
 * HTTP/1.1 on a byte stream (an ECMA-419 TCP socket on the board and in
 * mcsim, a fake in tests), for a server that allocates nothing per body
 * piece: the request head collects in a buffer taken from a small pool, the
 * body is read into one buffer that every connection shares (one piece at
 * a time, synchronously) and handed to the router's exchange as a view that
 * is valid only during the call, and the response goes out as fast as the
 * socket takes it. One request per connection, answered with
 * "connection: close", as the SDK's server did.
 *
 * Refusals of the wire itself get the API's JSON errors: a head over the
 * pool buffer's size 431 headers_too_large, a malformed request line or
 * header 400 bad_request, a chunked body 411 length_required (send a
 * content-length). A head that does not arrive within headTimeoutMs is
 * closed without an answer. A body the router does not want (a 413 on its
 * content-length, a 401) is never read: the answer goes out at once and
 * the connection is closed after it.
 */

import type { Router, Exchange } from "api/router";
import { isBodySource, reasonPhrase, type BodySource, type RequestHead, type Response } from "api/http";
import { apiErrorResponse } from "api/error-codes";
import type { Timers, TimerHandle } from "ports/timers";
import { utf8Decode } from "util/utf8";
import { frozen } from "util/frozen";

/** What a connection needs of its socket: ECMA-419 TCP's read and write in "buffer" format. */
export interface WireSocket {
	/** Fills `into` completely; never more than the bytes announced readable. */
	read(into: Uint8Array): void;
	/** Sends `bytes` (at most the bytes announced writable); returns how many more may be written now. */
	write(bytes: Uint8Array): number;
	close(): void;
}

export interface WireOptions {
	/** Request line and headers, at most (each pool buffer's size). */
	headLimit: number;
	/** The shared body buffer: the largest piece handed to the exchange. */
	pieceSize: number;
	/** Head buffers kept for reuse (connections beyond it allocate their own). */
	poolSize: number;
	/** A connection whose head is not complete by then is closed. */
	headTimeoutMs: number;
	/** Text to bytes (the board: ArrayBuffer.fromString; portable: util/utf8). */
	encode: (text: string) => Uint8Array;
}

export const DEFAULT_WIRE_OPTIONS = frozen({ headLimit: 2048, pieceSize: 1536, poolSize: 1, headTimeoutMs: 10_000 });

const CR = 13,
	LF = 10;

// A const enum inlines to numbers (a plain enum is a module-level object, a preload hazard).
// biome-ignore lint/suspicious/noConstEnum: used only inside this module, so isolated compilation loses nothing.
const enum State {
	Head,
	Body,
	Respond,
	Closed,
}

/** The buffers every connection of one server shares. */
export class WireBuffers {
	readonly piece: Uint8Array;
	readonly #free: Uint8Array[] = [];
	readonly #options: WireOptions;

	constructor(options: WireOptions) {
		this.#options = options;
		this.piece = new Uint8Array(options.pieceSize);
	}

	takeHead(): Uint8Array {
		return this.#free.pop() ?? new Uint8Array(this.#options.headLimit);
	}

	giveHead(buffer: Uint8Array): void {
		if (this.#free.length < this.#options.poolSize) this.#free.push(buffer);
	}
}

export class HttpConnection {
	readonly #socket: WireSocket;
	readonly #router: Router;
	readonly #buffers: WireBuffers;
	readonly #timers: Timers;
	readonly #options: WireOptions;
	#state = State.Head;
	#head: Uint8Array | undefined;
	#headFill = 0;
	#timeout: TimerHandle | undefined;
	#exchange: Exchange | undefined;
	/** Body bytes still to come (content-length minus what was read). */
	#remaining = 0;
	#writable = 0;
	#response: Response | undefined;
	/** What is being sent: the head, then the body's current piece. */
	#out: Uint8Array | undefined;
	#outAt = 0;
	#source: BodySource | undefined;
	/** The whole body, when it was one piece of bytes (sent after the head). */
	#bodyBytes: Uint8Array | undefined;

	constructor(socket: WireSocket, router: Router, buffers: WireBuffers, timers: Timers, options: WireOptions) {
		this.#socket = socket;
		this.#router = router;
		this.#buffers = buffers;
		this.#timers = timers;
		this.#options = options;
		this.#head = buffers.takeHead();
		this.#timeout = timers.after(options.headTimeoutMs, () => this.#close());
	}

	/** True once the connection is finished (answered and closed, or dropped). */
	get closed(): boolean {
		return this.#state === State.Closed;
	}

	/** The socket has `count` bytes to read. */
	readable(count: number): void {
		while (count > 0 && (this.#state === State.Head || this.#state === State.Body)) {
			if (this.#state === State.Head) count -= this.#readHead(count);
			else count -= this.#readBody(count);
		}
		// Bytes after the answer was decided are left unread: the connection closes once it is sent.
	}

	/** The socket can take `count` more bytes. */
	writable(count: number): void {
		this.#writable = count;
		if (this.#state === State.Respond) this.#pump();
	}

	/** The peer went away or the socket failed. */
	error(): void {
		if (this.#state === State.Closed) return;
		this.#exchange?.abort("connection closed");
		this.#close();
	}

	#readHead(count: number): number {
		const head = this.#head!;
		// Never full here: a head that fills the buffer without ending is answered 431 below.
		const n = Math.min(count, head.length - this.#headFill);
		this.#socket.read(head.subarray(this.#headFill, this.#headFill + n));
		const from = Math.max(0, this.#headFill - 3);
		this.#headFill += n;
		const end = findHeadEnd(head, from, this.#headFill);
		if (end < 0) {
			if (this.#headFill === head.length) this.#answer(apiErrorResponse("headers_too_large", `The request line and headers are over ${head.length} bytes.`));
			return n;
		}
		this.#stopHeadTimer();
		this.#startRequest(head, end);
		return n;
	}

	/** The head is head[0, end) (its blank line included); what follows is the body's first bytes. */
	#startRequest(head: Uint8Array, end: number): void {
		const parsed = parseHead(head, end);
		if (typeof parsed === "string") {
			this.#answer(apiErrorResponse("bad_request", parsed));
			return;
		}
		if (parsed.headers["transfer-encoding"] !== undefined) {
			this.#answer(apiErrorResponse("length_required", "Chunked request bodies are not accepted; send the body with a content-length."));
			return;
		}
		const lengthText = parsed.headers["content-length"];
		const length = lengthText === undefined ? undefined : parseContentLength(lengthText);
		if (length === -1) {
			this.#answer(apiErrorResponse("bad_request", `The content-length "${lengthText}" is not a number of bytes.`));
			return;
		}
		const exchange = this.#router.open(parsed, length);
		this.#exchange = exchange;
		this.#remaining = length ?? 0;
		if (!exchange.wantsBody || this.#remaining === 0) {
			this.#respond();
			return;
		}
		this.#state = State.Body;
		const early = Math.min(this.#headFill - end, this.#remaining);
		if (early > 0) this.#deliver(head.subarray(end, end + early));
		// The head is parsed and its tail delivered: the buffer goes back to the pool now, not at close,
		// so the polls that come during a long upload reuse it instead of allocating their own.
		this.#releaseHead();
		if (this.#state === State.Body && this.#remaining === 0) this.#respond();
	}

	#stopHeadTimer(): void {
		this.#timers.cancel(this.#timeout);
		this.#timeout = undefined;
	}

	#releaseHead(): void {
		if (this.#head) this.#buffers.giveHead(this.#head);
		this.#head = undefined;
	}

	#readBody(count: number): number {
		const piece = this.#buffers.piece;
		const n = Math.min(count, this.#remaining, piece.length);
		const view = n === piece.length ? piece : piece.subarray(0, n);
		this.#socket.read(view);
		this.#deliver(view);
		if (this.#state === State.Body && this.#remaining === 0) this.#respond();
		return n;
	}

	#deliver(bytes: Uint8Array): void {
		this.#remaining -= bytes.length;
		const exchange = this.#exchange!;
		exchange.write(bytes);
		// Decided mid-body (a handler failed, a stalled upload was stopped): answer now, read no more.
		if (exchange.settled) this.#respond();
	}

	#respond(): void {
		this.#answer(this.#exchange!.finish());
	}

	#answer(res: Response): void {
		if (this.#state === State.Respond || this.#state === State.Closed) return;
		this.#stopHeadTimer();
		this.#state = State.Respond;
		this.#response = res;
		const encode = this.#options.encode;
		let length: number | undefined;
		const body = res.body;
		if (typeof body === "string") this.#bodyBytes = encode(body);
		else if (body instanceof Uint8Array) this.#bodyBytes = body;
		else if (isBodySource(body)) this.#source = body;
		if (this.#bodyBytes) length = this.#bodyBytes.length;
		else if (this.#source) length = this.#source.length;
		else length = 0;
		let text = `HTTP/1.1 ${res.status} ${reasonPhrase(res.status)}\r\n`;
		for (const [name, value] of res.headers ?? []) {
			const lower = name.toLowerCase();
			if (lower !== "content-length" && lower !== "connection") text += `${name}: ${value}\r\n`;
		}
		if (length !== undefined) text += `content-length: ${length}\r\n`;
		text += "connection: close\r\n\r\n";
		this.#out = encode(text);
		this.#outAt = 0;
		this.#pump();
	}

	/** Writes what the socket takes now; the rest when it says it can take more. */
	#pump(): void {
		while (this.#state === State.Respond && this.#writable > 0) {
			if (!this.#out || this.#outAt >= this.#out.length) {
				if (!this.#nextOut()) {
					this.#finish();
					return;
				}
			}
			const out = this.#out!;
			const n = Math.min(this.#writable, out.length - this.#outAt);
			this.#writable = this.#socket.write(this.#outAt === 0 && n === out.length ? out : out.subarray(this.#outAt, this.#outAt + n));
			this.#outAt += n;
		}
	}

	/** The next piece of the body to send; false when the body is done. */
	#nextOut(): boolean {
		this.#outAt = 0;
		if (this.#bodyBytes) {
			this.#out = this.#bodyBytes;
			this.#bodyBytes = undefined;
			return this.#out.length > 0;
		}
		for (;;) {
			const piece = this.#source?.read(Math.max(this.#writable, 256));
			this.#out = piece;
			if (piece === undefined) return false;
			if (piece.length > 0) return true; // an empty piece is not the end: ask again
		}
	}

	#finish(): void {
		const after = this.#response?.afterSend;
		this.#close();
		after?.();
	}

	#close(): void {
		if (this.#state === State.Closed) return;
		this.#state = State.Closed;
		this.#stopHeadTimer();
		this.#releaseHead();
		this.#out = this.#bodyBytes = undefined;
		this.#source = undefined;
		this.#socket.close();
	}
}

/** The index just past the first CRLFCRLF ending at or after `from`, or -1. */
function findHeadEnd(b: Uint8Array, from: number, to: number): number {
	for (let i = from; i + 3 < to; i++) {
		if (b[i] === CR && b[i + 1] === LF && b[i + 2] === CR && b[i + 3] === LF) return i + 4;
	}
	return -1;
}

/** A content-length as a number of bytes, or -1 when it is not one. */
function parseContentLength(text: string): number {
	const t = text.trim();
	if (t.length === 0 || t.length > 15) return -1;
	for (let i = 0; i < t.length; i++) {
		const c = t.charCodeAt(i);
		if (c < 48 || c > 57) return -1;
	}
	return Number(t);
}

/** The text of b[from, to): one native decode in XS (header bytes outside UTF-8 are read leniently). */
function text(b: Uint8Array, from: number, to: number): string {
	return utf8Decode(b.subarray(from, to));
}

/** The request line and headers of head[0, end), or why they are malformed. */
function parseHead(b: Uint8Array, end: number): RequestHead | string {
	let lineEnd = lineEndAt(b, 0, end);
	if (lineEnd <= 0) return "The request line is missing.";
	const line = text(b, 0, lineEnd);
	const sp1 = line.indexOf(" ");
	const sp2 = line.lastIndexOf(" ");
	if (sp1 <= 0 || sp2 <= sp1 + 1) return "The request line is not METHOD TARGET HTTP/1.x.";
	const version = line.slice(sp2 + 1);
	if (version !== "HTTP/1.1" && version !== "HTTP/1.0") return `${version} is not HTTP/1.0 or HTTP/1.1.`;
	const head: RequestHead = { method: line.slice(0, sp1), target: line.slice(sp1 + 1, sp2), headers: {} };
	let at = lineEnd + 2;
	while (at < end - 2) {
		lineEnd = lineEndAt(b, at, end);
		if (lineEnd < 0) return "A header line is not ended by CRLF.";
		let colon = -1;
		for (let i = at; i < lineEnd; i++) {
			if (b[i] === 58) {
				colon = i;
				break;
			}
		}
		if (colon <= at) return "A header line has no name.";
		const name = text(b, at, colon).toLowerCase();
		if (name.trim() !== name) return `The header name "${name}" has white space.`;
		const value = text(b, colon + 1, lineEnd).trim();
		const prior = head.headers[name];
		head.headers[name] = prior === undefined ? value : `${prior}, ${value}`;
		at = lineEnd + 2;
	}
	return head;
}

function lineEndAt(b: Uint8Array, from: number, to: number): number {
	for (let i = from; i + 1 < to; i++) if (b[i] === CR && b[i + 1] === LF) return i;
	return -1;
}
