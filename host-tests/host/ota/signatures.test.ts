/*
 * [spec] Secure Boot V2 signatures (ota/signature, the validator's rule,
 * host/cli/signing): what a board that trusts keys accepts and refuses, a
 * developer build's leniency, key rotation, and the whole stager path on
 * the flash model. Signed with node:crypto; verified by the firmware's own
 * BigInt code. With $ESPTOOL_PATH, espsecure verifies what we sign and we
 * verify what it signs.
 */

import { assert } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImageValidator, type ValidatorOptions } from "ota/validator";
import { OtaError } from "ota/errors";
import { SIG_BLOCK_SIZE, SIG_SECTOR_SIZE, signatureOffset } from "ota/signature";
import { slotSigners } from "ota/slot-info";
import type { OtaPort } from "ports/ota";
import { ImageStager } from "ota/stager";
import { nodeDigests } from "../../../host/adapters/node-platform";
import { generateKey, imageLength, keyDigest, signatureBlock, signImage } from "../../../host/cli/signing";
import { buildEspImage } from "../../support/esp-image";
import { fakePlatform } from "../../support/fakes";
import { memoryBoard } from "../../support/fake-ota";
import { FlashBoard } from "../../../host/adapters/flash/board";
import { MemoryFlashStorage, NorFlash } from "../../../host/adapters/flash/nor-flash";
import { SMALL_TEST_CSV, SMALL_TEST_FLASH, layoutFromCsv } from "../../../host/adapters/flash/layout";
import { espIdfSignatureCheck } from "../../../host/adapters/flash/esp-idf-signature-check";

const OLD_KEY = generateKey();
const NEW_KEY = generateKey();
const STRANGER = generateKey();
const image = (o = {}) => buildEspImage({ version: "1.3.0+ohxs", size: 20_000, seed: 31, ...o });

function judge(bytes: Uint8Array, trustedKeys: string[], chunk = 1460, o: Partial<ValidatorOptions> = {}): string | string[] | undefined {
	const v = new ImageValidator({ digests: nodeDigests, slotSize: 1 << 21, running: "1.2.0+ohxs", runningSecureVersion: 0, trustedKeys, ...o });
	try {
		for (let i = 0; i < bytes.length; i += chunk) v.write(bytes.subarray(i, i + chunk));
		return v.end().signedBy;
	} catch (e) {
		if (e instanceof OtaError) return e.code;
		throw e;
	}
}

/** Streams `bytes` through a stager as an upload does: the signers when it is staged, else the refusal's code. */
function stage(s: ImageStager, bytes: Uint8Array): string | string[] | undefined {
	try {
		s.begin({ declaredSize: bytes.length });
		for (let i = 0; i < bytes.length; i += 1460) s.write(bytes.subarray(i, i + 1460));
		return s.end().signedBy;
	} catch (e) {
		if (e instanceof OtaError) return e.code;
		throw e;
	}
}

describe("Secure Boot V2 signatures", function () {
	this.timeout(60_000);
	const trusted = [keyDigest(OLD_KEY)];
	const signed = signImage(image(), OLD_KEY);

	it("lays the signature sector out as espsecure does: the image padded to 4 KiB, one 4 KiB sector, 0xFF after the block", () => {
		const offset = signatureOffset(imageLength(image()));
		assert.equal(offset % 4096, 0);
		assert.equal(signed.length, offset + SIG_SECTOR_SIZE);
		assert.equal(signed[offset], 0xe7);
		assert.equal(signed[offset + 1], 0x02);
		assert.isTrue(signed.subarray(offset + SIG_BLOCK_SIZE).every((b) => b === 0xff));
	});

	it("a board that trusts the key accepts the image in any chunking, and says who signed it", () => {
		for (const chunk of [1, 777, 4096, signed.length]) assert.deepEqual(judge(signed, trusted, chunk), trusted, `chunk ${chunk}`);
	});

	it("refuses an unsigned image on a board that trusts keys: image_unsigned", () => {
		assert.equal(judge(image(), trusted), "image_unsigned");
	});

	it("refuses an image signed by a key it does not trust: image_untrusted_key", () => {
		assert.equal(judge(signImage(image(), STRANGER), trusted), "image_untrusted_key");
	});

	it("refuses an image changed after signing: image_bad_signature (or its own damage first)", () => {
		const tampered = signed.slice();
		tampered[3000] ^= 1; // inside a segment: the checksum says so first
		assert.equal(judge(tampered, trusted), "image_bad_checksum", "what is wrong with the file itself is said first");
		const padded = signed.slice();
		padded[signatureOffset(imageLength(image())) - 1] = 0x00; // the 0xFF padding the signature covers
		assert.equal(judge(padded, trusted), "image_trailing_data");
		const sig = signed.slice();
		sig[signatureOffset(imageLength(image())) + 900] ^= 0x01; // the signature itself, CRC fixed up below
		const off = signatureOffset(imageLength(image()));
		const crc = crc32(sig.subarray(off, off + 1196));
		new DataView(sig.buffer).setUint32(off + 1196, crc, true);
		assert.equal(judge(sig, trusted), "image_bad_signature");
	});

	it("refuses a signature block that belongs to another image: image_bad_signature", () => {
		const other = signImage(image({ seed: 99 }), OLD_KEY);
		const off = signatureOffset(imageLength(image()));
		const swapped = signed.slice();
		swapped.set(other.subarray(other.length - SIG_SECTOR_SIZE), off);
		assert.equal(judge(swapped, trusted), "image_bad_signature");
	});

	it("refuses a truncated or misplaced signature: image_bad_signature_block", () => {
		assert.equal(judge(signed.subarray(0, signed.length - 100), trusted), "image_bad_signature_block");
		const off = signatureOffset(imageLength(image()));
		const damaged = signed.slice();
		damaged[off + 1196] ^= 0xff; // the CRC
		assert.equal(judge(damaged, trusted), "image_bad_signature_block");
		const misplaced = new Uint8Array(signed.length + 512).fill(0xff);
		misplaced.set(signed.subarray(0, off));
		misplaced.set(signed.subarray(off), off + 512);
		assert.equal(judge(misplaced, trusted), "image_bad_signature_block");
	});

	it("a correctly signed image with a bad appended SHA-256 is refused for that, not accepted for its signature", () => {
		const damaged = image({ badAppendedHash: true });
		const off = signatureOffset(imageLength(image()));
		const contents = new Uint8Array(off).fill(0xff);
		contents.set(damaged);
		const file = new Uint8Array(off + SIG_SECTOR_SIZE).fill(0xff);
		file.set(contents);
		file.set(signatureBlock(contents, OLD_KEY), off); // a signature that is right for these very bytes
		assert.equal(judge(file, trusted), "image_bad_appended_hash");
	});

	it("rotates keys: a release signed by the old and the new key passes either board, and hands the new key on", () => {
		const both = signImage(signed, NEW_KEY);
		assert.equal(both.length, signed.length, "the second block goes into the same sector");
		assert.deepEqual(judge(both, trusted), [keyDigest(OLD_KEY), keyDigest(NEW_KEY)]);
		assert.deepEqual(judge(both, [keyDigest(NEW_KEY)]), [keyDigest(OLD_KEY), keyDigest(NEW_KEY)]);
		assert.equal(judge(both, [keyDigest(STRANGER)]), "image_untrusted_key");
		const three = signImage(both, STRANGER);
		assert.throws(() => signImage(three, NEW_KEY), /at most 3|most a sector holds/, "a sector holds 3 blocks");
	});

	it("a developer build (no trusted keys) takes unsigned images, and still refuses a wrong signature", () => {
		assert.isUndefined(judge(image(), []));
		assert.deepEqual(judge(signed, []), trusted);
		const off = signatureOffset(imageLength(image()));
		const other = signImage(image({ seed: 98 }), OLD_KEY);
		const swapped = signed.slice();
		swapped.set(other.subarray(other.length - SIG_SECTOR_SIZE), off);
		assert.equal(judge(swapped, []), "image_bad_signature");
	});

	it("on the flash model: a board running a signed image trusts its keys, and its stager refuses an unsigned upload", () => {
		const p = fakePlatform("1.2.0+ohxs");
		p.board.flashImage(0, signImage(buildEspImage({ version: "1.2.0+ohxs", size: 8192 }), OLD_KEY));
		p.board.boot();
		assert.deepEqual(slotSigners(p.board.port, 0, nodeDigests), trusted);
		const upload = (bytes: Uint8Array) => stage(new ImageStager({ ota: p.board.port, digests: nodeDigests, store: p.store, clock: p.clock }), bytes);
		assert.equal(upload(image()), "image_unsigned");
		assert.deepEqual(upload(signed), trusted);
		assert.deepEqual([...p.board.port.read(1, 0, signed.length)], [...signed], "the signature sector is written into the slot too");
	});

	describe("a build for signed releases: ESP-IDF checks at esp_ota_end too (first block only)", () => {
		// The flash model's esp_ota_end with ESP-IDF's rule (host/adapters/flash/esp-idf-signature-check,
		// node:crypto), on a board running an image signed by OLD_KEY.
		const signedBoard = (runningKeys: string[]) => {
			const flash = new NorFlash(new MemoryFlashStorage(SMALL_TEST_FLASH));
			const board = new FlashBoard(flash, layoutFromCsv(SMALL_TEST_CSV, SMALL_TEST_FLASH), nodeDigests, undefined, { espIdfSignatureCheck });
			let running = buildEspImage({ version: "1.2.0+ohxs", size: 8192 });
			for (const k of runningKeys) running = signImage(running, k);
			board.flashImage(0, running);
			board.boot();
			return board;
		};
		const upload = (board: FlashBoard, bytes: Uint8Array, espIdfOnly = false) => {
			const store = fakePlatform("1.2.0+ohxs").store;
			// espIdfOnly: the validator told nothing of ESP-IDF's rule, to show what it would catch late.
			const port = board.port;
			const ota: OtaPort = espIdfOnly
				? new Proxy(port, {
						get: (t, k) => (k === "signatureCheck" ? () => "none" : typeof Reflect.get(t, k) === "function" ? Reflect.get(t, k).bind(t) : Reflect.get(t, k)),
					})
				: port;
			return stage(new ImageStager({ ota, digests: nodeDigests, store, clock: fakePlatform().clock }), bytes);
		};
		const oldNew = signImage(signed, NEW_KEY);
		const newOld = signImage(signImage(image(), NEW_KEY), OLD_KEY);

		it("the port says so, and the board trusts only the running image's first key", () => {
			const board = signedBoard([OLD_KEY, NEW_KEY]);
			assert.equal(board.port.signatureCheck(), "first-block");
			const s = new ImageStager({ ota: board.port, digests: nodeDigests, store: fakePlatform().store, clock: fakePlatform().clock });
			assert.deepEqual(s.trustedKeys(), [keyDigest(OLD_KEY)], "ESP-IDF compares block 0 with the running image's first key only");
			assert.equal(memoryBoard().port.signatureCheck(), "none");
		});

		it("every verdict of the validator is ESP-IDF's: accepted images pass esp_ota_end, the rest are 422s before it", () => {
			const cases: [string, Uint8Array, string | string[]][] = [
				["signed by the running key", signed, trusted],
				["old key first, new key second", oldNew, [keyDigest(OLD_KEY), keyDigest(NEW_KEY)]],
				["new key first, old key second", newOld, "image_untrusted_key"],
				["only the new key", signImage(image(), NEW_KEY), "image_untrusted_key"],
				["unsigned", image(), "image_unsigned"],
				["a stranger's key", signImage(image(), STRANGER), "image_untrusted_key"],
			];
			for (const [what, bytes, verdict] of cases) assert.deepEqual(upload(signedBoard([OLD_KEY]), bytes), verdict, what);
		});

		it("without the rule, ESP-IDF would refuse late what block 0 does not carry: the reason the validator mirrors it", () => {
			assert.equal(upload(signedBoard([OLD_KEY]), newOld, true), "ota_no_valid_image", "esp_ota_end refuses: block 0 is the new key");
			assert.deepEqual(upload(signedBoard([OLD_KEY]), oldNew, true), [keyDigest(OLD_KEY), keyDigest(NEW_KEY)]);
		});

		it("rotation keeps the first key: a release signed old-then-new hands on, but a board never drops the old key by OTA", () => {
			const board = signedBoard([OLD_KEY, NEW_KEY]); // running the rotation release
			assert.equal(upload(board, signImage(image(), NEW_KEY)), "image_untrusted_key");
			assert.deepEqual(upload(board, oldNew), [keyDigest(OLD_KEY), keyDigest(NEW_KEY)]);
		});

		it("a running image without a signature can take no update: said as image_untrusted_key, before any flash is written", () => {
			const board = signedBoard([]);
			const before = board.flash.read(board.layout.slots[1].offset, 16);
			assert.equal(upload(board, signed), "image_untrusted_key");
			assert.deepEqual(board.flash.read(board.layout.slots[1].offset, 16), before);
		});
	});

	describe("against Espressif's espsecure ($ESPTOOL_PATH)", () => {
		const esptool = process.env.ESPTOOL_PATH;
		let dir: string;
		before(function () {
			if (!esptool) {
				console.log("      (skipped: set ESPTOOL_PATH to an esptool checkout, e.g. ESPTOOL_PATH=/work/esptool, to cross-check with espsecure)");
				this.skip();
			}
			dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-espsecure-"));
			fs.writeFileSync(path.join(dir, "key.pem"), OLD_KEY);
		});
		after(() => {
			if (dir) fs.rmSync(dir, { recursive: true, force: true });
		});
		const espsecure = (...args: string[]) =>
			execFileSync("/usr/bin/python3", ["-m", "espsecure", ...args], { env: { ...process.env, PYTHONPATH: esptool }, encoding: "utf8", cwd: dir });

		it("espsecure verifies our signature and reads our key digest", () => {
			fs.writeFileSync(path.join(dir, "ours.bin"), signed);
			assert.match(espsecure("verify-signature", "--version", "2", "--keyfile", "key.pem", "ours.bin"), /Signature block 0 verification successful/);
			const info = espsecure("signature-info-v2", "ours.bin");
			const digest = /Public key digest for block 0: ([0-9a-f ]+)/.exec(info)![1].replace(/ /g, "");
			assert.equal(digest, trusted[0]);
		});

		it("we verify espsecure's signature, and its key digest is ours", () => {
			fs.writeFileSync(path.join(dir, "plain.bin"), image());
			espsecure("sign-data", "--version", "2", "--keyfile", "key.pem", "--output", "theirs.bin", "plain.bin");
			assert.deepEqual(judge(new Uint8Array(fs.readFileSync(path.join(dir, "theirs.bin"))), trusted), trusted);
			espsecure("digest-sbv2-public-key", "--keyfile", "key.pem", "--output", "digest.bin");
			assert.equal(fs.readFileSync(path.join(dir, "digest.bin")).toString("hex"), trusted[0]);
		});
	});
});

function crc32(b: Uint8Array): number {
	let c = 0xffffffff;
	for (const x of b) {
		c ^= x;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	}
	return ~c >>> 0;
}
