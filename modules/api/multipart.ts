/*
 * A streaming multipart/form-data reader (RFC 7578, RFC 2046 section 5.1):
 * what a browser form, `curl -F` and ElegantOTA-style uploaders send. The
 * bytes of the first part that carries a filename go to the inner sink as
 * they arrive; every other part is skipped. Nothing grows with the file:
 * it holds back at most the delimiter's length (CRLF, "--", a boundary of
 * at most 70 characters) and one part's headers (PART_HEAD_LIMIT).
 *
 * Chunks handed to the inner sink are views of the caller's chunk or of the
 * held-back bytes, valid during the call only (api/router BodySink).
 */

import type { BodySink } from "api/router";
import type { Response } from "api/http";
import { apiError } from "api/error-codes";
import { utf8Decode, utf8Encode } from "util/utf8";

const CR = 13,
	LF = 10,
	DASH = 45;
export const PART_HEAD_LIMIT = 1024;

/** The boundary parameter of a multipart/form-data content type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
	if (!contentType) return undefined;
	const semi = contentType.indexOf(";");
	if (semi < 0 || contentType.slice(0, semi).trim().toLowerCase() !== "multipart/form-data") return undefined;
	for (const param of contentType.slice(semi + 1).split(";")) {
		const eq = param.indexOf("=");
		if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
		let value = param.slice(eq + 1).trim();
		if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
		return value.length >= 1 && value.length <= 70 ? value : undefined;
	}
	return undefined;
}

// A const enum inlines to numbers (a plain enum is a module-level object, a preload hazard).
// biome-ignore lint/suspicious/noConstEnum: used only inside this module, so isolated compilation loses nothing.
const enum State {
	/** Before the first delimiter (the preamble), or inside a part that is skipped. */
	Skip,
	/** Right after a delimiter: "--" ends the body, CRLF starts a part's headers. */
	AfterDelimiter,
	Headers,
	File,
	/** After the closing delimiter, or after the file part: the rest is ignored. */
	Done,
}

export class MultipartFileSink implements BodySink {
	readonly #inner: BodySink;
	/** CRLF "--" boundary: what ends a part. */
	readonly #delimiter: Uint8Array;
	readonly #hold: Uint8Array;
	#held = 0;
	readonly #head = new Uint8Array(PART_HEAD_LIMIT);
	#headFill = 0;
	#after = new Uint8Array(2);
	#afterFill = 0;
	#state = State.Skip;
	#fileSeen = false;
	#fileDone = false;
	#closed = false;
	/** The file part's name and filename, once its headers were read. */
	fileName: string | undefined;

	constructor(boundary: string, inner: BodySink) {
		this.#inner = inner;
		this.#delimiter = utf8Encode(`\r\n--${boundary}`);
		this.#hold = new Uint8Array(this.#delimiter.length);
		// The body may start with the first delimiter itself: as if a CRLF preceded it.
		this.#hold[0] = CR;
		this.#hold[1] = LF;
		this.#held = 2;
	}

	write(chunk: Uint8Array): void {
		let at = 0;
		while (at < chunk.length && this.#state !== State.Done) {
			if (this.#state === State.AfterDelimiter) at = this.#afterDelimiter(chunk, at);
			else if (this.#state === State.Headers) at = this.#headers(chunk, at);
			else at = this.#content(chunk, at);
		}
	}

	end(): Response {
		if (!this.#fileSeen) {
			this.#inner.abort("no file in the form");
			throw apiError("bad_request", "The form has no file part (a part with a filename in its Content-Disposition).");
		}
		if (!this.#fileDone) {
			this.#inner.abort("the form ended inside the file");
			throw apiError("bad_request", "The multipart body ended inside the file part, before its closing boundary.");
		}
		this.#closed = true;
		return this.#inner.end();
	}

	abort(reason: string): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#inner.abort(reason);
	}

	/** Part content (the file's, or a skipped part's) up to the next delimiter. */
	#content(chunk: Uint8Array, from: number): number {
		const d = this.#delimiter;
		let start = from;
		if (this.#held > 0) {
			// Does the held tail of the last chunk continue into a whole delimiter?
			const need = d.length - this.#held;
			const n = Math.min(need, chunk.length - from);
			let match = true;
			for (let i = 0; i < n; i++) {
				if (chunk[from + i] !== d[this.#held + i]) {
					match = false;
					break;
				}
			}
			if (match && n === need) {
				this.#held = 0;
				this.#delimiterFound();
				return from + n;
			}
			if (match) {
				// Still a prefix of the delimiter, and the chunk is used up.
				this.#hold.set(chunk.subarray(from, from + n), this.#held);
				this.#held += n;
				return from + n;
			}
			// Not a delimiter: the held bytes were content after all. The delimiter's only CR is its first
			// byte (a boundary has no CR), so none can start inside them: emit them, scan the chunk.
			const held = this.#held;
			this.#held = 0;
			this.#emit(this.#hold.subarray(0, held));
		}
		for (;;) {
			const cr = chunk.indexOf(CR, start);
			if (cr < 0) {
				this.#emit(chunk.subarray(from, chunk.length));
				return chunk.length;
			}
			const avail = chunk.length - cr;
			const n = Math.min(avail, d.length);
			let match = true;
			for (let i = 1; i < n; i++) {
				if (chunk[cr + i] !== d[i]) {
					match = false;
					break;
				}
			}
			if (!match) {
				start = cr + 1;
				continue;
			}
			if (cr > from) this.#emit(chunk.subarray(from, cr));
			if (n === d.length) {
				this.#delimiterFound();
				return cr + n;
			}
			// The chunk ends inside what may be a delimiter: hold it back.
			this.#hold.set(chunk.subarray(cr, chunk.length), 0);
			this.#held = avail;
			return chunk.length;
		}
	}

	#emit(bytes: Uint8Array): void {
		if (this.#state === State.File && bytes.length > 0) this.#inner.write(bytes);
	}

	#delimiterFound(): void {
		if (this.#state === State.File) {
			this.#fileDone = true;
			this.#state = State.Done; // one file per upload: what follows is not read into anything
			return;
		}
		this.#state = State.AfterDelimiter;
		this.#afterFill = 0;
	}

	#afterDelimiter(chunk: Uint8Array, from: number): number {
		let at = from;
		while (at < chunk.length && this.#afterFill < 2) this.#after[this.#afterFill++] = chunk[at++];
		if (this.#afterFill < 2) return at;
		if (this.#after[0] === DASH && this.#after[1] === DASH) {
			this.#state = State.Done; // the closing delimiter: the epilogue is ignored
			return at;
		}
		if (this.#after[0] !== CR || this.#after[1] !== LF)
			throw apiError("bad_request", "The multipart body is malformed: a boundary is not followed by CRLF or --.");
		this.#state = State.Headers;
		this.#headFill = 0;
		return at;
	}

	#headers(chunk: Uint8Array, from: number): number {
		const head = this.#head;
		let at = from;
		while (at < chunk.length) {
			if (this.#headFill === head.length) throw apiError("bad_request", `A part's headers are over ${PART_HEAD_LIMIT} bytes.`);
			head[this.#headFill++] = chunk[at++];
			const f = this.#headFill;
			if (f >= 4 && head[f - 4] === CR && head[f - 3] === LF && head[f - 2] === CR && head[f - 1] === LF) {
				this.#startPart(utf8Decode(head.subarray(0, f - 4)));
				return at;
			}
			if (f === 2 && head[0] === CR && head[1] === LF) {
				this.#startPart(""); // a part without headers
				return at;
			}
		}
		return at;
	}

	#startPart(headers: string): void {
		const disposition = headerValue(headers, "content-disposition");
		const filename = disposition === undefined ? undefined : dispositionParam(disposition, "filename");
		if (filename !== undefined && !this.#fileSeen) {
			this.#fileSeen = true;
			this.fileName = filename;
			this.#state = State.File;
		} else this.#state = State.Skip;
		// A part's content starts right after its headers: a delimiter there needs its own CRLF.
		this.#held = 0;
	}
}

function headerValue(headers: string, name: string): string | undefined {
	for (const line of headers.split("\r\n")) {
		const colon = line.indexOf(":");
		if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
	}
	return undefined;
}

/** A parameter of a Content-Disposition value (quoted or token), or undefined. */
function dispositionParam(value: string, name: string): string | undefined {
	for (const part of value.split(";").slice(1)) {
		const eq = part.indexOf("=");
		if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
		const v = part.slice(eq + 1).trim();
		return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
	}
	return undefined;
}
