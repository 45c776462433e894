/*
 * PBKDF2-HMAC-SHA256 (RFC 8018) over the digest port, so the board hashes
 * with its native SHA-256. Used for the admin password.
 */

import type { DigestFactory } from "ports/digest";

const BLOCK = 64;

export function hmacSha256(digests: DigestFactory, key: Uint8Array, message: Uint8Array): Uint8Array {
	return makeHmac(digests, key)(message);
}

/** A keyed HMAC function; the padded keys are computed once. */
export function makeHmac(digests: DigestFactory, key: Uint8Array): (message: Uint8Array) => Uint8Array {
	let k = key;
	if (k.length > BLOCK) {
		const d = digests.sha256();
		d.write(k);
		k = d.close();
	}
	const ipad = new Uint8Array(BLOCK),
		opad = new Uint8Array(BLOCK);
	for (let i = 0; i < BLOCK; i++) {
		const b = i < k.length ? k[i] : 0;
		ipad[i] = b ^ 0x36;
		opad[i] = b ^ 0x5c;
	}
	return (message) => {
		const inner = digests.sha256();
		inner.write(ipad);
		inner.write(message);
		const outer = digests.sha256();
		outer.write(opad);
		outer.write(inner.close());
		return outer.close();
	};
}

/** Derive `length` bytes (at most 32 here: one block is all a password hash needs). */
export function pbkdf2Sha256(digests: DigestFactory, password: Uint8Array, salt: Uint8Array, iterations: number, length = 32): Uint8Array {
	if (!(iterations >= 1)) throw new RangeError("PBKDF2 needs at least one iteration");
	if (length > 32) throw new RangeError("this PBKDF2 derives at most 32 bytes");
	const hmac = makeHmac(digests, password);
	const first = new Uint8Array(salt.length + 4);
	first.set(salt);
	first[salt.length + 3] = 1; // block index 1, big-endian
	let u = hmac(first);
	const out = u.slice();
	for (let i = 1; i < iterations; i++) {
		u = hmac(u);
		for (let j = 0; j < 32; j++) out[j] ^= u[j];
	}
	return out.subarray(0, length);
}

/** Compare without an early exit, so timing says nothing about where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
	let diff = a.length ^ b.length;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ (b[i % (b.length || 1)] ?? 0);
	return diff === 0;
}
