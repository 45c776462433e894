/*
 * [spec] util/json-writer: JSON by a layout into one reused buffer, byte
 * for byte what JSON.stringify writes (the layouts here list keys in the
 * objects' own order), on Node and inside XS.
 */

import { assert } from "../../support/assert";
import { JsonWriter, jsonLayout, portableJsonText, type JsonLayout } from "util/json-writer";
import { bodyText } from "../../support/body";
import { utf8Decode } from "util/utf8";

const text = (value: unknown, layout: JsonLayout, writer = new JsonWriter(portableJsonText)) => utf8Decode(writer.bytes(value, layout));

describe("util/json-writer", () => {
	it("writes numbers as JSON.stringify does: integers, short fractions, the rest by the engine", () => {
		const numbers = [
			0,
			-0,
			1,
			-1,
			7,
			10,
			100,
			4731,
			-48,
			2 ** 31,
			2 ** 53,
			2 ** 53 + 2,
			1e15,
			1e21,
			123456789012345,
			0.5,
			-0.5,
			1.05,
			42.61,
			26.25,
			57.46,
			0.1 + 0.2,
			57.464999999999996,
			1 / 3,
			0.0075,
			0.000001,
			1e-7,
			-2.5e-8,
			120.000001,
			99.99,
			0.01,
			5e-324,
			Number.MAX_VALUE,
			Math.PI,
		];
		for (const n of numbers) assert.equal(text(n, 0), JSON.stringify(n), String(n));
		for (const n of [Number.NaN, Infinity, -Infinity]) assert.equal(text(n, 0), "null");
	});

	it("writes strings as JSON.stringify does: escapes, controls, UTF-8, pairs and lone surrogates", () => {
		const strings = [
			"",
			"STOCK",
			'say "hi"',
			"back\\slash",
			"\b\f\n\r\t",
			"\u0000\u0001\u000b\u001f\u007f",
			"Zoë €",
			"😀 pair",
			"\ud800 lone",
			"lone \udfff",
			"\udc00\ud800",
		];
		for (const s of strings) assert.equal(text(s, 0), JSON.stringify(s), JSON.stringify(s));
	});

	it("writes objects by their layout: undefined and functions skipped, arrays of anything, null", () => {
		const layout = jsonLayout<{
			a: number;
			b?: string;
			c: { d: boolean; e: null | number };
			list: (string | null)[];
			rows: { n: number }[];
			f?: () => void;
		}>()(["a", 0, "b", 0, "c", ["d", 0, "e", 0], "list", { items: 0 }, "rows", { items: ["n", 0] }, "f", 0]);
		const value = { a: 1, b: undefined, c: { d: true, e: null }, list: ["x", null], rows: [{ n: 1 }, { n: 2.5 }], f: () => {} };
		assert.equal(text(value, layout), JSON.stringify(value));
		assert.equal(text({ ...value, b: "here" }, layout), JSON.stringify({ a: 1, b: "here", c: value.c, list: value.list, rows: value.rows }));
		assert.equal(text([1, undefined, "x", () => 0, null, [2]], { items: 0 }), JSON.stringify([1, undefined, "x", () => 0, null, [2]]));
		assert.equal(text({}, []), "{}");
		assert.equal(text([], { items: 0 }), "[]");
		assert.equal(text(null, ["a", 0]), "null", "an absent object is null, as in JSON.stringify");
		// Keys the layout does not name are not written: the compiler keeps a layout complete (below).
		assert.equal(text({ a: 1, z: 2 }, ["a", 0]), '{"a":1}');
	});

	it("grows its buffer as needed, up to its limit, and says so beyond it", () => {
		const writer = new JsonWriter(portableJsonText, 16, 4096);
		const long = { s: "x".repeat(1000) };
		assert.equal(text(long, ["s", 0], writer), JSON.stringify(long));
		assert.throws(() => writer.bytes({ s: "x".repeat(5000) }, ["s", 0]), RangeError, /over 4096 bytes/);
		assert.equal(text({ s: "ok" }, ["s", 0], writer), '{"s":"ok"}', "still usable after a refusal");
	});

	it("writes into its pool's buffer and gives it back once the answer is closed; never changes an answer still going out", () => {
		const free: Uint8Array[] = [new Uint8Array(64)];
		const pool = { take: () => free.pop() ?? new Uint8Array(64), give: (b: Uint8Array) => void free.push(b) };
		const pooled = free[0];
		const writer = new JsonWriter(portableJsonText, 64, 4096, pool);
		const first = writer.body({ n: 1 }, ["n", 0]);
		assert.equal(first.read(0)!.buffer, pooled.buffer, "the pool's buffer");
		assert.equal(free.length, 0, "lent until closed");
		// A second answer while the first goes out: the pool has none free, so another buffer.
		const second = writer.body({ n: 22 }, ["n", 0]);
		assert.equal(bodyText({ status: 200, body: second }), '{"n":22}');
		assert.equal(bodyText({ status: 200, body: first }), '{"n":1}', "unchanged by the second");
		assert.include(free, pooled, "closed (by bodyText, as the connection does), it is back in the pool");
		first.close?.();
		assert.equal(free.filter((b) => b === pooled).length, 1, "a second close gives nothing back twice");
		// An answer over the pool's buffer: a bigger buffer of its own, and the pool's is given back at once.
		const big = writer.body({ s: "x".repeat(100) }, ["s", 0]);
		assert.equal(big.length, 108);
		assert.isAtLeast(free.length, 1);
		assert.notInclude(
			free.map((b) => b.buffer),
			big.read(0)!.buffer,
		);
		big.close?.();
		// Without a pool, a buffer per answer.
		const own = new JsonWriter(portableJsonText, 64, 4096);
		const a = own.body({ n: 5 }, ["n", 0]);
		const aPiece = a.read(100)!;
		a.close?.();
		assert.notEqual(own.body({ n: 6 }, ["n", 0]).read(100)!.buffer, aPiece.buffer);
	});

	it("gives the pool's buffer back when an answer is refused for its size", () => {
		const free: Uint8Array[] = [new Uint8Array(16)];
		const writer = new JsonWriter(portableJsonText, 16, 64, { take: () => free.pop() ?? new Uint8Array(16), give: (b) => void free.push(b) });
		assert.throws(() => writer.body({ s: "x".repeat(100) }, ["s", 0]), RangeError, /over 64 bytes/);
		assert.equal(free.length, 1);
	});

	it("sends an answer in the pieces asked for, then nothing", () => {
		const writer = new JsonWriter(portableJsonText);
		const body = writer.body({ s: "abcdefghij" }, ["s", 0]);
		assert.equal(body.length, 18);
		const pieces: number[] = [];
		for (let p = body.read(5); p; p = body.read(5)) pieces.push(p.length);
		assert.deepEqual(pieces, [5, 5, 5, 3]);
		assert.isUndefined(body.read(5));
	});

	it("checks layouts against their type when compiled (these lines are type errors)", () => {
		type T = { a: number; b: { c: string } };
		const fits = jsonLayout<T>();
		// @ts-expect-error: "b" is missing
		fits(["a", 0]);
		// @ts-expect-error: "z" is not a key of T
		fits(["a", 0, "b", ["c", 0], "z", 0]);
		// @ts-expect-error: "b" is an object, not a primitive
		fits(["a", 0, "b", 0]);
		// @ts-expect-error: "c" is missing inside "b"
		fits(["a", 0, "b", []]);
		assert.deepEqual(fits(["a", 0, "b", ["c", 0]]), ["a", 0, "b", ["c", 0]]);
	});
});
