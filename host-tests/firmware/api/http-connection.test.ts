/*
 * [spec] api/http-connection: HTTP/1.1 over a byte stream with one shared
 * body buffer, the board's and mcsim's server. A fake socket delivers the
 * request in every chunking and takes the answer in small windows, as
 * lwIP's send buffer does. Runs on Node and inside XS.
 */

import { assert } from "../../support/assert";
import { ManualTime } from "../../support/fakes";
import { Router, type BodySink } from "api/router";
import { jsonBodyResponse, jsonResponse } from "api/errors";
import { JsonWriter, portableJsonText } from "util/json-writer";
import { textSource } from "api/http";
import { DEFAULT_WIRE_OPTIONS, HttpConnection, REQUEST_HEADERS, WireBuffers, type WireOptions, type WireSocket } from "api/http-connection";
import { utf8Decode, utf8Encode } from "util/utf8";

const OPTIONS: WireOptions = { ...DEFAULT_WIRE_OPTIONS, pieceSize: 64, headLimit: 512, encode: utf8Encode };

/** A socket over an in-memory request: `feed` announces bytes, `take` opens a send window. */
class FakeSocket implements WireSocket {
	incoming: number[] = [];
	sent: number[] = [];
	closed = false;
	window = 0;
	reads = 0;
	read(into: Uint8Array): void {
		if (into.length > this.incoming.length) throw new Error("invalid: read past what is readable");
		for (let i = 0; i < into.length; i++) into[i] = this.incoming.shift()!;
		this.reads++;
	}
	write(bytes: Uint8Array): number {
		if (bytes.length > this.window) throw new Error("would block");
		for (const b of bytes) this.sent.push(b);
		this.window -= bytes.length;
		return this.window;
	}
	close(): void {
		this.closed = true;
	}
	get text(): string {
		return utf8Decode(Uint8Array.from(this.sent));
	}
}

interface Run {
	socket: FakeSocket;
	connection: HttpConnection;
	time: ManualTime;
}

function open(router: Router, buffers = new WireBuffers(OPTIONS)): Run {
	const socket = new FakeSocket();
	const time = new ManualTime();
	return { socket, time, connection: new HttpConnection(socket, router, buffers, time, OPTIONS) };
}

/** Sends `request` in pieces of `chunk` bytes, then drains the answer through windows of `window` bytes. */
function exchange(
	router: Router,
	request: string | Uint8Array,
	chunk: number,
	window = 100,
	run = open(router),
): { status: number; headers: Record<string, string>; body: string; run: Run } {
	const bytes = typeof request === "string" ? utf8Encode(request) : request;
	for (let at = 0; at < bytes.length && !run.connection.closed; at += chunk) {
		const piece = bytes.subarray(at, at + chunk);
		for (const b of piece) run.socket.incoming.push(b);
		run.connection.readable(run.socket.incoming.length);
	}
	drain(run, window);
	return { ...parse(run.socket.text), run };
}

/** Opens send windows until the connection closes or waits for its next request. */
function drain(run: Run, window: number): void {
	for (let i = 0; i < 10_000 && !run.connection.closed && !run.connection.idle; i++) {
		run.socket.window = window;
		run.connection.writable(window);
	}
}

/** Announces `text` on the socket (after what it already holds). */
function send(run: Run, text: string): void {
	for (const b of utf8Encode(text)) run.socket.incoming.push(b);
	run.connection.readable(run.socket.incoming.length);
}

/** The answers in what the socket sent, in order (each delimited by its content-length). */
function answers(run: Run): { status: number; headers: Record<string, string>; body: string }[] {
	const bytes = Uint8Array.from(run.socket.sent);
	const out: { status: number; headers: Record<string, string>; body: string }[] = [];
	let at = 0;
	while (at < bytes.length) {
		let end = at;
		while (end + 3 < bytes.length && !(bytes[end] === 13 && bytes[end + 1] === 10 && bytes[end + 2] === 13 && bytes[end + 3] === 10)) end++;
		const head = parse(`${utf8Decode(bytes.subarray(at, end))}\r\n\r\n`);
		const length = Number(head.headers["content-length"]);
		out.push({ ...head, body: utf8Decode(bytes.subarray(end + 4, end + 4 + length)) });
		at = end + 4 + length;
	}
	return out;
}

const KEEP_ALIVE = `timeout=${OPTIONS.keepAliveMs / 1000}`;

function parse(text: string): { status: number; headers: Record<string, string>; body: string } {
	const end = text.indexOf("\r\n\r\n");
	const lines = text.slice(0, end).split("\r\n");
	const headers: Record<string, string> = {};
	for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
	return { status: Number(lines[0].split(" ")[1]), headers, body: text.slice(end + 4) };
}

describe("api/http-connection", () => {
	let received: number[][];
	let router: Router;
	beforeEach(() => {
		received = [];
		router = new Router()
			.add({ method: "GET", path: "/api/status", handle: (req) => jsonResponse(200, { ok: true, q: req.query, tag: req.headers["if-none-match"] }) })
			.add({ method: "GET", path: "/api/headers", handle: (req) => jsonResponse(200, { method: req.method, headers: req.headers }) })
			.add({ method: "POST", path: "/api/echo", body: "json", handle: (_req, body) => jsonResponse(200, { got: body }) })
			.add({ method: "GET", path: "/api/long", handle: () => ({ status: 200, headers: [["content-type", "text/plain"]], body: "é".repeat(3000) }) })
			.add({
				method: "GET",
				path: "/api/lines",
				handle: () => {
					let n = 0;
					return { status: 200, body: textSource(() => (n < 50 ? `line ${n++}\n` : undefined)) };
				},
			})
			.add({
				method: "POST",
				path: "/api/upload",
				body: "stream",
				maxBody: 1 << 20,
				stream: (): BodySink => {
					const got: number[] = [];
					return {
						write(chunk) {
							for (const b of chunk) got.push(b);
						},
						end() {
							received.push(got);
							return jsonResponse(200, { bytes: got.length });
						},
						abort() {},
					};
				},
			});
	});

	it("answers a GET in any chunking of the request, through any send window, and keeps the connection", () => {
		const request = "GET /api/status?x=1 HTTP/1.1\r\nHost: openhaldex.local\r\nIf-None-Match: t\r\n\r\n";
		for (const chunk of [1, 3, 17, request.length]) {
			for (const window of [1, 7, 4096]) {
				const r = exchange(router, request, chunk, window);
				assert.equal(r.status, 200, `chunk ${chunk} window ${window}`);
				assert.deepEqual(JSON.parse(r.body), { ok: true, q: { x: "1" }, tag: "t" });
				assert.equal(r.headers["content-length"], String(utf8Encode(r.body).length));
				assert.isUndefined(r.headers.connection, "HTTP/1.1 persists by default");
				assert.equal(r.headers["keep-alive"], KEEP_ALIVE);
				assert.isFalse(r.run.socket.closed);
				assert.isTrue(r.run.connection.idle);
			}
		}
	});

	it("keeps only the request headers the firmware reads, names in lower case, values trimmed, repeats joined", () => {
		const request =
			"GET /api/headers HTTP/1.1\r\nHOST: openhaldex.local\r\nUser-Agent: curl\r\nX-Made-Up-7f3a: y\r\n" +
			"Origin:\t http://openhaldex.local \t\r\nIf-None-Match: a\r\nif-none-match: b\r\nAccept: */*\r\n\r\n";
		const r = exchange(router, request, request.length, 4096);
		assert.equal(r.status, 200);
		assert.deepEqual(JSON.parse(r.body), {
			method: "GET",
			headers: { host: "openhaldex.local", origin: "http://openhaldex.local", "if-none-match": "a, b" },
		});
		for (const name of REQUEST_HEADERS) assert.equal(name, name.toLowerCase());
	});

	it("writes the response head itself: status line, the route's headers, its own length and keep-alive", () => {
		router.add({
			method: "GET",
			path: "/api/h",
			handle: () => ({
				status: 201,
				headers: [
					["x-a", "1"],
					["Content-Length", "999"],
					["CONNECTION", "keep-alive"],
				],
				body: "hi",
			}),
		});
		const r = exchange(router, "GET /api/h HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n", 64, 4096);
		const text = r.run.socket.text;
		assert.match(text, /^HTTP\/1\.1 201 Created\r\nx-a: 1\r\ncontent-length: 2\r\nkeep-alive: timeout=5\r\n\r\nhi$/);
		// A head that is not ASCII goes the long way, as UTF-8.
		router.add({ method: "GET", path: "/api/u", handle: () => ({ status: 200, headers: [["x-name", "Zoë"]], body: "" }) });
		const u = exchange(router, "GET /api/u HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n", 64, 4096);
		assert.equal(u.headers["x-name"], "Zoë");
		assert.equal(u.headers["content-length"], "0");
		// A head over the pool buffer (512 B here) goes out of a buffer of its own, whole.
		const long = "v".repeat(700);
		router.add({ method: "GET", path: "/api/long-head", handle: () => ({ status: 200, headers: [["x-long", long]], body: "ok" }) });
		const l = exchange(router, "GET /api/long-head HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n", 64, 4096);
		assert.equal(l.status, 200);
		assert.equal(l.headers["x-long"], long);
		assert.equal(l.headers["content-length"], "2");
		assert.equal(l.headers["keep-alive"], KEEP_ALIVE);
		assert.equal(l.body, "ok");
		// Asked to close, it says so and does.
		const c = exchange(router, "GET /api/h HTTP/1.1\r\nHost: openhaldex.local\r\nConnection: Close\r\n\r\n", 64, 4096);
		assert.match(c.run.socket.text, /^HTTP\/1\.1 201 Created\r\nx-a: 1\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi$/);
		assert.isTrue(c.run.socket.closed);
	});

	it("streams a body through the shared buffer, each piece handed over once and whole", () => {
		const body = new Uint8Array(1000);
		for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
		const head = utf8Encode(`POST /api/upload HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Length: ${body.length}\r\n\r\n`);
		const request = new Uint8Array(head.length + body.length);
		request.set(head);
		request.set(body, head.length);
		for (const chunk of [1, 50, 64, 65, 333, request.length]) {
			received = [];
			const r = exchange(router, request, chunk);
			assert.equal(r.status, 200, `chunk ${chunk}`);
			assert.deepEqual(JSON.parse(r.body), { bytes: 1000 });
			assert.deepEqual(received[0], [...body], `chunk ${chunk}: the bytes in order`);
		}
	});

	it("one body buffer serves every connection: a JSON body is copied by the router before it is reused", () => {
		const buffers = new WireBuffers(OPTIONS);
		const json = JSON.stringify({ text: "x".repeat(300) });
		const one = open(router, buffers);
		const two = open(router, buffers);
		const headFor = (body: string) =>
			`POST /api/echo HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
		const other = JSON.stringify({ text: "y".repeat(300) });
		send(one, headFor(json) + json.slice(0, 150));
		send(two, headFor(other) + other); // overwrites the shared buffer while one is mid-body
		send(one, json.slice(150));
		for (const run of [one, two]) {
			run.socket.window = 4096;
			run.connection.writable(4096);
		}
		assert.equal(JSON.parse(parse(one.socket.text).body).got.text, "x".repeat(300));
		assert.equal(JSON.parse(parse(two.socket.text).body).got.text, "y".repeat(300));
	});

	it("sends long and streamed bodies in the pieces the window allows, with the right length", () => {
		const long = exchange(router, "GET /api/long HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n", 100, 97);
		assert.equal(long.body, "é".repeat(3000));
		assert.equal(long.headers["content-length"], "6000");
		const lines = exchange(router, "GET /api/lines HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n", 100, 13);
		assert.equal(lines.body.split("\n").length, 51);
		assert.isUndefined(lines.headers["content-length"], "a stream of unknown length ends with the connection");
		assert.equal(lines.headers.connection, "close");
		assert.isTrue(lines.run.socket.closed);
	});

	it("refuses a body the router does not want without reading it, and closes after the answer", () => {
		const body = "x".repeat(4000);
		const r = exchange(router, `POST /api/status HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Length: 4000000\r\n\r\n${body}`, 8000);
		assert.equal(r.status, 405);
		assert.isTrue(r.run.socket.closed);
		assert.isAtLeast(r.run.socket.incoming.length, body.length - OPTIONS.headLimit, "no more than the head buffer was read");
	});

	it("the wire's own refusals are API errors: malformed 400, chunked 411, oversized head 431", () => {
		const cases: [string, number, string][] = [
			["BROKEN\r\n\r\n", 400, "bad_request"],
			["GET /api/status HTTP/2.0\r\n\r\n", 400, "bad_request"],
			["GET /api/status HTTP/1.1\r\nno colon here\r\n\r\n", 400, "bad_request"],
			["POST /api/upload HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Length: 12abc\r\n\r\n", 400, "bad_request"],
			["POST /api/upload HTTP/1.1\r\nHost: openhaldex.local\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "length_required"],
			[`GET /api/status HTTP/1.1\r\nX-Big: ${"a".repeat(600)}\r\n\r\n`, 431, "headers_too_large"],
		];
		for (const [request, status, code] of cases) {
			const r = exchange(router, request, 64);
			assert.equal(r.status, status, request.slice(0, 40));
			assert.equal(JSON.parse(r.body).error.code, code);
			assert.isTrue(r.run.socket.closed);
		}
	});

	it("closes a connection whose head does not arrive in time, and aborts a body cut short", () => {
		const run = open(router);
		for (const b of utf8Encode("GET /api/sta")) run.socket.incoming.push(b);
		run.connection.readable(run.socket.incoming.length);
		run.time.advance(OPTIONS.headTimeoutMs + 1);
		assert.isTrue(run.socket.closed);
		assert.equal(run.socket.sent.length, 0, "no answer to half a request line");

		let aborted = "";
		router.add({
			method: "POST",
			path: "/api/cut",
			body: "stream",
			maxBody: 1000,
			stream: () => ({
				write() {},
				end: () => jsonResponse(200, {}),
				abort: (why: string) => {
					aborted = why;
				},
			}),
		});
		const cut = open(router);
		for (const b of utf8Encode("POST /api/cut HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Length: 100\r\n\r\nabc")) cut.socket.incoming.push(b);
		cut.connection.readable(cut.socket.incoming.length);
		cut.connection.error();
		assert.equal(aborted, "connection closed");
		assert.isTrue(cut.socket.closed);
	});

	it("runs afterSend once the whole answer is out, not before", () => {
		let after = 0;
		router.add({ method: "POST", path: "/api/restart", handle: () => ({ ...jsonResponse(202, { restarting: true }), afterSend: () => after++ }) });
		const run = open(router);
		for (const b of utf8Encode("POST /api/restart HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n")) run.socket.incoming.push(b);
		run.connection.readable(run.socket.incoming.length);
		run.socket.window = 10;
		run.connection.writable(10);
		assert.equal(after, 0, "part of the answer is still to go");
		for (let i = 0; i < 100 && !run.connection.closed; i++) {
			run.socket.window = 10;
			run.connection.writable(10);
		}
		assert.equal(after, 1);
		assert.equal(parse(run.socket.text).status, 202);
		assert.isTrue(run.socket.closed, "an answer with an action after it closes the connection first");
	});

	describe("keep-alive", () => {
		it("serves requests one after another on one connection, a body among them, holding no head buffer between", () => {
			const buffers = new WireBuffers(OPTIONS);
			const run = open(router, buffers);
			const json = JSON.stringify({ n: 7 });
			send(run, "GET /api/status?x=1 HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
			drain(run, 4096);
			assert.isTrue(run.connection.idle);
			assert.equal(buffers.idle, 1);
			// Idle, it holds no head buffer: the pool's one is there for another connection.
			const pooled = buffers.take();
			buffers.give(pooled);
			send(
				run,
				`POST /api/echo HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json.slice(0, 3)}`,
			);
			assert.equal(buffers.idle, 0, "a request arriving ends the wait");
			assert.isFalse(run.connection.idle);
			send(run, json.slice(3));
			drain(run, 4096);
			send(run, "GET /api/status?x=3 HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
			drain(run, 7);
			const got = answers(run);
			assert.deepEqual(
				got.map((a) => [a.status, JSON.parse(a.body)]),
				[
					[200, { ok: true, q: { x: "1" } }],
					[200, { got: { n: 7 } }],
					[200, { ok: true, q: { x: "3" } }],
				],
			);
			assert.isFalse(run.socket.closed);
			assert.equal(buffers.take(), pooled, "every answer gave its buffers back");
		});

		it("gives a bodyless request's head buffer back before its route runs, so the route can write its answer into it", () => {
			const buffers = new WireBuffers(OPTIONS);
			const pooled = buffers.take();
			buffers.give(pooled);
			const writer = new JsonWriter(portableJsonText, 64, 4096, buffers);
			const seen: boolean[] = [];
			const r = new Router().add({
				method: "GET",
				path: "/api/status",
				handle: () => {
					const body = writer.body({ ok: true }, ["ok", 0]);
					seen.push(body.read(0)!.buffer === pooled.buffer);
					return jsonBodyResponse(200, body);
				},
			});
			const run = open(r, buffers);
			for (const window of [4096, 5]) {
				send(run, "GET /api/status HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
				drain(run, window);
			}
			assert.deepEqual(seen, [true, true], "written into the head's own buffer, both times");
			assert.deepEqual(
				answers(run).map((a) => [a.status, a.body]),
				[
					[200, '{"ok":true}'],
					[200, '{"ok":true}'],
				],
			);
			assert.equal(buffers.take(), pooled, "and given back once each answer was out");
		});

		it("reads a request that arrives while the last answer is still going out, once it is out", () => {
			const run = open(router);
			send(run, "GET /api/status?x=1 HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
			run.socket.window = 20;
			run.connection.writable(20); // part of the first answer
			send(run, "GET /api/status?x=2 HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
			assert.isAbove(run.socket.incoming.length, 0, "not read while the answer goes out");
			drain(run, 20);
			drain(run, 20);
			assert.deepEqual(
				answers(run).map((a) => JSON.parse(a.body).q.x),
				["1", "2"],
			);
			assert.equal(run.socket.incoming.length, 0);
			assert.isTrue(run.connection.idle);
		});

		it("closes after the answer when the request forbids another: HTTP/1.0, a pipelined next request, a body left unread", () => {
			const old = exchange(router, "GET /api/status HTTP/1.0\r\nHost: openhaldex.local\r\n\r\n", 64, 4096);
			assert.equal(old.headers.connection, "close");
			assert.isTrue(old.run.socket.closed);
			// Two requests in one read: the first is answered with close (a client sends the second again).
			const two = "GET /api/status?x=1 HTTP/1.1\r\nHost: openhaldex.local\r\n\r\nGET /api/status?x=2 HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n";
			const piped = exchange(router, two, two.length, 4096);
			assert.deepEqual(JSON.parse(piped.body).q, { x: "1" });
			assert.equal(piped.headers.connection, "close");
			assert.isTrue(piped.run.socket.closed);
			// A body refused from its length is never read, so nothing after it can be told apart.
			const refused = exchange(router, "POST /api/status HTTP/1.1\r\nHost: openhaldex.local\r\nContent-Length: 4000000\r\n\r\n", 1000, 4096);
			assert.equal(refused.status, 405);
			assert.equal(refused.headers.connection, "close");
			assert.isTrue(refused.run.socket.closed);
		});

		it("reads Connection as a list of tokens in any letter case: close among them closes, anything else keeps", () => {
			for (const [value, kept] of [
				["close", false],
				["Close", false],
				["keep-alive, CLOSE", false],
				[" close ,keep-alive", false],
				["keep-alive", true],
				["closed", true],
				["enclose", true],
				["upgrade, keep-alive", true],
				["", true],
			] as const) {
				const c = exchange(router, `GET /api/status HTTP/1.1\r\nHost: openhaldex.local\r\nConnection: ${value}\r\n\r\n`, 64, 4096);
				assert.equal(c.run.socket.closed, !kept, `Connection: ${value}`);
				assert.equal(c.headers.connection, kept ? undefined : "close", `Connection: ${value}`);
			}
		});

		it("closes an idle connection after keepAliveMs, and on the listener's asking only while idle", () => {
			const buffers = new WireBuffers(OPTIONS);
			const run = open(router, buffers);
			assert.isFalse(run.connection.closeIfIdle(), "a new connection waits for its first request");
			send(run, "GET /api/status HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
			drain(run, 4096);
			run.time.advance(OPTIONS.keepAliveMs - 1);
			assert.isFalse(run.socket.closed);
			run.time.advance(1);
			assert.isTrue(run.socket.closed);
			assert.equal(buffers.idle, 0);

			const other = open(router, buffers);
			send(other, "GET /api/status HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
			drain(other, 4096);
			assert.isTrue(other.connection.closeIfIdle());
			assert.isTrue(other.socket.closed);
			assert.equal(buffers.idle, 0);
			assert.equal(other.socket.sent.length > 0, true);
		});

		it("keeps at most maxIdle connections of a server waiting; the next answer says close", () => {
			const buffers = new WireBuffers(OPTIONS);
			const runs = [open(router, buffers), open(router, buffers), open(router, buffers)];
			for (const run of runs) {
				send(run, "GET /api/status HTTP/1.1\r\nHost: openhaldex.local\r\n\r\n");
				drain(run, 4096);
			}
			assert.equal(OPTIONS.maxIdle, 2);
			assert.deepEqual(
				runs.map((r) => [r.connection.idle, r.socket.closed, parse(r.socket.text).headers.connection]),
				[
					[true, false, undefined],
					[true, false, undefined],
					[false, true, "close"],
				],
			);
			assert.equal(buffers.idle, 2);
			runs[0].connection.error(); // the peer went away
			assert.equal(buffers.idle, 1);
		});
	});
});
