/*
 * [spec] The board's HTTP server code (api/http-connection) over real TCP
 * on loopback, with the real firmware's router and a real HTTP client
 * (node:http): what the board and mcsim run, minus the SDK's socket.
 * The socket adapter here keeps ECMA-419's rules: read exactly what was
 * announced, write at most the announced window, "onWritable" when the
 * kernel buffer drains.
 */

import { assert } from "chai";
import { createHash } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { createFirmware, type Firmware } from "app/firmware";
import { DEFAULT_WIRE_OPTIONS, HttpConnection, WireBuffers, type WireOptions, type WireSocket } from "api/http-connection";
import { utf8Encode } from "util/utf8";
import { NodeTimers } from "../../host/adapters/node-platform";
import { buildEspImage } from "../../host/adapters/flash/esp-image";
import { fakePlatform } from "../support/fakes";

const WINDOW = 2920; // two segments, about what lwIP's send buffer takes at a time
const PASSWORD = "correct horse battery";
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`;

/** Serves `fw`'s router with HttpConnection, one connection per socket, as platform/moddable/http-listener does. */
function serve(fw: Firmware, options: WireOptions): Promise<{ port: number; close(): Promise<void>; pieces: number[] }> {
	const buffers = new WireBuffers(options);
	const timers = new NodeTimers();
	const pieces: number[] = [];
	const server = net.createServer((tcp) => {
		const queue: Buffer[] = [];
		let queued = 0;
		const socket: WireSocket = {
			read(into) {
				if (into.length > queued) throw new Error("invalid: read past the announced bytes");
				if (into.buffer === buffers.piece.buffer) pieces.push(into.length); // a body piece, not the head
				let at = 0;
				while (at < into.length) {
					const head = queue[0];
					const n = Math.min(head.length, into.length - at);
					into.set(head.subarray(0, n), at);
					at += n;
					if (n === head.length) queue.shift();
					else queue[0] = head.subarray(n);
				}
				queued -= into.length;
			},
			write(bytes) {
				if (bytes.length > WINDOW) throw new Error("would block");
				return tcp.write(Buffer.from(bytes)) ? WINDOW : 0;
			},
			close() {
				tcp.end();
			},
		};
		const connection = new HttpConnection(socket, fw.router, buffers, timers, options);
		tcp.on("data", (data: Buffer) => {
			queue.push(data);
			queued += data.length;
			connection.readable(queued);
		});
		tcp.on("drain", () => connection.writable(WINDOW));
		tcp.on("error", () => connection.error());
		tcp.on("close", () => connection.error());
		setImmediate(() => connection.writable(WINDOW));
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => {
			const port = (server.address() as net.AddressInfo).port;
			resolve({ port, pieces, close: () => new Promise((r) => server.close(() => r())) });
		});
	});
}

/** One request with node:http (fetch would replace the Host header the firmware checks). */
function request(port: number, method: string, path: string, headers: Record<string, string>, body?: Uint8Array | string, agent?: http.Agent) {
	return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; reusedSocket: boolean }>((resolve, reject) => {
		const req = http.request({ host: "127.0.0.1", port, method, path, agent, headers: { host: "openhaldex.local", ...headers } }, (res) => {
			let text = "";
			res.setEncoding("utf8").on("data", (d) => {
				text += d;
			});
			res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, reusedSocket: req.reusedSocket }));
		});
		req.on("error", reject);
		req.end(body);
	});
}

describe("api/http-connection over TCP with the firmware's router", function () {
	this.timeout(20_000);
	let fw: Firmware;
	let server: Awaited<ReturnType<typeof serve>>;

	before(async () => {
		const platform = fakePlatform("1.2.3+ohxs");
		fw = createFirmware({ ...platform, ota: platform.board.port }, { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 4 } });
		platform.time.advance(1);
		server = await serve(fw, { ...DEFAULT_WIRE_OPTIONS, encode: utf8Encode });
		const setup = await request(server.port, "POST", "/api/setup", { "content-type": "application/json" }, JSON.stringify({ password: PASSWORD }));
		assert.equal(setup.status, 200, setup.text);
	});
	after(async () => {
		fw.stop();
		await server.close();
	});

	it("answers GET /api/status with the firmware's JSON and the right length, and keeps the socket for the next poll", async () => {
		// As a browser polls: one kept-alive socket for every request.
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		try {
			for (let i = 0; i < 3; i++) {
				const res = await request(server.port, "GET", "/api/status", {}, undefined, agent);
				assert.equal(res.status, 200);
				assert.equal(res.headers["keep-alive"], "timeout=5");
				assert.equal(Number(res.headers["content-length"]), Buffer.byteLength(res.text));
				assert.equal(JSON.parse(res.text).version, "1.2.3+ohxs");
				assert.equal(res.reusedSocket, i > 0, `poll ${i}`);
			}
		} finally {
			agent.destroy();
		}
		// A client that asks to close gets close.
		const once = await request(server.port, "GET", "/api/status", { connection: "close" });
		assert.equal(once.headers.connection, "close");
	});

	it("stages an uploaded image read piece by piece through the one shared buffer", async () => {
		const image = buildEspImage({ version: "1.3.0+ohxs", size: 100_000, seed: 5 });
		server.pieces.length = 0;
		const res = await request(server.port, "POST", "/api/update/images/upload", { authorization: AUTH, "content-type": "application/octet-stream" }, image);
		const body = JSON.parse(res.text);
		assert.equal(res.status, 200, res.text);
		assert.equal(body.version, "1.3.0+ohxs");
		assert.equal(body.state, "VALID");
		assert.equal(body.checksum, createHash("sha256").update(image).digest("hex"), "every byte arrived, in order");
		assert.isAbove(server.pieces.length, image.length / DEFAULT_WIRE_OPTIONS.pieceSize - 2, "the body went through the shared buffer");
		assert.isAtMost(Math.max(...server.pieces), DEFAULT_WIRE_OPTIONS.pieceSize);
	});

	it("refuses an oversized upload from its content-length, without reading the body", async () => {
		const started = Date.now();
		const answer = await new Promise<string>((resolve, reject) => {
			const c = net.connect(server.port, "127.0.0.1", () => {
				c.write(
					`POST /api/update/images/upload HTTP/1.1\r\nHost: openhaldex.local\r\nAuthorization: ${AUTH}\r\nContent-Type: application/octet-stream\r\nContent-Length: 40000000\r\n\r\n`,
				);
				c.write(Buffer.alloc(4096, 0xe9));
			});
			let got = "";
			c.on("data", (d) => {
				got += d.toString("latin1");
			});
			c.on("close", () => resolve(got));
			c.on("error", (e) => (got ? resolve(got) : reject(e)));
		});
		assert.match(answer, /^HTTP\/1\.1 413 /);
		assert.include(answer, '"code":"body_too_large"');
		assert.isBelow(Date.now() - started, 5000);
	});

	it("answers a malformed request with a JSON 400", async () => {
		const answer = await new Promise<string>((resolve) => {
			const c = net.connect(server.port, "127.0.0.1", () => c.write("HELLO\r\n\r\n"));
			let got = "";
			c.on("data", (d) => {
				got += d.toString("latin1");
			});
			c.on("close", () => resolve(got));
		});
		assert.match(answer, /^HTTP\/1\.1 400 /);
		assert.include(answer, '"code":"bad_request"');
	});
});
