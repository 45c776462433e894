/*
 * Specification: the streaming image validator. Every rejection has its own
 * code; the table below is the contract the HTTP layer maps from.
 */

import { assert } from "../../support/assert";
import { OtaError } from "ota/errors";
import { ImageValidator, WordViews, xorFold, type ValidatorOptions } from "ota/validator";
import { imageLengthFromHeaders } from "ota/image-format";
import { pureDigests } from "../../../host/portable/sha256";
import { buildEspImage, sha256, Prng } from "../../support/esp-image";
import { REJECTIONS, img } from "../../support/image-rejections";

const SLOT = 128 * 1024;
/** The board these tests judge for: an ESP32-C6 v0.1, as the simulated board (host/adapters/flash/verify-stored SIMULATED_CHIP). */
const BOARD_REVISION = 1;
const base = (o: Partial<ValidatorOptions> = {}): ValidatorOptions => ({
	digests: pureDigests,
	slotSize: SLOT,
	running: "1.2.3+ohxs",
	runningSecureVersion: 0,
	chipRevision: BOARD_REVISION,
	...o,
});

/** Each segment of a built image: load address, length, and where its data starts in the file. */
function segmentTable(image: Uint8Array): { address: number; length: number; dataOffset: number }[] {
	const u32 = (at: number) => (image[at] | (image[at + 1] << 8) | (image[at + 2] << 16) | (image[at + 3] << 24)) >>> 0;
	const out = [];
	let at = 24;
	for (let i = 0; i < image[1]; i++) {
		out.push({ address: u32(at), length: u32(at + 4), dataOffset: at + 8 });
		at += 8 + u32(at + 4);
	}
	return out;
}

function feed(image: Uint8Array, chunk: number, o: Partial<ValidatorOptions> = {}) {
	const v = new ImageValidator(base(o));
	for (let i = 0; i < image.length; i += chunk) v.write(image.subarray(i, i + chunk));
	return v.end();
}

function codeOf(f: () => unknown): string {
	try {
		f();
	} catch (e) {
		if (e instanceof OtaError) return e.code;
		throw e;
	}
	return "accepted";
}

/** Where in the stream the validator said no (bytes it had accepted before the throw). */
function rejection(image: Uint8Array, o: Partial<ValidatorOptions> = {}, chunk = 1024): { code: string; at: number; message: string } {
	let v: ImageValidator | undefined;
	try {
		v = new ImageValidator(base(o));
		for (let i = 0; i < image.length; i += chunk) v.write(image.subarray(i, i + chunk));
		v.end();
	} catch (e) {
		if (e instanceof OtaError) return { code: e.code, at: v ? v.received : 0, message: e.message };
		throw e;
	}
	return { code: "accepted", at: v.received, message: "" };
}

describe("ota/validator", () => {
	it("accepts a valid image and reports its identity and SHA-256", () => {
		const image = img();
		const r = feed(image, 1000, { expectedSha256: sha256(image) });
		assert.equal(r.version, "1.3.0+ohxs");
		assert.equal(r.projectName, "xs_esp32");
		assert.equal(r.size, image.length);
		assert.equal(r.imageLength, image.length);
		assert.match(r.sha256, /^[0-9a-f]{64}$/);
		assert.isString(r.appendedHash);
	});

	it("accepts an image without an appended hash", () => {
		assert.equal(feed(img({ hashAppended: false }), 333).appendedHash, undefined);
	});

	it("accepts 0xFF padding after the image", () => {
		const r = feed(img({ trailing: new Uint8Array(100).fill(0xff) }), 512);
		assert.equal(r.size - r.imageLength, 100);
	});

	it("accepts every chunk size from 1 to 300 bytes on a small image", () => {
		const image = buildEspImage({ version: "1.3.0+ohxs", size: 1500, extraSegments: [16, 4] });
		for (let c = 1; c <= 300; c++) assert.equal(feed(image, c).size, image.length, `chunk ${c}`);
	});

	it("accepts chunk sizes up to 64 KiB, including every power of two and its neighbours", () => {
		const image = buildEspImage({ version: "1.3.0+ohxs", size: 70 * 1024 });
		const sizes = [287, 288, 289, 511, 512, 513, 4095, 4096, 4097, 32768, 65535, 65536];
		const prng = new Prng(7);
		for (let i = 0; i < 4; i++) sizes.push(1 + prng.below(65536));
		for (const c of sizes) assert.equal(feed(image, c).size, image.length, `chunk ${c}`);
	});

	it("accepts a stream of mixed chunk sizes", () => {
		const image = img({ size: 20000 });
		const v = new ImageValidator(base());
		const prng = new Prng(3);
		for (let i = 0; i < image.length; ) {
			const n = 1 + prng.below(700);
			v.write(image.subarray(i, i + n));
			i += n;
		}
		assert.equal(v.end().size, image.length);
	});

	it("decides identity, chip and version within the first 288 bytes", () => {
		const v = new ImageValidator(base());
		const image = img();
		v.write(image.subarray(0, 287));
		assert.isFalse(v.prefixAccepted);
		v.write(image.subarray(287, 288));
		assert.isTrue(v.prefixAccepted);
		assert.equal(v.descriptor!.version, "1.3.0+ohxs");
	});

	describe("ESP-IDF v6.0's image rules for the C6 (esp_image_format.c, bootloader_common_loader.c)", () => {
		it("chip revision: min <= board, and board <= max when max is set (0 and 0xFFFF mean unset)", () => {
			assert.equal(rejection(img({ minChipRevFull: 1 })).code, "accepted", "needs v0.1, board is v0.1");
			assert.equal(rejection(img({ minChipRevFull: 2 })).code, "image_chip_revision");
			assert.equal(rejection(img({ maxChipRevFull: 99 }), { chipRevision: 100 }).code, "image_chip_revision", "a v1.0 chip, an image for v0.x only");
			assert.equal(rejection(img({ maxChipRevFull: 0 }), { chipRevision: 100 }).code, "accepted", "max 0 is unset");
			assert.equal(rejection(img({ maxChipRevFull: 0xffff }), { chipRevision: 100 }).code, "accepted");
			assert.match(rejection(img({ minChipRevFull: 2 })).message, /v0\.2.*v0\.1/);
			assert.equal(rejection(img({ minChipRevFull: 2 }), { chipRevision: undefined }).code, "accepted", "unknown board revision: not checked");
		});
		it("a misaligned segment 0 is refused within the first 288 bytes, before anything may be erased", () => {
			const r = rejection(img({ segmentAddress: { index: 0, address: 0x42800000 } }), {}, 288);
			assert.equal(r.code, "image_segment_misaligned");
			assert.equal(r.at, 288);
		});
		it("judges alignment by the descriptor's MMU page size (log2; 0 = 64 KiB)", () => {
			const plain = img();
			const bulk = segmentTable(plain)[2];
			assert.isBelow(bulk.dataOffset, 0x8000);
			const off32 = { index: 2, address: 0x42008000 + bulk.dataOffset }; // right modulo 32 KiB, wrong modulo 64 KiB
			assert.equal(rejection(img({ segmentAddress: off32 })).code, "image_segment_misaligned");
			assert.equal(rejection(img({ segmentAddress: off32, mmuPageSizeLog2: 15 })).code, "accepted");
			assert.equal(rejection(img({ segmentAddress: off32, mmuPageSizeLog2: 16 })).code, "image_segment_misaligned");
		});
		it("RAM segments: inside HP SRAM below the bootloader's region, or LP SRAM; not-loaded addresses pass", () => {
			const at = (address: number) => rejection(img({ segmentAddress: { index: 1, address } })).code;
			assert.equal(at(0x40800000), "accepted");
			assert.equal(at(0x4086e610 - 512), "accepted", "ends exactly where the bootloader's loader code starts");
			assert.equal(at(0x4086e610 - 508), "image_bad_load_address");
			assert.equal(at(0x4087f000), "image_bad_load_address", "the bootloader's stack");
			assert.equal(at(0x40880000), "image_bad_load_address", "past the end of SRAM");
			assert.equal(at(0x50000000), "accepted", "LP SRAM");
			assert.equal(at(0x50003f00), "image_bad_load_address", "runs past LP SRAM");
			assert.equal(at(0x00000000), "accepted", "padding segments are not loaded");
		});
		it("structure-only checks (the bootloader, esp_ota_end) also need the descriptor at the start of segment 0", () => {
			assert.equal(rejection(img({ descriptorMagic: 0 }), { structureOnly: true }).code, "image_no_app_descriptor");
			assert.equal(rejection(img({ minChipRevFull: 2 }), { structureOnly: true }).code, "image_chip_revision");
			assert.equal(rejection(img({ segmentAddress: { index: 1, address: 0x3fc88000 } }), { structureOnly: true }).code, "image_bad_load_address");
		});
	});

	it("finds an image's end from its headers alone, as the full walk does (ota/image-format imageLengthFromHeaders)", () => {
		for (const o of [{}, { hashAppended: false }, { extraSegments: [16, 4, 1024] }, { size: 70 * 1024 }]) {
			const image = img(o);
			const read = (at: number, n: number) => image.subarray(at, at + n);
			assert.equal(imageLengthFromHeaders(read, image.length), feed(image, 4096).imageLength, JSON.stringify(o));
		}
		const garbage = new Uint8Array(4096);
		assert.isUndefined(imageLengthFromHeaders((at, n) => garbage.subarray(at, at + n), garbage.length));
		const short = img();
		assert.isUndefined(
			imageLengthFromHeaders((at, n) => short.subarray(at, at + n), 1000),
			"past the limit",
		);
	});

	it("refuses garbage at its first byte", () => {
		const v = new ImageValidator(base());
		assert.equal(
			codeOf(() => v.write(new Uint8Array([0x00]))),
			"image_bad_magic",
		);
	});

	it("keeps failing with the same code after a rejection", () => {
		const v = new ImageValidator(base());
		assert.equal(
			codeOf(() => v.write(img({ chipId: 5 }))),
			"image_wrong_chip",
		);
		assert.equal(
			codeOf(() => v.write(new Uint8Array(4))),
			"image_wrong_chip",
		);
		assert.equal(
			codeOf(() => v.end()),
			"image_wrong_chip",
		);
	});

	it("refuses a malformed expected SHA-256 with ota_bad_expected_sha256", () => {
		assert.equal(
			codeOf(() => new ImageValidator(base({ expectedSha256: new Uint8Array(31) }))),
			"ota_bad_expected_sha256",
		);
	});

	it("knows a downgrade from the first 288 bytes (policyRefusal: callers write nothing), but refuses it only once the file proved sound", () => {
		const v = new ImageValidator(base());
		const image = img({ version: "1.2.2+ohxs" });
		v.write(image.subarray(0, 1024));
		assert.isTrue(v.prefixAccepted);
		assert.equal(v.policyRefusal?.code, "image_downgrade");
		v.write(image.subarray(1024));
		assert.equal(
			codeOf(() => v.end()),
			"image_downgrade",
		);
	});

	it("says what is wrong with a damaged older file before that it is older", () => {
		assert.equal(rejection(img({ version: "1.2.2+ohxs", badChecksum: true })).code, "image_bad_checksum");
		assert.equal(rejection(img({ version: "1.2.2+ohxs", badAppendedHash: true })).code, "image_bad_appended_hash");
		assert.equal(rejection(img({ version: "1.2.2+ohxs" }).subarray(0, 3000)).code, "image_truncated");
		assert.equal(rejection(img({ secureVersion: 0, badChecksum: true }), { runningSecureVersion: 1 }).code, "image_bad_checksum");
	});

	it("allows a downgrade when asked", () => {
		assert.equal(feed(img({ version: "1.0.0+ohxs" }), 4096, { allowDowngrade: true }).version, "1.0.0+ohxs");
	});

	it("folds the checksum in words through one view of a reused buffer, as byte by byte, at any offset", () => {
		const shared = new Uint8Array(1536);
		for (let i = 0; i < shared.length; i++) shared[i] = (i * 31 + 7) & 0xff;
		const views = new WordViews();
		for (const [at, length] of [
			[0, 1536],
			[1, 1000],
			[3, 37],
			[5, 9],
			[0, 0],
			[700, 836],
		]) {
			let bytes = 0;
			for (let i = at; i < at + length; i++) bytes ^= shared[i];
			assert.equal(xorFold(shared, at, length, views), bytes, `at ${at} length ${length}`);
			assert.equal(xorFold(shared.subarray(2), at, Math.min(length, 1534 - at), views), xorFoldBytes(shared.subarray(2), at, Math.min(length, 1534 - at)));
		}
		assert.strictEqual(views.of(shared.buffer), views.of(shared.buffer), "one view for the buffer, made once");
	});

	it("holds only fixed buffers: its retained size does not depend on the image", () => {
		assert.equal(ImageValidator.retainedBufferBytes, 288 + 8 + 32);
	});

	describe("rejects, each with its own code and a readable message", () => {
		for (const c of REJECTIONS) {
			it(`${c.name}: ${c.code}${c.early ? " (within the first 288 bytes)" : ""}`, () => {
				const r = rejection(c.image(), c.options);
				assert.equal(r.code, c.code, r.message);
				assert.isAbove(r.message.length, 20);
				if (c.early) assert.isAtMost(r.at, 1024, "rejected in the first chunk");
			});
		}
		it("uses a different code for every case except the pairs that are one fault (bad magic, past the end, too large)", () => {
			const codes = new Set(REJECTIONS.map((c) => c.code));
			assert.equal(codes.size, REJECTIONS.length - 3);
		});
	});
});

function xorFoldBytes(data: Uint8Array, at: number, length: number): number {
	let x = 0;
	for (let i = at; i < at + length; i++) x ^= data[i];
	return x;
}
