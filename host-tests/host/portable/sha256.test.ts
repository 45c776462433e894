/* The pure SHA-256 against FIPS 180-4 vectors, across chunk boundaries. */

import { assert } from "../../support/assert";
import { Sha256 } from "../../../host/portable/sha256";
import { toHex, fromHex } from "util/hex";
import { utf8Encode } from "util/utf8";

function sha(parts: Uint8Array[]): string {
	const d = new Sha256();
	for (const p of parts) d.write(p);
	return toHex(d.close());
}

describe("host/portable/sha256", () => {
	it("hashes the empty string", () => {
		assert.equal(sha([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	});
	it("hashes abc", () => {
		assert.equal(sha([utf8Encode("abc")]), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	});
	it("hashes the two-block FIPS message", () => {
		assert.equal(
			sha([utf8Encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")]),
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		);
	});
	it("gives the same digest whatever the chunking", () => {
		const data = new Uint8Array(1000);
		for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 255;
		const whole = sha([data]);
		for (const size of [1, 3, 63, 64, 65, 127, 500]) {
			const parts: Uint8Array[] = [];
			for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
			assert.equal(sha(parts), whole, `chunks of ${size}`);
		}
	});
	it("hashes a million 'a's (FIPS long message)", () => {
		const chunk = new Uint8Array(1000).fill(0x61);
		const d = new Sha256();
		for (let i = 0; i < 1000; i++) d.write(chunk);
		assert.equal(toHex(d.close()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	});
	it("refuses writes after close", () => {
		const d = new Sha256();
		d.close();
		assert.throws(() => d.write(new Uint8Array(1)));
	});
});

describe("util/hex", () => {
	it("round-trips bytes", () => {
		assert.equal(toHex(new Uint8Array([0, 15, 16, 255])), "000f10ff");
		assert.deepEqual([...fromHex("000F10ff")!], [0, 15, 16, 255]);
	});
	it("rejects malformed hex", () => {
		assert.isUndefined(fromHex("abc"));
		assert.isUndefined(fromHex("zz"));
	});
});
