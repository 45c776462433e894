/*
 * [spec] api/multipart: the first file part of a multipart/form-data body
 * reaches the inner sink byte for byte, in every chunking, with bytes in
 * the file that look like the start of a boundary; the rest of the form is
 * skipped; a form without a file, or cut inside it, is refused. Runs on
 * Node and inside XS.
 */

import { assert } from "../../support/assert";
import { MultipartFileSink, boundaryOf } from "api/multipart";
import type { BodySink } from "api/router";
import { HttpError, jsonResponse } from "api/errors";
import { utf8Encode } from "util/utf8";

const B = "----ohxBoundary7MA4YWxkTrZu0gW";

function recorder(): BodySink & { got: number[]; ended: boolean; aborted: string } {
	const r = {
		got: [] as number[],
		ended: false,
		aborted: "",
		write(chunk: Uint8Array) {
			for (const b of chunk) r.got.push(b);
		},
		end() {
			r.ended = true;
			return jsonResponse(200, { bytes: r.got.length });
		},
		abort(why: string) {
			r.aborted = why;
		},
	};
	return r;
}

function form(parts: { headers: string; body: Uint8Array }[], preamble = "", epilogue = "\r\n"): Uint8Array {
	const pieces: Uint8Array[] = [utf8Encode(preamble)];
	for (const p of parts) {
		pieces.push(utf8Encode(`${preamble || pieces.length > 1 ? "\r\n" : ""}--${B}\r\n${p.headers}\r\n\r\n`), p.body);
	}
	pieces.push(utf8Encode(`\r\n--${B}--${epilogue}`));
	const out = new Uint8Array(pieces.reduce((n, x) => n + x.length, 0));
	let at = 0;
	for (const x of pieces) {
		out.set(x, at);
		at += x.length;
	}
	return out;
}

/** A file whose bytes include CR, LF, "--" and every prefix of the delimiter, but never the whole of it. */
function trickyFile(): Uint8Array {
	const d = `\r\n--${B}`;
	const parts: number[] = [];
	for (let i = 1; i < d.length; i++) {
		for (const c of utf8Encode(d.slice(0, i))) parts.push(c);
		parts.push(0x41 + (i % 26));
	}
	for (let i = 0; i < 3000; i++) parts.push((i * 131) & 0xff);
	parts.push(13, 13, 10, 45, 45, 13);
	return Uint8Array.from(parts);
}

function run(body: Uint8Array, chunk: number, sink = recorder()) {
	const m = new MultipartFileSink(B, sink);
	for (let i = 0; i < body.length; i += chunk) m.write(body.subarray(i, i + chunk));
	return { m, sink };
}

describe("api/multipart", () => {
	it("reads the boundary from the content type, quoted or not, and refuses what is not a form", () => {
		assert.equal(boundaryOf(`multipart/form-data; boundary=${B}`), B);
		assert.equal(boundaryOf(`Multipart/Form-Data; charset=utf-8; boundary="${B}"`), B);
		assert.isUndefined(boundaryOf("multipart/form-data"));
		assert.isUndefined(boundaryOf("application/octet-stream; boundary=x"));
		assert.isUndefined(boundaryOf(`multipart/form-data; boundary=${"x".repeat(71)}`));
		assert.isUndefined(boundaryOf(undefined));
	});

	it("hands over exactly the file's bytes in every chunking, past a text field and boundary look-alikes", () => {
		const file = trickyFile();
		const body = form([
			{ headers: 'Content-Disposition: form-data; name="note"', body: utf8Encode("hello\r\n--not the boundary") },
			{ headers: 'Content-Disposition: form-data; name="firmware"; filename="xs_esp32.bin"\r\nContent-Type: application/octet-stream', body: file },
			{ headers: 'Content-Disposition: form-data; name="after"', body: utf8Encode("ignored") },
		]);
		for (const chunk of [1, 2, 3, 7, 41, B.length + 3, 1460, body.length]) {
			const { m, sink } = run(body, chunk);
			const res = m.end();
			assert.equal(res.status, 200, `chunk ${chunk}`);
			assert.deepEqual(sink.got, [...file], `chunk ${chunk}`);
			assert.equal(m.fileName, "xs_esp32.bin");
		}
	});

	it("skips a preamble, takes a body that starts with the boundary, and an empty file", () => {
		const file = utf8Encode("image bytes");
		const withPreamble = form([{ headers: 'Content-Disposition: form-data; name="f"; filename=a.bin', body: file }], "This is a preamble.");
		assert.deepEqual(run(withPreamble, 5).sink.got, [...file]);
		const empty = form([{ headers: 'Content-Disposition: form-data; name="f"; filename="e.bin"', body: new Uint8Array(0) }]);
		const r = run(empty, 3);
		assert.equal(r.m.end().status, 200);
		assert.deepEqual(r.sink.got, []);
	});

	it("refuses a form without a file part, and one cut inside the file, and releases the inner sink", () => {
		const noFile = form([{ headers: 'Content-Disposition: form-data; name="note"', body: utf8Encode("no file here") }]);
		const a = run(noFile, 10);
		assert.throws(() => a.m.end(), HttpError, /no file part/);
		assert.equal(a.sink.aborted, "no file in the form");

		const full = form([{ headers: 'Content-Disposition: form-data; name="f"; filename="x.bin"', body: trickyFile() }]);
		const cut = run(full.subarray(0, full.length - B.length - 10), 64);
		assert.throws(() => cut.m.end(), HttpError, /ended inside the file/);
		assert.isFalse(cut.sink.ended);
	});

	it("refuses a boundary followed by neither CRLF nor --, and part headers over the limit", () => {
		assert.throws(() => run(utf8Encode(`--${B}XX\r\n`), 4), HttpError, /malformed/);
		const big = utf8Encode(`--${B}\r\nX-Long: ${"a".repeat(1100)}\r\n\r\n`);
		assert.throws(() => run(big, 100), HttpError, /headers are over/);
	});
});
