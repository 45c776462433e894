/*
 * The HTTP shapes the router core speaks. Adapters (Moddable's http Server
 * on the board and in mcsim, node:http in the simulator) translate to and
 * from these; nothing here knows which server carries the bytes.
 */

import { frozen } from "util/frozen";
import { utf8Encode } from "util/utf8";

// Method names, for code every request runs to compare with (a string literal in a preloaded
// function is a new copy in the chunk heap each time it runs: docs/preload-hazards.md).
export const GET = "GET",
	HEAD = "HEAD",
	POST = "POST",
	PUT = "PUT",
	DELETE = "DELETE",
	OPTIONS = "OPTIONS";

export interface RequestHead {
	method: string;
	/** Request target as sent: path plus optional query. */
	target: string;
	/** Header names in lower case. */
	headers: Record<string, string>;
	/** Peer address when the server knows it. */
	remote?: string;
}

export interface Request extends RequestHead {
	path: string;
	query: Record<string, string>;
	/** Values of `{name}` segments of the matched route. */
	params: Record<string, string>;
}

/** A response body produced on demand, so large bodies never sit in RAM. */
export interface BodySource {
	/** Next piece of at most `max` bytes; undefined when finished. */
	read(max: number): Uint8Array | undefined;
	/** Total length when known (sent as content-length). */
	readonly length?: number;
	/**
	 * For a live body (a capture as it happens): read() returned an empty
	 * piece, so the connection stops asking and calls `resume` once more is
	 * ready. Without wait, an empty piece means "ask again now".
	 */
	wait?(resume: () => void): void;
	/** The connection is done with the body: sent, or the client went away. Called once. */
	close?(): void;
}

export type ResponseBody = string | Uint8Array | BodySource;

export interface Response {
	status: number;
	headers?: [string, string][];
	body?: ResponseBody;
	/** Runs once the response has been completely sent (e.g. a restart). */
	afterSend?: () => void;
}

/**
 * A body produced as text pieces on demand (each encoded as UTF-8 and cut
 * to what the server asks for), so a long answer is never whole in RAM.
 * `next` returns undefined when there is no more.
 */
export function textSource(next: () => string | undefined): BodySource {
	let rest: Uint8Array | undefined;
	return {
		read(max: number) {
			while (!rest?.length) {
				const text = next();
				if (text === undefined) return undefined;
				rest = utf8Encode(text);
			}
			const piece = rest.subarray(0, max);
			rest = rest.subarray(piece.length);
			return piece;
		},
	};
}

// typeof's answers, compared on every response: constants, not literals (docs/preload-hazards.md).
const OBJECT = "object",
	FUNCTION = "function";

/** @hot */
export function isBodySource(body: ResponseBody | undefined): body is BodySource {
	return typeof body === OBJECT && body !== null && !(body instanceof Uint8Array) && typeof (body as BodySource).read === FUNCTION;
}

/** Reason phrases for every status the firmware sends. Moddable's server
 * answers "OK" for codes missing from its own table, so adapters pass these. */
const REASONS: Record<number, string> = frozen({
	200: "OK",
	201: "Created",
	202: "Accepted",
	204: "No Content",
	206: "Partial Content",
	301: "Moved Permanently",
	302: "Found",
	304: "Not Modified",
	400: "Bad Request",
	401: "Unauthorized",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	408: "Request Timeout",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	413: "Content Too Large",
	415: "Unsupported Media Type",
	416: "Range Not Satisfiable",
	421: "Misdirected Request",
	422: "Unprocessable Content",
	423: "Locked",
	428: "Precondition Required",
	429: "Too Many Requests",
	500: "Internal Server Error",
	501: "Not Implemented",
	503: "Service Unavailable",
	507: "Insufficient Storage",
});

export function reasonPhrase(status: number): string {
	return REASONS[status] ?? (status < 400 ? "OK" : "Error");
}

export function header(res: Response, name: string): string | undefined {
	const lower = name.toLowerCase();
	return res.headers?.find(([n]) => n.toLowerCase() === lower)?.[1];
}
