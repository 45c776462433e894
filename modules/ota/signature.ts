/*
 * ESP-IDF Secure Boot V2 signatures (RSA-3072, RSA-PSS over SHA-256), in
 * the layout espsecure's `sign-data --version 2` appends and the bootloader
 * and esp_ota_end read (esptool espsecure/__init__.py, ESP-IDF
 * secure_boot_signatures): the image is padded with 0xFF to a 4 KiB
 * boundary, then one 4 KiB signature sector holds up to 3 blocks of 1216
 * bytes, 0xFF after them:
 *   0     magic 0xE7, version 0x02 (RSA), 2 bytes 0
 *   4     SHA-256 of everything before the sector (32)
 *   36    RSA modulus n, little-endian (384)
 *   420   exponent e (u32)
 *   424   R = 2^(2*3072) mod n, little-endian (384)
 *   808   M' = -n^-1 mod 2^32 (u32)
 *   812   the RSA-PSS signature, little-endian (384)
 *   1196  zlib CRC-32 of bytes 0..1195 (u32), then 16 zero bytes
 * A key's digest (what eFuses would hold) is SHA-256 of bytes 36..811.
 * Pure functions; the verification runs in BigInt, so it works in XS, on
 * Node and (time not measured) on the board.
 */

import type { DigestFactory } from "ports/digest";
import { OtaError } from "ota/errors";
import { zlibCrc32 } from "util/crc32";
import { toHex } from "util/hex";

export const SIG_SECTOR_SIZE = 4096;
export const SIG_BLOCK_SIZE = 1216;
export const SIG_BLOCK_MAGIC = 0xe7;
export const SIG_VERSION_RSA = 0x02;
export const SIG_VERSION_ECDSA = 0x03;
export const MAX_SIG_BLOCKS = 3;
export const RSA_BYTES = 384;
/** The key fields' span in a block: n, e, R, M'. */
const KEY_FROM = 36;
const KEY_TO = 812;

export interface SignatureBlock {
	index: number;
	/** The SHA-256 the block signs: of the padded image before the sector. */
	imageDigest: Uint8Array;
	/** Big-endian modulus and signature (the block stores them little-endian). */
	modulus: Uint8Array;
	exponent: number;
	signature: Uint8Array;
	/** SHA-256 of the key fields, hex: the key's identity. */
	keyDigest: string;
}

/** Where the signature sector starts for an image of `imageLength` bytes (the 4 KiB boundary at or after it). */
export function signatureOffset(imageLength: number): number {
	return Math.ceil(imageLength / SIG_SECTOR_SIZE) * SIG_SECTOR_SIZE;
}

function u32(b: Uint8Array, at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function reversed(b: Uint8Array): Uint8Array {
	const out = new Uint8Array(b.length);
	for (let i = 0; i < b.length; i++) out[i] = b[b.length - 1 - i];
	return out;
}

/** True when the 1216 bytes at `at` are a well-formed block (magic, a known version, CRC). */
function blockIsWellFormed(sector: Uint8Array, at: number): boolean {
	if (sector[at] !== SIG_BLOCK_MAGIC) return false;
	if (sector[at + 1] !== SIG_VERSION_RSA && sector[at + 1] !== SIG_VERSION_ECDSA) return false;
	return zlibCrc32(sector.subarray(at, at + 1196)) === u32(sector, at + 1196);
}

/**
 * The blocks of a 4 KiB signature sector. Refuses (image_bad_signature_block)
 * a sector whose first block is damaged, a damaged block after good ones,
 * anything but 0xFF after the last block, and ECDSA blocks (this firmware
 * verifies RSA-3072 only).
 */
export function parseSignatureSector(sector: Uint8Array, digests: DigestFactory): SignatureBlock[] {
	if (sector.length !== SIG_SECTOR_SIZE)
		throw new OtaError("image_bad_signature_block", `The signature sector is ${sector.length} bytes, not ${SIG_SECTOR_SIZE}: the file was cut short.`);
	const blocks: SignatureBlock[] = [];
	let at = 0;
	for (; blocks.length < MAX_SIG_BLOCKS; at += SIG_BLOCK_SIZE) {
		if (sector[at] === 0xff && blocks.length > 0) break;
		if (!blockIsWellFormed(sector, at))
			throw new OtaError("image_bad_signature_block", `Signature block ${blocks.length + 1} is damaged (magic, version or CRC): the signature cannot be read.`);
		if (sector[at + 1] === SIG_VERSION_ECDSA)
			throw new OtaError("image_bad_signature_block", "The image is signed with ECDSA; this firmware verifies RSA-3072 Secure Boot V2 signatures only.");
		const d = digests.sha256();
		d.write(sector.subarray(at + KEY_FROM, at + KEY_TO));
		blocks.push({
			index: blocks.length,
			imageDigest: sector.slice(at + 4, at + 36),
			modulus: reversed(sector.subarray(at + 36, at + 36 + RSA_BYTES)),
			exponent: u32(sector, at + 420),
			signature: reversed(sector.subarray(at + 812, at + 812 + RSA_BYTES)),
			keyDigest: toHex(d.close()),
		});
	}
	for (let i = at; i < SIG_SECTOR_SIZE; i++) {
		if (sector[i] !== 0xff) throw new OtaError("image_bad_signature_block", `Unexpected bytes after the last signature block (offset ${i} of the sector).`);
	}
	return blocks;
}

function toBigInt(be: Uint8Array): bigint {
	let n = 0n;
	for (let i = 0; i < be.length; i++) n = (n << 8n) | BigInt(be[i]);
	return n;
}

function fromBigInt(n: bigint, length: number): Uint8Array {
	const out = new Uint8Array(length);
	for (let i = length - 1; i >= 0; i--) {
		out[i] = Number(n & 0xffn);
		n >>= 8n;
	}
	return out;
}

function modPow(base: bigint, exponent: number, modulus: bigint): bigint {
	let result = 1n;
	let b = base % modulus;
	let e = exponent;
	while (e > 0) {
		if (e & 1) result = (result * b) % modulus;
		b = (b * b) % modulus;
		e = Math.floor(e / 2);
	}
	return result;
}

function sha256(digests: DigestFactory, ...parts: Uint8Array[]): Uint8Array {
	const d = digests.sha256();
	for (const p of parts) d.write(p);
	return d.close();
}

/** EMSA-PSS-VERIFY (RFC 8017 9.1.2) with SHA-256, MGF1-SHA-256 and a 32-byte salt, over the digest `mHash`. */
function pssVerify(em: Uint8Array, mHash: Uint8Array, modBits: number, digests: DigestFactory): boolean {
	const hLen = 32,
		sLen = 32;
	const emLen = em.length;
	if (emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
	const dbLen = emLen - hLen - 1;
	const h = em.subarray(dbLen, dbLen + hLen);
	const zeroBits = 8 * emLen - (modBits - 1);
	if (em[0] & (0xff << (8 - zeroBits)) & 0xff) return false;
	const db = new Uint8Array(dbLen);
	const counter = new Uint8Array(4);
	for (let done = 0, c = 0; done < dbLen; c++) {
		counter[0] = c >>> 24;
		counter[1] = (c >>> 16) & 255;
		counter[2] = (c >>> 8) & 255;
		counter[3] = c & 255;
		const mask = sha256(digests, h, counter);
		for (let i = 0; i < hLen && done < dbLen; i++, done++) db[done] = em[done] ^ mask[i];
	}
	db[0] &= 0xff >>> zeroBits;
	const ps = dbLen - sLen - 1;
	for (let i = 0; i < ps; i++) if (db[i] !== 0) return false;
	if (db[ps] !== 0x01) return false;
	const check = sha256(digests, new Uint8Array(8), mHash, db.subarray(ps + 1));
	let diff = 0;
	for (let i = 0; i < hLen; i++) diff |= check[i] ^ h[i];
	return diff === 0;
}

/** Whether `block` is an RSA-PSS signature of `digest` by the key it carries. */
export function verifyBlock(block: SignatureBlock, digest: Uint8Array, digests: DigestFactory): boolean {
	const n = toBigInt(block.modulus);
	const s = toBigInt(block.signature);
	if (n === 0n || s >= n) return false;
	const modBits = n.toString(2).length;
	const em = fromBigInt(modPow(s, block.exponent, n), Math.ceil((modBits - 1) / 8));
	return pssVerify(em, digest, modBits, digests);
}
