/* Base64 (RFC 4648) for HTTP Basic credentials; XS in the test engine has no atob. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64Decode(text: string): Uint8Array | undefined {
	const clean = text.replace(/=+$/, "");
	if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) return undefined;
	const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
	let bits = 0,
		value = 0,
		n = 0;
	for (let i = 0; i < clean.length; i++) {
		value = (value << 6) | ALPHABET.indexOf(clean[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (value >> bits) & 255;
		}
	}
	return out.subarray(0, n);
}

export function base64Encode(bytes: Uint8Array): string {
	let out = "";
	for (let i = 0; i < bytes.length; i += 3) {
		const a = bytes[i],
			b = bytes[i + 1],
			c = bytes[i + 2];
		out += ALPHABET[a >> 2] + ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)];
		out += b === undefined ? "=" : ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)];
		out += c === undefined ? "=" : ALPHABET[c & 63];
	}
	return out;
}
