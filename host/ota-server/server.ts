/*
 * Reference OTA file server: the fleet OTA file API (v2) over a set of firmware
 * files, as a real node:http server. The simulator's `npm start` runs one
 * with a newer demo image, and the host tests run it on 127.0.0.1 with
 * faults switched on.
 *
 *   GET /api/v2/ota-files?module=..&isActive=1   JSON array of
 *       {id, version, module, isActive, sha256, size, fileName}
 *   GET /api/v2/ota-files/{id}/file               the binary; 404 when
 *       unknown or inactive; Range "bytes=N-" / "bytes=N-M" -> 206 with
 *       Content-Range, unsatisfiable -> 416; Accept-Ranges: bytes
 *   x-access-token: 401 when missing, 403 when wrong (when a token is set)
 *
 * Faults for tests (server.behaviour, changeable while running): noRange
 * (200 with the whole file, no Accept-Ranges), stallAfter (stop sending
 * after N body bytes of the next file response, once, keeping the
 * connection open), cutAt (close the
 * connection when the file offset reaches each N, once each), malformedList
 * (the list answers broken JSON), listStatus / fileStatus (force a status).
 */

import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createHash } from "node:crypto";

export interface OtaFileRecord {
	id: string;
	module: string;
	version: string;
	isActive: boolean;
	/** Hex SHA-256 the list announces (normally the file's own). */
	sha256: string;
	size: number;
	fileName?: string;
	data: Uint8Array;
}

export interface OtaServerBehaviour {
	noRange?: boolean;
	/** Body bytes after which the next file response goes silent (once; then cleared). */
	stallAfter?: number;
	/** File offsets at which the connection is cut; each is used once. */
	cutAt?: number[];
	malformedList?: boolean;
	listStatus?: number;
	fileStatus?: number;
	/** Body bytes per write. */
	chunk?: number;
}

export interface OtaServerOptions {
	files: OtaFileRecord[];
	/** Required x-access-token; no check when undefined. */
	token?: string;
	host?: string;
	/** 0 picks a free port. */
	port?: number;
	behaviour?: OtaServerBehaviour;
	log?: (line: string) => void;
}

export interface OtaServerRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	status: number;
	/** Body bytes written before the response ended, stalled or was cut. */
	bytes: number;
}

export interface OtaServer {
	readonly url: string;
	readonly port: number;
	readonly files: OtaFileRecord[];
	behaviour: OtaServerBehaviour;
	token: string | undefined;
	readonly requests: OtaServerRequest[];
	close(): Promise<void>;
}

/** A file record with its real SHA-256 and size. */
export function otaFile(
	meta: { id: string | number; module: string; version: string; isActive?: boolean; fileName?: string; sha256?: string },
	data: Uint8Array,
): OtaFileRecord {
	return {
		id: String(meta.id),
		module: meta.module,
		version: meta.version,
		isActive: meta.isActive ?? true,
		sha256: meta.sha256 ?? createHash("sha256").update(data).digest("hex"),
		size: data.length,
		fileName: meta.fileName,
		data,
	};
}

export function listEntry(f: OtaFileRecord) {
	return {
		id: f.id,
		version: f.version,
		module: f.module,
		isActive: f.isActive,
		sha256: f.sha256,
		size: f.size,
		...(f.fileName ? { fileName: f.fileName } : {}),
	};
}

export async function startOtaServer(options: OtaServerOptions): Promise<OtaServer> {
	const sockets = new Set<Socket>();
	const requests: OtaServerRequest[] = [];
	const log = options.log ?? (() => {});
	const server = http.createServer((req, res) => {
		const record: OtaServerRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, status: 0, bytes: 0 };
		requests.push(record);
		res.setHeader("connection", "close");
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			const text = typeof body === "string" ? body : JSON.stringify(body);
			record.status = status;
			res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
			res.end(text);
			log(`${req.method} ${req.url} -> ${status}`);
		};
		const url = new URL(req.url ?? "/", "http://ota.local");
		if (req.method !== "GET") return send(405, { error: "method not allowed" }, { allow: "GET" });
		if (ota.token !== undefined) {
			const token = req.headers["x-access-token"];
			if (token === undefined) return send(401, { error: "missing x-access-token" });
			if (token !== ota.token) return send(403, { error: "invalid x-access-token" });
		}
		const b = ota.behaviour;
		if (url.pathname === "/api/v2/ota-files" || url.pathname === "/api/v2/ota-files/") {
			if (b.listStatus) return send(b.listStatus, { error: `forced status ${b.listStatus}` });
			if (b.malformedList) return send(200, '[{"id": "1", "version": "9.9.9", "module": ');
			const module = url.searchParams.get("module");
			const active = url.searchParams.get("isActive");
			const wantActive = active === null || active === "" ? undefined : active === "1" || active === "true";
			const list = ota.files
				.filter((f) => module === null || module === "" || f.module === module)
				.filter((f) => wantActive === undefined || f.isActive === wantActive)
				.map(listEntry);
			return send(200, list);
		}
		const m = /^\/api\/v2\/ota-files\/([^/]+)\/file$/.exec(url.pathname);
		if (!m) return send(404, { error: "not found" });
		const file = ota.files.find((f) => f.id === decodeURIComponent(m[1]));
		if (!file?.isActive) return send(404, { error: "OTA file not found or not active" });
		if (b.fileStatus) return send(b.fileStatus, { error: `forced status ${b.fileStatus}` });

		let start = 0,
			end = file.size - 1,
			status = 200;
		const headers: Record<string, string> = { "content-type": "application/octet-stream" };
		if (!b.noRange) headers["accept-ranges"] = "bytes";
		const range = b.noRange ? undefined : parseRange(req.headers.range, file.size);
		if (range === "unsatisfiable") {
			record.status = 416;
			res.writeHead(416, { "content-range": `bytes */${file.size}`, "content-length": "0" });
			res.end();
			log(`GET ${req.url} (${req.headers.range}) -> 416`);
			return;
		}
		if (range) {
			[start, end] = range;
			status = 206;
			headers["content-range"] = `bytes ${start}-${end}/${file.size}`;
		}
		headers["content-length"] = String(end - start + 1);
		record.status = status;
		res.writeHead(status, headers);
		log(`GET ${req.url}${req.headers.range ? ` (${req.headers.range})` : ""} -> ${status}`);
		streamBody(res, record, file.data, start, end + 1, b);
	});
	server.on("connection", (s) => {
		sockets.add(s);
		s.on("close", () => sockets.delete(s));
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	const ota: OtaServer = {
		url: `http://${options.host ?? "127.0.0.1"}:${port}`,
		port,
		files: options.files,
		behaviour: options.behaviour ?? {},
		token: options.token,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
	return ota;
}

/** "bytes=N-" or "bytes=N-M" within the file; undefined for none or anything else (served whole). */
export function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | undefined {
	const m = /^bytes=(\d+)-(\d*)$/.exec(header ?? "");
	if (!m) return undefined;
	const start = Number(m[1]);
	const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
	if (start >= size || end < start) return "unsatisfiable";
	return [start, end];
}

function streamBody(res: http.ServerResponse, record: OtaServerRequest, data: Uint8Array, from: number, to: number, b: OtaServerBehaviour): void {
	const chunk = b.chunk ?? 4096;
	const cutAt = b.cutAt ?? [];
	while (cutAt.length && cutAt[0] <= from) cutAt.shift();
	const cut = cutAt.length && cutAt[0] < to ? cutAt[0] : undefined;
	const stallAt = b.stallAfter !== undefined ? from + b.stallAfter : undefined;
	if (stallAt !== undefined && stallAt < to) b.stallAfter = undefined; // one stall, like each cut
	let at = from;
	// Each write waits for the previous one to reach the socket, so a cut
	// happens exactly at its offset (every byte before it was sent).
	const next = () => {
		if (res.destroyed) return;
		if (cut !== undefined && at >= cut) {
			cutAt.shift();
			res.socket?.destroy();
			return;
		}
		if (stallAt !== undefined && at >= stallAt) return; // open and silent until the client gives up
		if (at >= to) {
			res.end();
			return;
		}
		const stop = Math.min(to, at + chunk, cut ?? Infinity, stallAt ?? Infinity);
		const piece = data.subarray(at, stop);
		at = stop;
		record.bytes += piece.length;
		res.write(piece, () => next());
	};
	next();
}
