/*
 * Every way an upload is refused, one image per code: the table the
 * validator's and the stager's specifications both run
 * (host-tests/firmware/ota/validator.test.ts, stager.test.ts).
 */

import type { ValidatorOptions } from "ota/validator";
import { buildEspImage, Prng, sha256, type EspImageOptions } from "./esp-image";

/** The slot size both specifications use. */
export const SLOT = 128 * 1024;

export interface RejectionCase {
	name: string;
	image: () => Uint8Array;
	options?: Partial<ValidatorOptions>;
	code: string;
	/** Rejected within the first 288 bytes (before anything may be erased). */
	early?: boolean;
}

/** A good image of the version the specifications run as "newer". */
export const img = (o: EspImageOptions = {}) => buildEspImage({ version: "1.3.0+ohxs", size: 6000, ...o });

export const REJECTIONS: RejectionCase[] = [
	{ name: "an empty body", image: () => new Uint8Array(0), code: "image_empty", early: true },
	{ name: "a truncated header", image: () => img().subarray(0, 200), code: "image_truncated_header", early: true },
	{ name: "a truncated body", image: () => img().subarray(0, 4000), code: "image_truncated" },
	{ name: "a wrong magic byte", image: () => img({ magic: 0xe8 }), code: "image_bad_magic", early: true },
	{
		name: "random bytes",
		image: () => {
			const b = new Uint8Array(5000);
			new Prng(42).fill(b);
			b[0] = 0x17;
			return b;
		},
		code: "image_bad_magic",
		early: true,
	},
	{ name: "an image for another chip (ESP32-S3)", image: () => img({ chipId: 0x09 }), code: "image_wrong_chip", early: true },
	{
		name: "an image for a newer chip revision (needs v0.2, the board is v0.1)",
		image: () => img({ minChipRevFull: 2 }),
		code: "image_chip_revision",
		early: true,
	},
	{
		name: "a flash-mapped segment off its MMU page offset",
		image: () => img({ segmentAddress: { index: 2, address: 0x42000000 } }),
		code: "image_segment_misaligned",
	},
	{
		name: "a RAM segment outside the C6's memory (an ESP32-S3 DRAM address)",
		image: () => img({ segmentAddress: { index: 1, address: 0x3fc88000 } }),
		code: "image_bad_load_address",
	},
	{ name: "too many segments", image: () => img({ segmentCountField: 17 }), code: "image_too_many_segments", early: true },
	{ name: "no segments", image: () => img({ segmentCountField: 0 }), code: "image_no_segments", early: true },
	{
		name: "a segment length that is not a multiple of 4",
		image: () => img({ segmentLengthField: { index: 1, length: 514 } }),
		code: "image_bad_segment_length",
	},
	{
		name: "a segment past the end of the upload",
		image: () => img({ segmentLengthField: { index: 2, length: 0x10000 } }),
		options: { declaredSize: 6000 },
		code: "image_segment_past_end",
	},
	{ name: "a segment past the end of the slot", image: () => img({ segmentLengthField: { index: 2, length: SLOT } }), code: "image_segment_past_end" },
	{ name: "a bad checksum", image: () => img({ badChecksum: true }), code: "image_bad_checksum" },
	{ name: "a bad appended hash", image: () => img({ badAppendedHash: true }), code: "image_bad_appended_hash" },
	{
		name: "a SHA-256 other than the expected one",
		image: () => img(),
		options: { expectedSha256: sha256(new Uint8Array([1])) },
		code: "image_sha256_mismatch",
	},
	{ name: "an image too large for the slot", image: () => img({ trailing: new Uint8Array(SLOT).fill(0xff) }), code: "image_too_large" },
	{ name: "an announced size too large for the slot", image: () => img(), options: { declaredSize: SLOT + 1 }, code: "image_too_large", early: true },
	{ name: "no app descriptor", image: () => img({ descriptorMagic: 0x12345678 }), code: "image_no_app_descriptor", early: true },
	{ name: "another Moddable app (no +ohxs)", image: () => img({ version: "1.0.0" }), code: "image_not_ohxs", early: true },
	{
		name: "an Arduino OpenHaldex image",
		image: () => img({ projectName: "arduino-lib-builder", version: "esp-idf: v5.1.4 d7b0a45ddb" }),
		code: "image_wrong_project",
		early: true,
	},
	{ name: "an unparsable version", image: () => img({ version: "latest+ohxs" }), code: "image_bad_version", early: true },
	{ name: "a downgrade", image: () => img({ version: "1.2.2+ohxs" }), code: "image_downgrade" },
	{ name: "a lower secure_version", image: () => img({ secureVersion: 0 }), options: { runningSecureVersion: 1 }, code: "image_secure_version_lower" },
	{ name: "garbage after the image", image: () => img({ trailing: new Uint8Array([0xff, 0xff, 0x00, 0x01]) }), code: "image_trailing_data" },
];
