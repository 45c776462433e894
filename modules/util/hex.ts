/* Hex text for digests and ids (XS 17 has toHex, the host test XS does not). */

const DIGITS = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
	let out = "";
	for (let i = 0; i < bytes.length; i++) out += DIGITS[bytes[i] >> 4] + DIGITS[bytes[i] & 15];
	return out;
}

/** Parses lower- or upper-case hex; undefined when malformed. */
export function fromHex(text: string): Uint8Array | undefined {
	if (text.length % 2 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
	const out = new Uint8Array(text.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
	return out;
}
