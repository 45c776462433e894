/*
 * UTF-8 without TextEncoder/TextDecoder: the XS used in the host test runner
 * has neither, and Moddable offers them only as optional modules. In XS
 * (the board, mcsim, xsnap) the engine's own ArrayBuffer.fromString and
 * String.fromArrayBuffer do the work in one allocation; elsewhere (Node)
 * the portable code below runs.
 */
/** XS's own conversions (xsDataView.c, xsString.c): one native copy, where `text += char` would make a string per byte. */
interface XsArrayBufferStatics {
	fromString?(text: string): ArrayBuffer;
}
interface XsStringStatics {
	fromArrayBuffer?(buffer: ArrayBufferLike, offset: number, length: number): string;
}

export function utf8Encode(text: string): Uint8Array {
	const xs = ArrayBuffer as unknown as XsArrayBufferStatics;
	if (xs.fromString) return new Uint8Array(xs.fromString(text));
	// Two passes into one exact Uint8Array: no array of numbers.
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) n += 1;
		else if (c < 0x800) n += 2;
		else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
			n += 4;
			i++;
		} else n += 3;
	}
	const out = new Uint8Array(n);
	let o = 0;
	for (let i = 0; i < text.length; i++) {
		let c = text.charCodeAt(i);
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
			c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
		}
		if (c < 0x80) out[o++] = c;
		else if (c < 0x800) {
			out[o++] = 0xc0 | (c >> 6);
			out[o++] = 0x80 | (c & 63);
		} else if (c < 0x10000) {
			out[o++] = 0xe0 | (c >> 12);
			out[o++] = 0x80 | ((c >> 6) & 63);
			out[o++] = 0x80 | (c & 63);
		} else {
			out[o++] = 0xf0 | (c >> 18);
			out[o++] = 0x80 | ((c >> 12) & 63);
			out[o++] = 0x80 | ((c >> 6) & 63);
			out[o++] = 0x80 | (c & 63);
		}
	}
	return out;
}

function isLowSurrogate(d: number): boolean {
	return d >= 0xdc00 && d <= 0xdfff;
}

export function utf8Decode(bytes: Uint8Array): string {
	return utf8DecodeRange(bytes, 0, bytes.length);
}

/** The text of bytes[from, to), without a view of the range on XS (one native decode). */
export function utf8DecodeRange(bytes: Uint8Array, from: number, to: number): string {
	const xs = String as unknown as XsStringStatics;
	if (xs.fromArrayBuffer) {
		try {
			return xs.fromArrayBuffer(bytes.buffer, bytes.byteOffset + from, to - from);
		} catch {
			// not UTF-8: decoded leniently below, as everywhere else
		}
	}
	return lenientDecode(bytes.subarray(from, to));
}

function lenientDecode(bytes: Uint8Array): string {
	let out = "";
	for (let i = 0; i < bytes.length; ) {
		const b = bytes[i++];
		let c: number;
		if (b < 0x80) c = b;
		else if (b >= 0xf0) c = ((b & 7) << 18) | ((bytes[i++] & 63) << 12) | ((bytes[i++] & 63) << 6) | (bytes[i++] & 63);
		else if (b >= 0xe0) c = ((b & 15) << 12) | ((bytes[i++] & 63) << 6) | (bytes[i++] & 63);
		else c = ((b & 31) << 6) | (bytes[i++] & 63);
		out += String.fromCodePoint(c);
	}
	return out;
}
