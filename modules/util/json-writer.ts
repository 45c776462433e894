/*
 * JSON written into one reused byte buffer, for the answer polled twice a
 * second (GET /api/status). XS's JSON.stringify makes a key list for every
 * object it visits and the whole text as a string, which the connection
 * then copies to bytes: ~140 slots and ~3.6 KB of garbage a poll, which
 * made the fixed heap collect every second during an upload
 * (docs/performance.md). Here the keys come from a layout kept in flash
 * (a preloaded constant), numbers are written digit by digit, and strings
 * by a native that copies XS's own bytes (platform/moddable/json-text);
 * nothing is allocated for what did not change.
 *
 * A layout names every key of an object in order: 0 for a string, number,
 * boolean or null; { items: layout } for an array; [key, layout, key,
 * layout, ...] for an object. `jsonLayout<T>()` checks at compile time that
 * a layout names every key of T and no other, so a field added to a type
 * fails the build until it is written. Values are written as
 * JSON.stringify writes them: undefined and functions skipped in objects
 * and null in arrays, non-finite numbers null.
 */

import type { BodySource } from "api/http";
import { frozen } from "util/frozen";

export type JsonLayout = 0 | { readonly items: JsonLayout } | readonly (string | JsonLayout)[];

// Functions count as primitives: skipped in objects, null in arrays, as JSON.stringify does.
type Primitive = string | number | boolean | null | undefined | ((...args: never[]) => unknown);
type PairKeys<L> = L extends readonly [infer K, unknown, ...infer R] ? K | PairKeys<R> : never;
type PairsFit<T, L> = L extends readonly [infer K, infer V, ...infer R]
	? K extends keyof T
		? LayoutFits<T[K], V> extends true
			? PairsFit<T, R>
			: { at: K; problem: LayoutFits<T[K], V> }
		: { unknownKey: K }
	: true;
type ObjectFits<T, L> = [Exclude<keyof T, PairKeys<L>>] extends [never]
	? [Exclude<PairKeys<L>, keyof T>] extends [never]
		? PairsFit<T, L>
		: { unknownKeys: Exclude<PairKeys<L>, keyof T> }
	: { missingKeys: Exclude<keyof T, PairKeys<L>> };

/** true when layout L writes every key of T and no other, at every depth; else what is wrong, for the compiler's message. */
export type LayoutFits<T, L> = [NonNullable<T>] extends [Primitive]
	? L extends 0
		? true
		: { notAPrimitive: L }
	: [NonNullable<T>] extends [readonly (infer U)[]]
		? L extends { readonly items: infer I }
			? LayoutFits<U, I>
			: { notAnArray: L }
		: L extends readonly unknown[]
			? ObjectFits<NonNullable<T>, L>
			: { notAnObject: L };

/** A layout for T, checked: `jsonLayout<T>()([...])`; a wrong one is a type error naming the keys. */
export function jsonLayout<T>(): <const L extends JsonLayout>(layout: L & (LayoutFits<T, L> extends true ? unknown : LayoutFits<T, L>)) => L {
	return (layout) => layout;
}

/** Text into bytes at out[at]; the index after it, or -1 when it does not fit. */
export interface JsonText {
	/** `text` as a JSON string (quoted and escaped) when `quoted`, else as it is (ASCII: a number's text). */
	put(out: Uint8Array, at: number, text: string, quoted: boolean): number;
}

/**
 * The portable JsonText (Node, xsnap, tests): char by char. In XS,
 * `text.charCodeAt(i)` and `text.length` each make a String wrapper (two
 * slots); charCodeAt called on the primitive makes none in xsnap (about
 * three slots a call in mcsim's engine, docs/preload-hazards.md), and its
 * NaN past the end stands for the length. The board and mcsim use the
 * native one (platform/moddable/json-text), a C copy.
 */
export const portableJsonText: JsonText = frozen({
	put(out, at, text, quoted) {
		if (at < 0) return -1;
		if (quoted) at = putByte(out, at, QUOTE);
		for (let i = 0; at >= 0; i++) {
			let c: number = charCodeAt.call(text, i);
			if (Number.isNaN(c)) break; // the end
			if (!quoted) at = putByte(out, at, c);
			else if (c === QUOTE || c === BACKSLASH) at = putBytes(out, at, BACKSLASH, c, -1, -1);
			else if (c < 0x20) at = putControl(out, at, c);
			else if (c < 0x80) at = putByte(out, at, c);
			else if (c < 0x800) at = putBytes(out, at, 0xc0 | (c >> 6), 0x80 | (c & 63), -1, -1);
			else if (c >= 0xd800 && c <= 0xdfff) {
				const d: number = charCodeAt.call(text, i + 1); // NaN at the end: no pair
				if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
					c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
					i++;
					at = putBytes(out, at, 0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
				} else at = putUnicodeEscape(out, at, c); // a lone surrogate, as JSON.stringify writes it
			} else at = putBytes(out, at, 0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63), -1);
		}
		return quoted ? putByte(out, at, QUOTE) : at;
	},
});

const charCodeAt = String.prototype.charCodeAt;

const QUOTE = 34,
	BACKSLASH = 92,
	COMMA = 44,
	COLON = 58,
	OPEN_OBJECT = 123,
	CLOSE_OBJECT = 125,
	OPEN_ARRAY = 91,
	CLOSE_ARRAY = 93,
	MINUS = 45,
	DOT = 46,
	ZERO = 48,
	HEX = "0123456789abcdef",
	NULL_TEXT = "null",
	TRUE_TEXT = "true",
	FALSE_TEXT = "false",
	STRING = "string",
	NUMBER = "number",
	BOOLEAN = "boolean",
	OBJECT = "object",
	FUNCTION = "function";

/** Largest integer written digit by digit (beyond it, and for fractions with over 6 places, the engine's own text). */
const MAX_DIGITS_INTEGER = 2 ** 53;
const POWERS = frozen([1, 10, 100, 1000, 10_000, 100_000, 1_000_000]);

function putByte(out: Uint8Array, at: number, b: number): number {
	if (at < 0 || at >= out.length) return -1;
	out[at] = b;
	return at + 1;
}

/** Up to four bytes (a -1 ends them early). */
function putBytes(out: Uint8Array, at: number, a: number, b: number, c: number, d: number): number {
	at = putByte(out, putByte(out, at, a), b);
	if (c >= 0) at = putByte(out, at, c);
	if (d >= 0) at = putByte(out, at, d);
	return at;
}

function putControl(out: Uint8Array, at: number, c: number): number {
	const short = c === 8 ? 98 : c === 12 ? 102 : c === 10 ? 110 : c === 13 ? 114 : c === 9 ? 116 : 0; // b f n r t
	return short ? putBytes(out, at, BACKSLASH, short, -1, -1) : putUnicodeEscape(out, at, c);
}

function putUnicodeEscape(out: Uint8Array, at: number, c: number): number {
	at = putBytes(out, at, BACKSLASH, 117, -1, -1); // \u
	for (let shift = 12; shift >= 0; shift -= 4) at = putByte(out, at, charCodeAt.call(HEX, (c >> shift) & 15));
	return at;
}

/**
 * A non-negative integer below 2^53 in decimal at out[at], at least `width`
 * digits (zeros in front); the index after it, or -1 when it does not fit.
 * Also the HTTP connection's content-length. @hot
 */
export function putDigits(out: Uint8Array, at: number, n: number, width: number): number {
	let digits = 1;
	for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
	if (digits < width) digits = width;
	if (at < 0 || at + digits > out.length) return -1;
	for (let i = digits - 1, v = n; i >= 0; i--, v = Math.floor(v / 10)) out[at + i] = ZERO + (v % 10);
	return at + digits;
}

/**
 * A number as JSON.stringify writes it: integers and values with up to six
 * decimal places exactly (their shortest text), digit by digit; anything
 * else through the engine's own conversion. @hot
 */
function putNumber(out: Uint8Array, at: number, n: number, text: JsonText): number {
	if (!Number.isFinite(n)) return text.put(out, at, NULL_TEXT, false);
	const negative = n < 0;
	const abs = negative ? -n : n;
	if (abs < 1e15) {
		for (let places = 0; places < POWERS.length; places++) {
			const scale = POWERS[places];
			const scaled = Math.round(abs * scale);
			if (scaled / scale !== abs || scaled >= MAX_DIGITS_INTEGER) continue;
			if (abs !== 0 && abs < 1e-6) break; // JSON.stringify writes these with an exponent
			if (negative && scaled !== 0) at = putByte(out, at, MINUS);
			const whole = Math.floor(scaled / scale);
			at = putDigits(out, at, whole, 1);
			if (places === 0) return at;
			let fraction = scaled - whole * scale,
				width = places;
			while (fraction > 0 && fraction % 10 === 0) {
				fraction /= 10;
				width--;
			}
			return putDigits(out, putByte(out, at, DOT), fraction, width);
		}
	}
	return text.put(out, at, String(n), false);
}

/** Writes `value` by `layout` at out[at]; the index after it, or -1 when the buffer is too small. */
function putValue(out: Uint8Array, at: number, value: unknown, layout: JsonLayout, text: JsonText): number {
	const type = typeof value;
	if (value === null || value === undefined || at < 0) return at < 0 ? -1 : text.put(out, at, NULL_TEXT, false);
	if (type === STRING) return text.put(out, at, value as string, true);
	if (type === NUMBER) return putNumber(out, at, value as number, text);
	if (type === BOOLEAN) return text.put(out, at, value ? TRUE_TEXT : FALSE_TEXT, false);
	if (type !== OBJECT) return text.put(out, at, NULL_TEXT, false);
	if (Array.isArray(value)) {
		const items = (layout as { items?: JsonLayout }).items ?? 0;
		at = putByte(out, at, OPEN_ARRAY);
		for (let i = 0; i < value.length; i++) {
			if (i > 0) at = putByte(out, at, COMMA);
			const item = value[i];
			at = item === undefined || typeof item === FUNCTION ? text.put(out, at, NULL_TEXT, false) : putValue(out, at, item, items, text);
		}
		return putByte(out, at, CLOSE_ARRAY);
	}
	const pairs = layout as readonly (string | JsonLayout)[];
	const object = value as Record<string, unknown>;
	at = putByte(out, at, OPEN_OBJECT);
	let first = true;
	for (let i = 0; i + 1 < pairs.length; i += 2) {
		const key = pairs[i] as string;
		const v = object[key];
		if (v === undefined || typeof v === FUNCTION) continue;
		if (!first) at = putByte(out, at, COMMA);
		first = false;
		at = putByte(out, text.put(out, at, key, true), COLON);
		at = putValue(out, at, v, pairs[i + 1] as JsonLayout, text);
	}
	return putByte(out, at, CLOSE_OBJECT);
}

/**
 * Where a writer's buffers come from and go back to: on the board, the HTTP
 * server's head pool (api/http-connection WireBuffers), whose buffer is
 * free while an answer is written, since a request without a body gives
 * its head buffer back before its route runs.
 */
export interface BufferPool {
	take(): Uint8Array;
	give(buffer: Uint8Array): void;
}

/**
 * Writes answers by their layout into a buffer taken from `pool` and given
 * back when the answer is out (its body source closed): a poll then makes no
 * buffer, no text and no copy, and the idle heap holds nothing of it.
 * Without a pool, or when the answer outgrows the pool's buffer, a buffer
 * of its own is made per answer. Each answer has its own buffer until it is
 * closed, so no answer changes under a slow socket.
 */
export class JsonWriter {
	readonly #text: JsonText;
	readonly #max: number;
	readonly #pool: BufferPool | undefined;
	#size: number;

	/** `initial` bytes at first; doubled as needed up to `max` (an answer over it throws). */
	constructor(text: JsonText, initial = 2048, max = 16_384, pool?: BufferPool) {
		this.#text = text;
		this.#max = max;
		this.#size = initial;
		this.#pool = pool;
	}

	/** `value` as JSON by `layout`, as a body the connection sends and then closes (which gives the buffer back). */
	body(value: unknown, layout: JsonLayout): BodySource {
		const pool = this.#pool;
		let pooled = pool?.take();
		if (pooled && pooled.length < this.#size) {
			// Answers have outgrown it: not tried again each time.
			pool!.give(pooled);
			pooled = undefined;
		}
		let buffer = pooled ?? new Uint8Array(this.#size);
		let end = putValue(buffer, 0, value, layout, this.#text);
		while (end < 0) {
			if (buffer.length * 2 > this.#max) {
				if (pooled) pool!.give(pooled);
				throw new RangeError(`A JSON answer over ${this.#max} bytes.`);
			}
			buffer = new Uint8Array(buffer.length * 2);
			end = putValue(buffer, 0, value, layout, this.#text);
		}
		if (pooled && buffer !== pooled) {
			pool!.give(pooled);
			pooled = undefined;
		}
		this.#size = Math.max(this.#size, buffer.length);
		return new WrittenBody(buffer, end, pooled ? pool : undefined);
	}

	/** The bytes of `value` by `layout` (for tests and the bench: a copy). */
	bytes(value: unknown, layout: JsonLayout): Uint8Array {
		const source = this.body(value, layout);
		const out = new Uint8Array(source.length ?? 0);
		for (let at = 0, piece = source.read(out.length); piece; piece = source.read(out.length)) {
			out.set(piece, at);
			at += piece.length;
		}
		source.close?.();
		return out;
	}
}

class WrittenBody implements BodySource {
	readonly length: number;
	readonly #buffer: Uint8Array;
	readonly #pool: BufferPool | undefined;
	#at = 0;
	#closed = false;

	constructor(buffer: Uint8Array, length: number, pool: BufferPool | undefined) {
		this.#buffer = buffer;
		this.length = length;
		this.#pool = pool;
	}

	read(max: number): Uint8Array | undefined {
		if (this.#closed || this.#at >= this.length) return undefined;
		const n = Math.min(max, this.length - this.#at);
		const piece = this.#buffer.subarray(this.#at, this.#at + n);
		this.#at += n;
		return piece;
	}

	/** Once: the buffer goes back to its pool (a second close must not give it twice). */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#pool?.give(this.#buffer);
	}
}
