/*
 * Secure Boot V2 signing on a developer's machine (node:crypto): RSA-3072
 * keys, and the signature sector espsecure's `sign-data --version 2`
 * appends (layout: modules/ota/signature.ts). Verification is the
 * firmware's own (ota/signature, ota/validator), so what `ohx verify`
 * accepts is what the board accepts.
 */

import crypto from "node:crypto";
import { ImageValidator } from "ota/validator";
import { MAX_SIG_BLOCKS, SIG_BLOCK_MAGIC, SIG_BLOCK_SIZE, SIG_SECTOR_SIZE, SIG_VERSION_RSA, parseSignatureSector, signatureOffset } from "ota/signature";
import { zlibCrc32 } from "util/crc32";
import { nodeDigests } from "../adapters/node-platform";

export const KEY_BITS = 3072;

/** A new RSA-3072 private key, PEM (PKCS#8), as espsecure generate-signing-key --version 2 makes one. */
export function generateKey(): string {
	const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: KEY_BITS, publicExponent: 65537 });
	return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function bigFromB64url(s: string): bigint {
	return BigInt(`0x${Buffer.from(s, "base64url").toString("hex") || "0"}`);
}

function leBytes(n: bigint, length: number): Uint8Array {
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) {
		out[i] = Number(n & 0xffn);
		n >>= 8n;
	}
	return out;
}

function modInverse(a: bigint, m: bigint): bigint {
	let [r0, r1] = [a % m, m];
	let [s0, s1] = [1n, 0n];
	while (r1 !== 0n) {
		const q = r0 / r1;
		[r0, r1] = [r1, r0 - q * r1];
		[s0, s1] = [s1, s0 - q * s1];
	}
	return ((s0 % m) + m) % m;
}

/** n and e of an RSA-3072 key. */
function rsaNumbers(key: crypto.KeyObject): { n: bigint; e: number } {
	const jwk = key.export({ format: "jwk" }) as { n?: string; e?: string };
	if (key.asymmetricKeyType !== "rsa" || !jwk.n || !jwk.e) throw new Error("the key is not an RSA key");
	const n = bigFromB64url(jwk.n);
	if (n.toString(2).length !== KEY_BITS) throw new Error(`the key is ${n.toString(2).length} bits; Secure Boot V2 takes RSA-${KEY_BITS}`);
	return { n, e: Number(bigFromB64url(jwk.e)) };
}

/** The block's key fields (bytes 36..811): n little-endian, e, R = 2^(2*3072) mod n, M' = -n^-1 mod 2^32. */
function keyFields(n: bigint, e: number): Uint8Array {
	const out = new Uint8Array(776);
	const view = new DataView(out.buffer);
	out.set(leBytes(n, 384), 0);
	view.setUint32(384, e, true);
	out.set(leBytes((1n << BigInt(2 * KEY_BITS)) % n, 384), 388);
	view.setUint32(772, Number(((1n << 32n) - modInverse(n, 1n << 32n)) % (1n << 32n)), true);
	return out;
}

/** Where the image ends (header through appended hash), by the firmware's own parser. */
export function imageLength(file: Uint8Array): number {
	const v = new ImageValidator({
		digests: nodeDigests,
		slotSize: file.length,
		structureOnly: true,
		ignoreTrailing: true,
		running: "0.0.0",
		runningSecureVersion: 0,
	});
	for (let at = 0; at < file.length && !v.complete; at += 4096) v.write(file.subarray(at, at + 4096));
	return v.end().imageLength;
}

/** The image with one more signature block by `privateKeyPem` (a new sector, or added to the one it has; at most 3). */
export function signImage(file: Uint8Array, privateKeyPem: string): Uint8Array {
	const key = crypto.createPrivateKey(privateKeyPem);
	const offset = signatureOffset(imageLength(file));
	const contents = new Uint8Array(offset).fill(0xff);
	contents.set(file.subarray(0, Math.min(file.length, offset)));
	const sector = new Uint8Array(SIG_SECTOR_SIZE).fill(0xff);
	let blocks = 0;
	if (file.length > offset && file[offset] === SIG_BLOCK_MAGIC) {
		const existing = file.subarray(offset, offset + SIG_SECTOR_SIZE);
		blocks = parseSignatureSector(existing, nodeDigests).length;
		if (blocks >= MAX_SIG_BLOCKS) throw new Error(`the image already carries ${MAX_SIG_BLOCKS} signatures, the most a sector holds`);
		sector.set(existing.subarray(0, blocks * SIG_BLOCK_SIZE));
	}
	sector.set(signatureBlock(contents, key), blocks * SIG_BLOCK_SIZE);
	const out = new Uint8Array(offset + SIG_SECTOR_SIZE);
	out.set(contents);
	out.set(sector, offset);
	return out;
}

/** One 1216-byte Secure Boot V2 block signing `contents` (the padded image before the sector) with `privateKey`. */
export function signatureBlock(contents: Uint8Array, privateKey: crypto.KeyObject | string): Uint8Array {
	const key = typeof privateKey === "string" ? crypto.createPrivateKey(privateKey) : privateKey;
	const { n, e } = rsaNumbers(key);
	const digest = crypto.createHash("sha256").update(contents).digest();
	const signature = crypto.sign("sha256", contents, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
	const block = new Uint8Array(SIG_BLOCK_SIZE);
	const view = new DataView(block.buffer);
	block[0] = SIG_BLOCK_MAGIC;
	block[1] = SIG_VERSION_RSA;
	block.set(digest, 4);
	block.set(keyFields(n, e), 36);
	block.set(Uint8Array.from(signature).reverse(), 812);
	view.setUint32(1196, zlibCrc32(block.subarray(0, 1196)), true);
	return block;
}

/** The key digest (hex) a private or public key PEM stands for: what the board lists as trusted (espsecure digest-sbv2-public-key). */
export function keyDigest(pem: string): string {
	const { n, e } = rsaNumbers(pem.includes("PRIVATE") ? crypto.createPublicKey(crypto.createPrivateKey(pem)) : crypto.createPublicKey(pem));
	return crypto.createHash("sha256").update(keyFields(n, e)).digest("hex");
}
