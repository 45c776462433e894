/* HMAC-SHA256 and PBKDF2-HMAC-SHA256 against published vectors. */

import { assert } from "../../support/assert";
import { hmacSha256, pbkdf2Sha256, constantTimeEqual } from "util/pbkdf2";
import { pureDigests } from "../../../host/portable/sha256";
import { toHex } from "util/hex";
import { utf8Encode } from "util/utf8";
import { base64Decode, base64Encode } from "util/base64";

describe("util/pbkdf2", () => {
	it("computes HMAC-SHA256 of the classic fox sentence", () => {
		assert.equal(
			toHex(hmacSha256(pureDigests, utf8Encode("key"), utf8Encode("The quick brown fox jumps over the lazy dog"))),
			"f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
		);
	});
	it("hashes a key longer than the block before using it", () => {
		const long = new Uint8Array(131).fill(0xaa);
		// RFC 4231 test case 6
		assert.equal(
			toHex(hmacSha256(pureDigests, long, utf8Encode("Test Using Larger Than Block-Size Key - Hash Key First"))),
			"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		);
	});
	it("derives PBKDF2 with 1 and 2 iterations as published", () => {
		assert.equal(
			toHex(pbkdf2Sha256(pureDigests, utf8Encode("password"), utf8Encode("salt"), 1)),
			"120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		);
		assert.equal(
			toHex(pbkdf2Sha256(pureDigests, utf8Encode("password"), utf8Encode("salt"), 2)),
			"ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43",
		);
	});
	it("refuses zero iterations", () => {
		assert.throws(() => pbkdf2Sha256(pureDigests, utf8Encode("p"), utf8Encode("s"), 0), RangeError);
	});
	it("compares equal and unequal arrays of any length", () => {
		assert.isTrue(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
		assert.isFalse(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])));
		assert.isFalse(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])));
		assert.isFalse(constantTimeEqual(new Uint8Array([1]), new Uint8Array([])));
	});
});

describe("util/base64", () => {
	it("round-trips credentials", () => {
		assert.equal(base64Encode(utf8Encode("admin:sécret!")), "YWRtaW46c8OpY3JldCE=");
		assert.equal(String.fromCharCode(...base64Decode("YWRtaW46cGFzcw==")!), "admin:pass");
	});
	it("rejects text that is not base64", () => {
		assert.isUndefined(base64Decode("a$b"));
		assert.isUndefined(base64Decode("abcde"));
	});
});
