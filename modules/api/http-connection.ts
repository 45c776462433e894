/*
 * HTTP/1.1 on a byte stream (an ECMA-419 TCP socket on the board and in
 * mcsim, a fake in tests), for a server that allocates nothing per body
 * piece: the request head collects in a buffer taken from a small pool, the
 * body is read into one buffer that every connection shares (one piece at
 * a time, synchronously) and handed to the router's exchange as a view that
 * is valid only during the call, and the response goes out as fast as the
 * socket takes it.
 *
 * Connections persist (HTTP/1.1 keep-alive), because the dashboard polls
 * twice a second: a new socket per poll costs the board a TCP object, its
 * callbacks, a connection and a timer each time, garbage that made the
 * heap collect every other poll during an upload (docs/performance.md).
 * A connection waits for its next request only when the whole request
 * was read, the client did not ask to close, the answer has no afterSend
 * action, and fewer than maxIdle others of the server are waiting; an idle
 * one holds no head buffer and is closed after keepAliveMs, or at once
 * when the listener needs its place.
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
import { utf8DecodeRange } from "util/utf8";
import { frozen } from "util/frozen";
import { putDigits } from "util/json-writer";

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
	/** A kept connection with no new request by then is closed (and the answer says so: keep-alive: timeout). */
	keepAliveMs: number;
	/** Connections of one server waiting for a next request, at most; an answer beyond it closes. */
	maxIdle: number;
	/** Text to bytes (the board: ArrayBuffer.fromString; portable: util/utf8). */
	encode: (text: string) => Uint8Array;
}

export const DEFAULT_WIRE_OPTIONS = frozen({ headLimit: 2048, pieceSize: 1536, poolSize: 1, headTimeoutMs: 10_000, keepAliveMs: 5_000, maxIdle: 2 });

const CR = 13,
	LF = 10,
	SP = 32,
	HTAB = 9,
	COLON = 58;

/**
 * The request headers the firmware reads; a request's other headers are
 * skipped, never decoded. Two reasons: a browser sends ten or more and
 * each kept one costs strings and a property; and XS makes every new
 * property name a key for good (its key table never shrinks), so a client
 * sending made-up header names could otherwise grow the heap without end.
 */
export const REQUEST_HEADERS = frozen([
	"host",
	"origin",
	"authorization",
	"content-type",
	"content-length",
	"transfer-encoding",
	"connection",
	"if-none-match",
	"x-expected-sha256",
]);

// The response path compares and writes these, never literals: in a preloaded function each
// string literal is a new copy in the chunk heap every time it runs (docs/preload-hazards.md).
const HTTP_11 = "HTTP/1.1",
	HTTP_10 = "HTTP/1.0",
	CONTENT_LENGTH = "content-length",
	CONNECTION = "connection",
	TRANSFER_ENCODING = "transfer-encoding",
	CRLF = "\r\n",
	LENGTH_PREFIX = "content-length: ",
	CLOSE_AND_END = "connection: close\r\n\r\n",
	KEEP_ALIVE_PREFIX = "keep-alive: timeout=",
	CLOSE = "close",
	KEEP_ALIVE = "keep-alive",
	COMMA_TEXT = ",",
	STRING = "string";

// A const enum inlines to numbers (a plain enum is a module-level object, a preload hazard).
// biome-ignore lint/suspicious/noConstEnum: used only inside this module, so isolated compilation loses nothing.
const enum State {
	Head,
	Body,
	Respond,
	Closed,
}

/**
 * The buffers every connection of one server shares, and the byte forms of
 * the texts the wire compares and writes on every request (made once, at
 * run time: in XS each string method call or `.length` makes a wrapper
 * object, so bytes are compared with bytes, not with a string's characters).
 */
export class WireBuffers {
	readonly piece: Uint8Array;
	/** The pool: a fixed array and a count (push after pop made XS grow the array's chunk again, every request). */
	readonly #free: (Uint8Array | undefined)[];
	#freeCount = 0;
	readonly #options: WireOptions;
	/** REQUEST_HEADERS as bytes, in the same order. */
	readonly headerNames: Uint8Array[];
	readonly lengthPrefix: Uint8Array;
	readonly crlf: Uint8Array;
	/** The two versions a request line may end with, compared as bytes (no string per request). */
	readonly http11: Uint8Array;
	readonly http10: Uint8Array;
	readonly closeAndEnd: Uint8Array;
	/** "keep-alive: timeout=N" and the head's end, for an answer after which the connection waits. */
	readonly keepAndEnd: Uint8Array;
	/** Connections of this server waiting for their next request. */
	idle = 0;
	/** Response heads up to their headers' end, for the shared (frozen) header lists: every JSON answer. */
	readonly #prefixes: { status: number; headers: readonly [string, string][]; bytes: Uint8Array }[] = [];

	constructor(options: WireOptions) {
		this.#options = options;
		this.piece = new Uint8Array(options.pieceSize);
		this.#free = new Array(options.poolSize).fill(undefined);
		this.headerNames = REQUEST_HEADERS.map((n) => options.encode(n));
		this.lengthPrefix = options.encode(LENGTH_PREFIX);
		this.crlf = options.encode(CRLF);
		this.http11 = options.encode(HTTP_11);
		this.http10 = options.encode(HTTP_10);
		this.closeAndEnd = options.encode(CLOSE_AND_END);
		this.keepAndEnd = options.encode(`${KEEP_ALIVE_PREFIX}${Math.max(1, Math.floor(options.keepAliveMs / 1000))}${CRLF}${CRLF}`);
	}

	take(): Uint8Array {
		if (this.#freeCount === 0) return new Uint8Array(this.#options.headLimit);
		const at = --this.#freeCount;
		const buffer = this.#free[at]!;
		this.#free[at] = undefined;
		return buffer;
	}

	give(buffer: Uint8Array): void {
		if (this.#freeCount < this.#free.length) this.#free[this.#freeCount++] = buffer;
	}

	/** The status line and headers of `res` as bytes; kept for reuse when its header list is a shared frozen one. @hot */
	headPrefix(res: Response): Uint8Array {
		const headers = res.headers;
		// Only frozen lists are kept, so a list found here is one: Object.isFrozen (4 slots in XS) only on a miss.
		const cache = this.#prefixes;
		if (headers !== undefined) for (let i = 0; i < cache.length; i++) if (cache[i].headers === headers && cache[i].status === res.status) return cache[i].bytes;
		const shared = headers !== undefined && Object.isFrozen(headers);
		const bytes = this.#options.encode(responseHeadText(res));
		if (shared && this.#prefixes.length < MAX_PREFIXES) this.#prefixes.push({ status: res.status, headers: headers!, bytes });
		return bytes;
	}
}

// #nextOut()'s answers.
const NEXT_DONE = 0,
	NEXT_MORE = 1,
	NEXT_WAIT = 2;

/** What follows a head's prefix, at most: "content-length: " + 16 digits + CRLF + "keep-alive: timeout=" + 5 digits + CRLF CRLF. */
const HEAD_TAIL_MAX = 64;

/** Distinct (status, shared headers) pairs kept: the JSON answers polled most (200, and a few errors). */
const MAX_PREFIXES = 4;

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
	/** A live body source has nothing now and will resume the pump. */
	#waiting = false;
	/** The whole body, when it was one piece of bytes (sent after the head). */
	#bodyBytes: Uint8Array | undefined;
	/** Bytes the socket announced that are not read yet (its count is the total it holds). */
	#unread = 0;
	#draining = false;
	/** The request allows another after it: HTTP/1.1, no "connection: close", nothing of a next one in its buffer. */
	#persistent = false;
	/** The answer being sent leaves the connection open. */
	#keep = false;
	/** Waiting for a next request (counted in the server's WireBuffers.idle). */
	#idle = false;
	/** One closure per connection for every timer it starts. */
	readonly #onTimeout = (): void => this.#close();

	constructor(socket: WireSocket, router: Router, buffers: WireBuffers, timers: Timers, options: WireOptions) {
		this.#socket = socket;
		this.#router = router;
		this.#buffers = buffers;
		this.#timers = timers;
		this.#options = options;
		this.#head = buffers.take();
		this.#timeout = timers.after(options.headTimeoutMs, this.#onTimeout);
	}

	/** True once the connection is finished (answered and closed, or dropped). */
	get closed(): boolean {
		return this.#state === State.Closed;
	}

	/** True while a kept connection waits for its next request (nothing of it has arrived). */
	get idle(): boolean {
		return this.#idle;
	}

	/** Closes the connection if it is idle (the listener needs its place); whether it did. */
	closeIfIdle(): boolean {
		if (!this.#idle) return false;
		this.#close();
		return true;
	}

	/** The socket holds `count` bytes to read (all it holds, not only the new ones). */
	readable(count: number): void {
		this.#unread = count;
		this.#drain();
	}

	/**
	 * Reads while a head or body is wanted. Bytes that come while an answer
	 * goes out stay in the socket until it is sent: a kept connection then
	 * reads them as its next request, any other closes.
	 */
	#drain(): void {
		if (this.#draining) return; // a request answered inside the loop below: the loop goes on
		this.#draining = true;
		while (this.#unread > 0 && (this.#state === State.Head || this.#state === State.Body)) {
			if (this.#state === State.Head) this.#unread -= this.#readHead(this.#unread);
			else this.#unread -= this.#readBody(this.#unread);
		}
		this.#draining = false;
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
		this.#leaveIdle();
		this.#head ??= this.#buffers.take();
		const head = this.#head;
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
		const parsed = parseHead(head, end, this.#buffers);
		if (typeof parsed === "string") {
			this.#answer(apiErrorResponse("bad_request", parsed));
			return;
		}
		if (parsed.headers[TRANSFER_ENCODING] !== undefined) {
			this.#answer(apiErrorResponse("length_required", "Chunked request bodies are not accepted; send the body with a content-length."));
			return;
		}
		const lengthText = parsed.headers[CONTENT_LENGTH];
		const length = lengthText === undefined ? undefined : parseContentLength(lengthText);
		if (length === -1) {
			this.#answer(apiErrorResponse("bad_request", `The content-length "${lengthText}" is not a number of bytes.`));
			return;
		}
		this.#remaining = length ?? 0;
		const early = Math.min(this.#headFill - end, this.#remaining);
		// Bytes past this request in its head's buffer are a pipelined next one: answered with close
		// (the client sends it again), rather than kept in a buffer across the answer.
		this.#persistent = persistent(parsed) && end + early === this.#headFill;
		// Without a body the head's bytes are spent (parsed into strings): the buffer goes back before
		// the route runs, which may write its answer into it (util/json-writer's pool is this one).
		if (this.#remaining === 0) this.#releaseHead();
		const exchange = this.#router.open(parsed, length);
		this.#exchange = exchange;
		if (!exchange.wantsBody || this.#remaining === 0) {
			this.#respond();
			return;
		}
		this.#state = State.Body;
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
		if (this.#head) this.#buffers.give(this.#head);
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

	/** @hot */
	#answer(res: Response): void {
		if (this.#state === State.Respond || this.#state === State.Closed) return;
		this.#stopHeadTimer();
		this.#state = State.Respond;
		this.#response = res;
		const encode = this.#options.encode;
		let length: number | undefined;
		const body = res.body;
		if (typeof body === STRING) this.#bodyBytes = encode(body as string);
		else if (body instanceof Uint8Array) this.#bodyBytes = body;
		else if (isBodySource(body)) this.#source = body;
		if (this.#bodyBytes) length = this.#bodyBytes.length;
		else if (this.#source) length = this.#source.length;
		else length = 0;
		this.#releaseHead();
		// Kept only when the whole request was read (an answer decided early leaves body bytes in the
		// socket) and nothing is to run after the answer (a restart, a reboot).
		// A body without a length ends with the connection.
		this.#keep = this.#persistent && this.#remaining === 0 && length !== undefined && res.afterSend === undefined && this.#buffers.idle < this.#options.maxIdle;
		// The head: its status line and headers are bytes kept from the last answer like it, then its
		// length; no strings. Written into the shared piece buffer and sent at once when the socket takes
		// it whole (as a rule: it is a few hundred bytes), so the buffer is free again when this returns;
		// otherwise it waits in a buffer of its own. The piece buffer holds bytes only within one
		// synchronous call (a body piece being delivered, a head being written), so nothing else is in it.
		const prefix = this.#buffers.headPrefix(res);
		const piece = this.#buffers.piece;
		let end = writeResponseHead(piece, prefix, length, this.#buffers, this.#keep);
		this.#outAt = 0;
		if (end >= 0 && end <= this.#writable) {
			this.#writable = this.#socket.write(piece.subarray(0, end));
			this.#out = undefined;
		} else {
			const out = new Uint8Array(end >= 0 ? end : prefix.length + HEAD_TAIL_MAX);
			end = writeResponseHead(out, prefix, length, this.#buffers, this.#keep);
			this.#out = end === out.length ? out : out.subarray(0, end);
		}
		this.#pump();
	}

	/** Writes what the socket takes now; the rest when it says it can take more. */
	#pump(): void {
		while (this.#state === State.Respond && this.#writable > 0 && !this.#waiting) {
			if (!this.#out || this.#outAt >= this.#out.length) {
				const next = this.#nextOut();
				if (next === NEXT_DONE) {
					this.#finish();
					return;
				}
				if (next === NEXT_WAIT) return;
			}
			const out = this.#out!;
			const n = Math.min(this.#writable, out.length - this.#outAt);
			this.#writable = this.#socket.write(this.#outAt === 0 && n === out.length ? out : out.subarray(this.#outAt, this.#outAt + n));
			this.#outAt += n;
		}
	}

	/** The next piece of the body to send: NEXT_MORE, NEXT_DONE, or NEXT_WAIT (a live source resumes the pump). */
	#nextOut(): number {
		this.#outAt = 0;
		if (this.#bodyBytes) {
			this.#out = this.#bodyBytes;
			this.#bodyBytes = undefined;
			return this.#out.length > 0 ? NEXT_MORE : NEXT_DONE;
		}
		for (;;) {
			const source = this.#source;
			const piece = source?.read(Math.max(this.#writable, 256));
			this.#out = piece;
			if (piece === undefined) return NEXT_DONE;
			if (piece.length > 0) return NEXT_MORE;
			// An empty piece is not the end: a live source says when to ask again; any other, now.
			if (source?.wait) {
				this.#waiting = true;
				source.wait(() => {
					if (!this.#waiting) return;
					this.#waiting = false;
					this.#pump();
				});
				return NEXT_WAIT;
			}
		}
	}

	#finish(): void {
		const after = this.#response?.afterSend;
		// The cap is checked again: others may have become idle while this answer went out.
		if (this.#keep && this.#buffers.idle < this.#options.maxIdle) this.#awaitNext();
		else this.#close();
		after?.();
	}

	/** Back to waiting for a head, holding no buffer, until keepAliveMs. */
	#awaitNext(): void {
		this.#state = State.Head;
		this.#headFill = 0;
		this.#remaining = 0;
		this.#persistent = this.#keep = false;
		this.#exchange = this.#response = undefined;
		this.#out = this.#bodyBytes = undefined;
		this.#endSource();
		this.#releaseHead();
		this.#idle = true;
		this.#buffers.idle++;
		this.#timeout = this.#timers.after(this.#options.keepAliveMs, this.#onTimeout);
		if (this.#unread > 0) this.#drain();
	}

	/** No longer waiting (a request began, or the connection ends): the server's count follows. */
	#leaveIdle(): void {
		if (!this.#idle) return;
		this.#idle = false;
		this.#buffers.idle--;
	}

	#endSource(): void {
		const source = this.#source;
		this.#source = undefined;
		this.#waiting = false;
		source?.close?.();
	}

	#close(): void {
		if (this.#state === State.Closed) return;
		this.#state = State.Closed;
		this.#leaveIdle();
		this.#stopHeadTimer();
		this.#releaseHead();
		this.#out = this.#bodyBytes = undefined;
		this.#endSource();
		this.#socket.close();
	}
}

/** A request head as parsed here: which HTTP version it spoke decides whether the connection persists. */
interface ParsedHead extends RequestHead {
	http11: boolean;
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
	return utf8DecodeRange(b, from, to);
}

/** The index in `names` (REQUEST_HEADERS as bytes) of the one b[from, to) spells, else -1. @hot */
function keptHeader(b: Uint8Array, from: number, to: number, names: Uint8Array[]): number {
	for (let k = 0; k < names.length; k++) if (bytesAre(b, from, to, names[k])) return k;
	return -1;
}

/** Whether b[from, to) holds exactly `bytes`. @hot */
function bytesAre(b: Uint8Array, from: number, to: number, bytes: Uint8Array): boolean {
	const n = to - from;
	if (bytes.length !== n) return false;
	let i = 0;
	while (i < n && b[from + i] === bytes[i]) i++;
	return i === n;
}

/**
 * The request line and headers of head[0, end), or why they are malformed.
 * Header names are lower-cased in the buffer itself and values trimmed by
 * index, so a header costs one string, and only the kept ones (REQUEST_HEADERS). @hot
 */
function parseHead(b: Uint8Array, end: number, w: WireBuffers): ParsedHead | string {
	const names = w.headerNames;
	let lineEnd = lineEndAt(b, 0, end);
	if (lineEnd <= 0) return "The request line is missing.";
	let sp1 = -1,
		sp2 = -1;
	for (let i = 0; i < lineEnd; i++) {
		if (b[i] !== SP) continue;
		if (sp1 < 0) sp1 = i;
		sp2 = i;
	}
	if (sp1 <= 0 || sp2 <= sp1 + 1) return "The request line is not METHOD TARGET HTTP/1.x.";
	const http11 = bytesAre(b, sp2 + 1, lineEnd, w.http11);
	if (!http11 && !bytesAre(b, sp2 + 1, lineEnd, w.http10)) return `${text(b, sp2 + 1, lineEnd)} is not HTTP/1.0 or HTTP/1.1.`;
	const head: ParsedHead = { method: text(b, 0, sp1), target: text(b, sp1 + 1, sp2), headers: {}, http11 };
	let at = lineEnd + 2;
	while (at < end - 2) {
		lineEnd = lineEndAt(b, at, end);
		if (lineEnd < 0) return "A header line is not ended by CRLF.";
		let colon = -1;
		for (let i = at; i < lineEnd; i++) {
			const c = b[i];
			if (c === COLON) {
				colon = i;
				break;
			}
			if (c === SP || c === HTAB) return `The header name "${text(b, at, i + 1)}" has white space.`;
			if (c >= 65 && c <= 90) b[i] = c + 32; // A-Z: names are case-insensitive
		}
		if (colon <= at) return "A header line has no name.";
		const k = keptHeader(b, at, colon, names);
		if (k >= 0) {
			let from = colon + 1,
				to = lineEnd;
			while (from < to && (b[from] === SP || b[from] === HTAB)) from++;
			while (to > from && (b[to - 1] === SP || b[to - 1] === HTAB)) to--;
			const name = REQUEST_HEADERS[k];
			const value = text(b, from, to);
			const prior = head.headers[name];
			head.headers[name] = prior === undefined ? value : `${prior}, ${value}`;
		}
		at = lineEnd + 2;
	}
	return head;
}

/** Copies `bytes` to out[at]; the index after them, or -1 when they do not fit. @hot */
function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
	if (at < 0 || at + bytes.length > out.length) return -1;
	out.set(bytes, at);
	return at + bytes.length;
}

/** Whether a response header is one the connection writes itself (content-length, connection), in any letter case. */
function ownHeader(name: string): boolean {
	const lower = name.toLowerCase();
	return lower === CONTENT_LENGTH || lower === CONNECTION;
}

/** The whole response head in `out`: the kept prefix, the length, close or keep-alive; its length, or -1 when it does not fit. @hot */
function writeResponseHead(out: Uint8Array, prefix: Uint8Array, length: number | undefined, w: WireBuffers, keep: boolean): number {
	let at = put(out, 0, prefix);
	if (length !== undefined) {
		at = put(out, at, w.lengthPrefix);
		at = putDigits(out, at, length, 1);
		at = put(out, at, w.crlf);
	}
	return put(out, at, keep ? w.keepAndEnd : w.closeAndEnd);
}

/** Whether a request lets the connection carry another: HTTP/1.1 unless it says "connection: close"; HTTP/1.0 never. @hot */
function persistent(head: ParsedHead): boolean {
	if (!head.http11) return false;
	const connection = head.headers[CONNECTION];
	// What browsers send, compared whole (no string made); any other value is read as a list.
	return connection === undefined || connection === KEEP_ALIVE || !hasToken(connection, CLOSE);
}

/** Whether a comma-separated header value names `token` (lower case), in any letter case. */
function hasToken(value: string, token: string): boolean {
	const items = value.toLowerCase().split(COMMA_TEXT);
	for (let i = 0; i < items.length; i++) if (items[i].trim() === token) return true;
	return false;
}

/** The status line and the route's headers as text (the connection adds content-length and connection: close). */
function responseHeadText(res: Response): string {
	let text = `HTTP/1.1 ${res.status} ${reasonPhrase(res.status)}\r\n`;
	for (const [name, value] of res.headers ?? []) if (!ownHeader(name)) text += `${name}: ${value}\r\n`;
	return text;
}

/** @hot */
function lineEndAt(b: Uint8Array, from: number, to: number): number {
	for (let i = from; i + 1 < to; i++) if (b[i] === CR && b[i + 1] === LF) return i;
	return -1;
}
