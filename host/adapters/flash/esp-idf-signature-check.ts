/*
 * What ESP-IDF v6.0's esp_ota_end checks of a Secure Boot V2 signature in a
 * firmware built with CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT, written
 * from bootloader_support/src/secure_boot_v2/secure_boot_signatures_app.c
 * (esp_secure_boot_verify_sbv2_signature_block) with node:crypto, apart from
 * the firmware's own verifier (ota/signature's layout constants are shared;
 * the trust rule and the RSA-PSS check are not), so that the simulated board
 * refuses late whatever the firmware's validator failed to refuse first:
 *   - trusted: the key of the running image's first valid block (magic,
 *     version, CRC); none: every update fails ("No signatures were found
 *     for the running app");
 *   - of the new image only block 0 is looked at (one block when hardware
 *     secure boot is off): it must be valid, carry that key, and its RSA-PSS
 *     (SHA-256, MGF1, 32-byte salt) must verify the image padded to 4 KiB.
 * Node only: the simulator's and host tests' FlashOtaPort take it as an option.
 */

import crypto from "node:crypto";
import { MAX_SIG_BLOCKS, SIG_BLOCK_MAGIC, SIG_BLOCK_SIZE, SIG_VERSION_RSA, signatureOffset } from "ota/signature";
import { zlibCrc32 } from "util/crc32";
import type { StoredImage } from "./flash-ota-port";

const CRC_LENGTH = 1196;
const KEY_FROM = 36;
const KEY_TO = 812;

/** The block at `index` of the image's signature sector, when valid_signature_block would take it. */
function validBlock(image: StoredImage, index: number): Uint8Array | undefined {
	const block = image.read(signatureOffset(image.imageLength) + index * SIG_BLOCK_SIZE, SIG_BLOCK_SIZE);
	if (block.length !== SIG_BLOCK_SIZE || block[0] !== SIG_BLOCK_MAGIC || block[1] !== SIG_VERSION_RSA) return undefined;
	const crc = new DataView(block.buffer, block.byteOffset, SIG_BLOCK_SIZE).getUint32(CRC_LENGTH, true);
	return crc === zlibCrc32(block.subarray(0, CRC_LENGTH)) ? block : undefined;
}

function keyDigest(block: Uint8Array): string {
	return crypto.createHash("sha256").update(block.subarray(KEY_FROM, KEY_TO)).digest("hex");
}

/** A little-endian number as JWK wants it: big-endian, no leading zero bytes. */
function b64url(littleEndian: Uint8Array): string {
	const be = Uint8Array.from(littleEndian).reverse();
	let from = 0;
	while (from < be.length - 1 && be[from] === 0) from++;
	return Buffer.from(be.subarray(from)).toString("base64url");
}

/** Undefined when esp_ota_end would accept the image's signature, else what ESP-IDF would log. */
export function espIdfSignatureCheck(image: StoredImage, running: StoredImage): string | undefined {
	let trusted: string | undefined;
	for (let i = 0; i < MAX_SIG_BLOCKS && trusted === undefined; i++) {
		const b = validBlock(running, i);
		if (b) trusted = keyDigest(b);
	}
	if (trusted === undefined) return "No signatures were found for the running app";
	const block = validBlock(image, 0);
	if (!block || keyDigest(block) !== trusted) return "Secure Boot V2 verification failed (no trusted key in signature block 0)";
	const key = crypto.createPublicKey({
		key: { kty: "RSA", n: b64url(block.subarray(36, 420)), e: b64url(block.subarray(420, 424)) },
		format: "jwk",
	});
	const contents = image.read(0, signatureOffset(image.imageLength));
	const signature = Uint8Array.from(block.subarray(812, 812 + 384)).reverse();
	const ok = crypto.verify("sha256", contents, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
	return ok ? undefined : "Secure Boot V2 verification failed (RSA-PSS)";
}
