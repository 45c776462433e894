/* The node:http adapter drives the router core over real sockets on 127.0.0.1. */

import { assert } from "chai";
import http from "node:http";
import net from "node:net";
import { Router, type BodySink } from "api/router";
import { jsonResponse } from "api/errors";
import { serveRouterOnNode, type NodeHttpServer } from "../../host/adapters/node-http";

function request(
	port: number,
	method: string,
	path: string,
	body?: Buffer,
	headers: Record<string, string> = {},
): Promise<{ status: number; reason: string; headers: http.IncomingHttpHeaders; text: string }> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: "127.0.0.1", port, method, path, headers: { ...headers, ...(body ? { "content-length": String(body.length) } : {}) } },
			(res) => {
				let text = "";
				res.setEncoding("utf8");
				res.on("data", (c) => (text += c));
				res.on("end", () => resolve({ status: res.statusCode!, reason: res.statusMessage!, headers: res.headers, text }));
			},
		);
		req.on("error", reject);
		req.end(body);
	});
}

describe("host/adapters/node-http", () => {
	let server: NodeHttpServer;
	const events: string[] = [];
	let sent = 0;

	before(async () => {
		const router = new Router()
			.add({
				method: "GET",
				path: "/hello",
				handle: () => ({
					...jsonResponse(200, { text: "héllo" }),
					afterSend: () => {
						sent++;
					},
				}),
			})
			.add({
				method: "GET",
				path: "/big",
				handle: () => {
					let left = 100_000;
					return {
						status: 200,
						body: {
							length: left,
							read: (max: number) => {
								if (!left) return undefined;
								const n = Math.min(max, left);
								left -= n;
								return new Uint8Array(n).fill(65);
							},
						},
					};
				},
			})
			.add({
				method: "POST",
				path: "/up",
				body: "stream",
				contentTypes: ["application/octet-stream"],
				stream: (): BodySink => {
					let n = 0;
					return {
						write: (c) => {
							n += c.length;
							events.push(`write`);
						},
						end: () => {
							events.push(`end ${n}`);
							return jsonResponse(200, { bytes: n });
						},
						abort: (why) => {
							events.push(`abort ${why} after ${n}`);
						},
					};
				},
			});
		server = await serveRouterOnNode(router, { port: 0 });
	});
	after(() => server.close());
	beforeEach(() => {
		events.length = 0;
	});

	it("sends a JSON body with its UTF-8 byte length and runs afterSend once it is out", async () => {
		const r = await request(server.port, "GET", "/hello");
		assert.equal(r.status, 200);
		assert.equal(r.headers["content-length"], String(Buffer.byteLength(r.text)));
		assert.deepEqual(JSON.parse(r.text), { text: "héllo" });
		assert.equal(r.headers.connection, "close");
		await new Promise((res) => setTimeout(res, 20));
		assert.equal(sent, 1);
	});

	it("pulls a large body piece by piece from a BodySource", async () => {
		const r = await request(server.port, "GET", "/big");
		assert.equal(r.text.length, 100_000);
		assert.equal(r.headers["content-length"], "100000");
	});

	it("streams an upload into the route's sink as it arrives", async () => {
		const body = Buffer.alloc(300_000, 7);
		const r = await request(server.port, "POST", "/up", body, { "content-type": "application/octet-stream" });
		assert.deepEqual(JSON.parse(r.text), { bytes: 300_000 });
		assert.isAbove(events.filter((e) => e === "write").length, 1, "more than one chunk");
		assert.equal(events.at(-1), "end 300000");
	});

	it("sends the explicit reason phrase for 415", async () => {
		const r = await request(server.port, "POST", "/up", Buffer.alloc(4), { "content-type": "text/plain" });
		assert.equal(r.status, 415);
		assert.equal(r.reason, "Unsupported Media Type");
		assert.equal(JSON.parse(r.text).error.code, "unsupported_media_type");
	});

	it("refuses a chunked upload with 411, as the device's server cannot take one", async () => {
		const r = await new Promise<{ status: number; text: string }>((resolve, reject) => {
			const req = http.request(
				{
					host: "127.0.0.1",
					port: server.port,
					method: "POST",
					path: "/up",
					headers: { "content-type": "application/octet-stream", "transfer-encoding": "chunked" },
				},
				(res) => {
					let text = "";
					res.on("data", (c) => (text += c));
					res.on("end", () => resolve({ status: res.statusCode!, text }));
				},
			);
			req.on("error", reject);
			req.write(Buffer.alloc(10));
			req.end();
		});
		assert.equal(r.status, 411);
		assert.deepEqual(events, []);
	});

	it("aborts the sink when the client disconnects mid-upload", async () => {
		await new Promise<void>((resolve) => {
			const socket = net.connect(server.port, "127.0.0.1", () => {
				socket.write("POST /up HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\n");
				socket.write(Buffer.alloc(1000));
				setTimeout(() => {
					socket.destroy();
					setTimeout(resolve, 50);
				}, 50);
			});
		});
		assert.equal(events.at(-1), "abort client disconnected after 1000");
	});
	it("answers requests its parser refuses with a status and the JSON error body, never a bare 400", async () => {
		const probes = [
			"GARBAGE\r\n\r\n",
			"GET / HTTP/9.9\r\nhost: x\r\n\r\n",
			"GET /api/x HTTP/1.1\r\nhost x\r\n\r\n",
			"GET /api/x HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n",
			"POST /api/x HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
			"GET /api/x HTTP/1.1\r\nhost: a\u0000b\r\n\r\n",
			`GET /api/x HTTP/1.1\r\nhost: a\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`,
			"GET /api/x HTTP/1.1\r\nhost: a\r\ncontent-length: -1\r\n\r\n",
		];
		for (const probe of probes) {
			const reply = await new Promise<string>((resolve, reject) => {
				const socket = net.connect(server.port, "127.0.0.1", () => socket.end(probe));
				let text = "";
				socket
					.on("data", (c) => {
						text += c;
					})
					.on("close", () => resolve(text))
					.on("error", reject);
			});
			const label = JSON.stringify(probe.slice(0, 60));
			const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(reply)?.[1]);
			assert.isAtLeast(status, 400, `${label}: ${reply.slice(0, 80)}`);
			const body = reply.slice(reply.indexOf("\r\n\r\n") + 4);
			assert.isString(JSON.parse(body).error.code, label);
		}
	});
});
