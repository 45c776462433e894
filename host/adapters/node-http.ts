/*
 * node:http adapter for the router core: the simulator's HTTP server. It
 * answers as the board does where it matters to clients (content-length
 * required for a body, no chunked uploads, bodies streamed chunk by chunk
 * into the router), but closes every connection after its answer: the
 * board's server (api/http-connection) keeps them alive. Clients must work
 * with both; the board's own server code is run over real TCP by
 * host-tests/host/http-connection-tcp.test.ts and in mcsim by check:mcsim.
 */

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Router } from "api/router";
import { isBodySource, reasonPhrase, type Response } from "api/http";
import { errorResponse } from "api/errors";

export interface NodeHttpServer {
	readonly port: number;
	readonly url: string;
	close(): Promise<void>;
}

export async function serveRouterOnNode(router: Router, options: { port: number; host?: string }): Promise<NodeHttpServer> {
	const host = options.host ?? "127.0.0.1";
	const server = http.createServer((req, res) => handle(router, req, res));
	// One request per connection (the board keeps them alive; see above).
	server.keepAliveTimeout = 0;
	// A request Node's parser refuses (bad framing, oversized headers) gets the same JSON error
	// body as every other failure, not Node's bare "400 Bad Request".
	server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
		if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
			socket.destroy();
			return;
		}
		const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
		const status = tooLarge ? 431 : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW" ? 413 : 400;
		const res = errorResponse(
			status,
			tooLarge ? "headers_too_large" : "bad_request",
			tooLarge
				? "The request's headers are too large."
				: `The request is not valid HTTP/1.1 (${String(error.code ?? "parse error")
						.replace(/^HPE_/, "")
						.toLowerCase()}).`,
		);
		const body = Buffer.from(res.body as string);
		socket.end(
			`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-type: application/json\r\ncache-control: no-store\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString("latin1")}`,
			"latin1",
		);
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(options.port, host, () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	return {
		port,
		url: `http://${host}:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

function handle(router: Router, req: http.IncomingMessage, res: http.ServerResponse): void {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
	}
	if (headers["transfer-encoding"]?.toLowerCase().includes("chunked")) {
		req.resume();
		send(res, errorResponse(411, "length_required", "Send the body with a content-length; chunked uploads are not supported by the device."));
		return;
	}
	const length = headers["content-length"] === undefined ? undefined : parseInt(headers["content-length"], 10);
	const exchange = router.open({ method: req.method ?? "GET", target: req.url ?? "/", headers, remote: req.socket.remoteAddress }, length);
	if (!exchange.wantsBody && (length ?? 0) > 0) {
		// The answer is known from the headers (401, 413, 415...): send it now
		// instead of making the client upload a body nobody will read.
		req.resume();
		send(res, exchange.finish());
		return;
	}
	let complete = false;
	req.on("data", (chunk: Buffer) => {
		if (complete || !exchange.wantsBody) return;
		exchange.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
		if (exchange.settled) {
			// Decided mid-body (a stalled upload was aborted): answer now; "connection: close" ends it.
			complete = true;
			send(res, exchange.finish());
		}
	});
	req.on("end", () => {
		if (complete) return;
		complete = true;
		send(res, exchange.finish());
	});
	req.on("close", () => {
		if (!complete) exchange.abort("client disconnected");
	});
}

function send(res: http.ServerResponse, response: Response): void {
	if (res.headersSent || res.destroyed) return;
	res.statusCode = response.status;
	res.statusMessage = reasonPhrase(response.status);
	res.setHeader("connection", "close");
	for (const [name, value] of response.headers ?? []) res.setHeader(name, value);
	if (response.afterSend) res.on("finish", response.afterSend);
	const body = response.body;
	if (body === undefined) {
		res.setHeader("content-length", "0");
		res.end();
	} else if (typeof body === "string" || body instanceof Uint8Array) {
		const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
		res.setHeader("content-length", String(bytes.length));
		res.end(bytes);
	} else if (isBodySource(body)) {
		if (body.length !== undefined) res.setHeader("content-length", String(body.length));
		let closed = false;
		const close = () => {
			if (closed) return;
			closed = true;
			body.close?.();
		};
		res.on("close", close);
		const pump = () => {
			for (;;) {
				if (closed) return;
				const piece = body.read(16 * 1024);
				if (!piece) {
					res.end();
					close();
					return;
				}
				if (piece.length === 0) {
					// A live source says when it has more (api/http BodySource.wait); any other is asked again.
					if (body.wait) {
						body.wait(pump);
						return;
					}
					continue;
				}
				// A copy: Node keeps the chunk until it is flushed, and a live source reuses its buffer.
				if (!res.write(Buffer.from(piece))) {
					res.once("drain", pump);
					return;
				}
			}
		};
		pump();
	}
}
