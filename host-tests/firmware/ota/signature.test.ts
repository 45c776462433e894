/*
 * [spec] ota/signature inside the firmware's engine: a real Secure Boot V2
 * block (made by `ohx sign`'s code with a throwaway key, committed as a
 * fixture) verifies with the firmware's BigInt RSA-PSS, in XS as on Node;
 * any change to the signed bytes or the signature makes it fail.
 */

import { assert } from "../../support/assert";
import { pureDigests } from "../../../host/portable/sha256";
import { base64Decode } from "util/base64";
import { ImageValidator } from "ota/validator";
import { OtaError } from "ota/errors";
import { SIG_SECTOR_SIZE, parseSignatureSector, verifyBlock } from "ota/signature";
import { SIGNED_IMAGE_BASE64, SIGNED_IMAGE_KEY_DIGEST } from "../../fixtures/signed/signed-image";

const signed = base64Decode(SIGNED_IMAGE_BASE64)!;
const sectorAt = signed.length - SIG_SECTOR_SIZE;

function sha256(bytes: Uint8Array): Uint8Array {
	const d = pureDigests.sha256();
	d.write(bytes);
	return d.close();
}

describe("ota/signature (in the firmware's engine)", () => {
	it("reads the block: its key digest, and the SHA-256 of the padded image it signs", () => {
		const [block] = parseSignatureSector(signed.subarray(sectorAt), pureDigests);
		assert.equal(block.keyDigest, SIGNED_IMAGE_KEY_DIGEST);
		assert.deepEqual([...block.imageDigest], [...sha256(signed.subarray(0, sectorAt))]);
		assert.equal(block.exponent, 65537);
	});

	it("verifies the RSA-PSS signature, and refuses it for other bytes or a changed signature", () => {
		const [block] = parseSignatureSector(signed.subarray(sectorAt), pureDigests);
		const digest = sha256(signed.subarray(0, sectorAt));
		assert.isTrue(verifyBlock(block, digest, pureDigests));
		const other = digest.slice();
		other[0] ^= 1;
		assert.isFalse(verifyBlock(block, other, pureDigests));
		const forged = { ...block, signature: block.signature.slice() };
		forged.signature[100] ^= 0x10;
		assert.isFalse(verifyBlock(forged, digest, pureDigests));
	});

	it("the validator takes it from a board that trusts the key, and refuses it from one that trusts another", () => {
		const judge = (trustedKeys: string[], firstBlockOnly = false) => {
			const v = new ImageValidator({ digests: pureDigests, slotSize: 1 << 20, running: "1.2.0+ohxs", runningSecureVersion: 0, trustedKeys, firstBlockOnly });
			try {
				for (let i = 0; i < signed.length; i += 1000) v.write(signed.subarray(i, i + 1000));
				return v.end().signedBy;
			} catch (e) {
				if (e instanceof OtaError) return e.code;
				throw e;
			}
		};
		assert.deepEqual(judge([SIGNED_IMAGE_KEY_DIGEST]), [SIGNED_IMAGE_KEY_DIGEST]);
		assert.equal(judge(["00".repeat(32)]), "image_untrusted_key");
		// A build for signed releases (ESP-IDF checks block 0 against the running image's first key).
		assert.deepEqual(judge([SIGNED_IMAGE_KEY_DIGEST], true), [SIGNED_IMAGE_KEY_DIGEST]);
		assert.equal(judge(["00".repeat(32)], true), "image_untrusted_key");
		assert.equal(judge([], true), "image_untrusted_key", "an unsigned running image can take no update there");
	});
});
