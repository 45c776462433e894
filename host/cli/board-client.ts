/*
 * The board's HTTP API from a developer's machine (Node): JSON calls and a
 * streamed upload with progress, every failure turned into an OhxError
 * with the exit code `ohx --help` lists. Types are the firmware's own
 * answers (api/contract).
 */

import fs from "node:fs";
import http from "node:http";

/** Exit codes, as `ohx --help` lists them. */
export const EXIT = {
	ok: 0,
	usage: 1,
	unreachable: 2,
	auth: 3,
	refused: 4,
	notNow: 5,
	rolledBack: 6,
	timeout: 7,
	failed: 8,
} as const;

export class OhxError extends Error {
	readonly exitCode: number;
	readonly code: string;
	constructor(exitCode: number, code: string, message: string) {
		super(message);
		this.exitCode = exitCode;
		this.code = code;
	}
}

/** The exit code for a board's error answer: who asks (401/403/429), not now (409), a refused file (413/415/422). */
export function exitFor(status: number): number {
	if (status === 401 || status === 403 || status === 429) return EXIT.auth;
	if (status === 409) return EXIT.notNow;
	if (status === 413 || status === 415 || status === 422) return EXIT.refused;
	return EXIT.failed;
}

export interface BoardOptions {
	host: string;
	port?: number;
	password?: string;
	timeoutMs?: number;
}

export class BoardClient {
	readonly #o: BoardOptions;
	constructor(options: BoardOptions) {
		this.#o = options;
	}

	get where(): string {
		return `http://${this.#o.host}${this.#o.port && this.#o.port !== 80 ? `:${this.#o.port}` : ""}`;
	}

	get<T>(path: string): Promise<T> {
		return this.#call<T>("GET", path);
	}

	post<T>(path: string, body?: unknown): Promise<T> {
		return this.#call<T>("POST", path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
	}

	/** Stream a file to the board, reporting bytes sent; resolves with the board's JSON answer. */
	upload<T>(path: string, file: string, onProgress: (sent: number, total: number) => void): Promise<T> {
		const total = fs.statSync(file).size;
		return new Promise<T>((resolve, reject) => {
			const req = this.#request("POST", path, { "content-type": "application/octet-stream", "content-length": String(total) }, resolve, reject, 120_000);
			let sent = 0;
			const stream = fs.createReadStream(file, { highWaterMark: 16 * 1024 });
			stream.on("data", (chunk) => {
				sent += chunk.length;
				onProgress(sent, total);
			});
			stream.on("error", (e) => reject(new OhxError(EXIT.usage, "file_unreadable", `Reading ${file} failed: ${e.message}`)));
			stream.pipe(req);
		});
	}

	#call<T>(method: string, path: string, body?: Buffer): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const headers: Record<string, string> = body ? { "content-type": "application/json", "content-length": String(body.length) } : {};
			const req = this.#request(method, path, headers, resolve, reject, this.#o.timeoutMs ?? 5000);
			req.end(body);
		});
	}

	#request<T>(
		method: string,
		path: string,
		headers: Record<string, string>,
		resolve: (v: T) => void,
		reject: (e: unknown) => void,
		timeoutMs: number,
	): http.ClientRequest {
		const auth = this.#o.password === undefined ? {} : { authorization: `Basic ${Buffer.from(`admin:${this.#o.password}`).toString("base64")}` };
		const req = http.request({ host: this.#o.host, port: this.#o.port ?? 80, method, path, headers: { ...headers, ...auth }, timeout: timeoutMs }, (res) => {
			const parts: Buffer[] = [];
			res.on("data", (c: Buffer) => parts.push(c));
			res.on("end", () => {
				const text = Buffer.concat(parts).toString("utf8");
				let json: { error?: { code?: string; message?: string } } | undefined;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				const status = res.statusCode ?? 0;
				if (status >= 200 && status < 300) return resolve(json as unknown as T);
				const code = json?.error?.code ?? `http_${status}`;
				const message = json?.error?.message ?? `The board answered ${status}.`;
				reject(new OhxError(exitFor(status), code, message));
			});
		});
		req.on("timeout", () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
		req.on("error", (e) =>
			reject(new OhxError(EXIT.unreachable, "unreachable", `The board at ${this.where} does not answer (${e.message}). Is this machine on its Wi-Fi?`)),
		);
		return req;
	}
}
