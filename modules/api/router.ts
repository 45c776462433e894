/*
 * The router core: request head in, response out, with bodies streamed in
 * chunks. Both server adapters drive it through the same Exchange, so a
 * route behaves identically on the board, in mcsim and in the simulator.
 *
 * Flow for one request:
 *   open(head, contentLength) -> guards (host check, CORS, auth) -> route
 *   -> body: none | json (collected up to a limit) | stream (a sink per chunk)
 *   -> finish() -> Response.   abort() when the client goes away.
 */

import { errorFrom, jsonResponse } from "api/errors";
import type { Request, RequestHead, Response } from "api/http";
import { utf8Decode, utf8Encode } from "util/utf8";
import { apiError, apiErrorResponse } from "api/error-codes";

export type BodyKind = "none" | "json" | "stream";

/**
 * Receives a streamed request body. A chunk is valid only during the call:
 * the board's server reads every piece into one shared buffer
 * (api/http-connection), so a sink that keeps bytes copies them.
 */
export interface BodySink {
	write(chunk: Uint8Array): void;
	/** The body is complete; answer. */
	end(): Response;
	/** The client disconnected or the transfer was cut; release everything. */
	abort(reason: string): void;
}

export interface RouteSpec {
	method: string;
	/** Path with `{name}` segments, e.g. "/api/update/images/{id}". */
	path: string;
	/** Needs the admin credential (checked by the auth guard). */
	auth?: boolean;
	/** Default "none": a body, if sent, is refused with 413. */
	body?: BodyKind;
	/** Accepted content types (media type only, lower case). */
	contentTypes?: string[];
	/** Largest accepted body in bytes. JSON default: 8 KiB. */
	maxBody?: number;
	/** Handler for "none" and "json" bodies. */
	handle?: (req: Request, body: unknown) => Response;
	/** Handler for "stream" bodies: a sink, or a Response to refuse the body. */
	stream?: (req: Request, contentLength: number | undefined) => BodySink | Response;
}

/** Runs before the route; a Response ends the request there. */
export type Guard = (req: Request, route: RouteSpec | undefined) => Response | undefined;

/** Adds headers to every response (e.g. CORS). */
export type Decorator = (req: Request, res: Response) => Response;

export interface Exchange {
	/** False when the answer is already known: the adapter discards the body. */
	readonly wantsBody: boolean;
	/**
	 * True once the answer is decided mid-body (the handler failed, e.g. a
	 * stalled upload was aborted): the adapter sends finish() now and closes
	 * the connection instead of reading a body nobody will use.
	 */
	readonly settled?: boolean;
	write(chunk: Uint8Array): void;
	finish(): Response;
	abort(reason: string): void;
}

export const DEFAULT_JSON_LIMIT = 8 * 1024;

interface CompiledRoute {
	spec: RouteSpec;
	segments: string[];
}

export class Router {
	#routes: CompiledRoute[] = [];
	#guards: Guard[] = [];
	#decorators: Decorator[] = [];

	add(spec: RouteSpec): this {
		if ((spec.body ?? "none") === "stream" ? !spec.stream : !spec.handle)
			throw new TypeError(`route ${spec.method} ${spec.path} lacks a handler for its body kind`);
		this.#routes.push({ spec, segments: splitPath(spec.path) });
		return this;
	}

	guard(guard: Guard): this {
		this.#guards.push(guard);
		return this;
	}

	decorate(decorator: Decorator): this {
		this.#decorators.push(decorator);
		return this;
	}

	/** Every registered route, in order (for checks such as "every change needs auth"). */
	routes(): readonly RouteSpec[] {
		return this.#routes.map((r) => r.spec);
	}

	/** Methods registered for a path, for 405 and CORS preflight answers. */
	methodsFor(path: string): string[] {
		const segments = splitPath(path);
		return this.#routes.filter((r) => matchSegments(r.segments, segments) !== undefined).map((r) => r.spec.method);
	}

	open(head: RequestHead, contentLength: number | undefined): Exchange {
		// Until the head parses, decorators see it as sent (made only if a refusal needs it).
		let req: Request | undefined;
		const decorate = (res: Response) => {
			const r = (req ??= { ...head, path: head.target, query: {}, params: {} });
			const ds = this.#decorators;
			for (let i = 0; i < ds.length; i++) res = ds[i](r, res); // indexed: for-of makes an iterator per request
			return res;
		};
		try {
			req = parseRequest(head);
			const { route, params } = this.#match(req);
			req.params = params;
			const guards = this.#guards;
			for (let i = 0; i < guards.length; i++) {
				const res = guards[i](req, route?.spec);
				if (res) return answered(decorate(res));
			}
			if (!route) {
				const allowed = this.methodsFor(req.path);
				if (allowed.length)
					return answered(
						decorate(apiErrorResponse("method_not_allowed", `${req.method} is not allowed on ${req.path}; use ${allowed.join(", ")}.`, undefined)),
					);
				return answered(decorate(apiErrorResponse("not_found", `Nothing at ${req.path}.`)));
			}
			return this.#bodyExchange(route.spec, req, contentLength, decorate);
		} catch (error) {
			return answered(decorate(errorFrom(error)));
		}
	}

	/** Convenience for tests and internal calls: a whole request at once. */
	handle(head: RequestHead, body?: Uint8Array | string): Response {
		const bytes = typeof body === "string" ? utf8Encode(body) : body;
		const ex = this.open(head, bytes?.length);
		if (ex.wantsBody && bytes?.length) ex.write(bytes);
		return ex.finish();
	}

	#match(req: Request): { route: CompiledRoute | undefined; params: Record<string, string> } {
		const segments = splitPath(req.path);
		const routes = this.#routes;
		for (let i = 0; i < routes.length; i++) {
			const route = routes[i];
			if (route.spec.method !== req.method) continue;
			const params = matchSegments(route.segments, segments);
			if (params) return { route, params };
		}
		return { route: undefined, params: {} };
	}

	#bodyExchange(spec: RouteSpec, req: Request, contentLength: number | undefined, decorate: (r: Response) => Response): Exchange {
		const kind = spec.body ?? "none";
		const length = contentLength ?? 0;
		if (kind === "none") {
			if (length > 0) return answered(decorate(apiErrorResponse("body_not_allowed", `${req.method} ${req.path} takes no request body.`)));
			let res: Response;
			try {
				res = spec.handle!(req, undefined);
			} catch (error) {
				res = errorFrom(error);
			}
			return answered(decorate(res));
		}

		const limit = spec.maxBody ?? (kind === "json" ? DEFAULT_JSON_LIMIT : Infinity);
		if (length > limit)
			return answered(decorate(apiErrorResponse("body_too_large", `The request body is ${length} bytes; at most ${limit} are accepted here.`)));
		const typeError = checkContentType(req, spec, kind);
		if (typeError) return answered(decorate(typeError));

		if (kind === "json") return jsonExchange(spec, req, limit, decorate);

		let sink: BodySink | Response;
		try {
			sink = spec.stream!(req, contentLength);
		} catch (error) {
			return answered(decorate(errorFrom(error)));
		}
		if (!isSink(sink)) return answered(decorate(sink));
		return streamExchange(sink, decorate);
	}
}

function isSink(value: BodySink | Response): value is BodySink {
	return typeof (value as BodySink).write === "function";
}

function run(fn: () => Response): Response {
	try {
		return fn();
	} catch (error) {
		return errorFrom(error);
	}
}

/** An exchange whose answer is already decided: a class, so each is one small object, not three closures. */
class Answered implements Exchange {
	readonly wantsBody = false;
	readonly #res: Response;
	constructor(res: Response) {
		this.#res = res;
	}
	write(): void {
		/* body discarded: the answer is already decided */
	}
	finish(): Response {
		return this.#res;
	}
	abort(): void {
		/* nothing held */
	}
}

function answered(res: Response): Exchange {
	return new Answered(res);
}

function jsonExchange(spec: RouteSpec, req: Request, limit: number, decorate: (r: Response) => Response): Exchange {
	const parts: Uint8Array[] = [];
	let received = 0;
	let overflow = false;
	return {
		wantsBody: true,
		write(chunk) {
			received += chunk.length;
			if (received > limit) overflow = true;
			else parts.push(chunk.slice()); // the chunk's buffer is reused after the call
		},
		finish() {
			if (overflow) return decorate(apiErrorResponse("body_too_large", `The request body is over ${limit} bytes.`));
			let value: unknown;
			if (received > 0) {
				try {
					value = JSON.parse(utf8Decode(concat(parts, received)));
				} catch {
					return decorate(apiErrorResponse("bad_json", "The request body is not valid JSON."));
				}
				// Every JSON endpoint takes an object: null, an array or a bare value is refused here,
				// once, rather than read as "no change" by a handler (POST /api/update/server null was a 200).
				if (value === null || typeof value !== "object" || Array.isArray(value))
					return decorate(
						apiErrorResponse(
							"body_not_object",
							`The request body must be a JSON object, not ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}.`,
						),
					);
			}
			return decorate(run(() => spec.handle!(req, value)));
		},
		abort() {
			parts.length = 0;
		},
	};
}

function streamExchange(sink: BodySink, decorate: (r: Response) => Response): Exchange {
	let failure: Response | undefined;
	let done = false;
	return {
		wantsBody: true,
		get settled() {
			return failure !== undefined;
		},
		write(chunk) {
			if (failure || done) return;
			try {
				sink.write(chunk);
			} catch (error) {
				failure = errorFrom(error);
				safeAbort(sink, "handler failed");
			}
		},
		finish() {
			done = true;
			if (failure) return decorate(failure);
			return decorate(run(() => sink.end()));
		},
		abort(reason) {
			if (done) return;
			done = true;
			if (!failure) safeAbort(sink, reason);
		},
	};
}

function safeAbort(sink: BodySink, reason: string): void {
	try {
		sink.abort(reason);
	} catch {
		// Abort is best effort: the sink already failed, and the response
		// (or the closed connection) carries the original error.
	}
}

function checkContentType(req: Request, spec: RouteSpec, kind: BodyKind): Response | undefined {
	const accepted = spec.contentTypes ?? (kind === "json" ? ["application/json"] : undefined);
	if (!accepted) return undefined;
	const type = mediaType(req.headers["content-type"]);
	// A JSON endpoint tolerates a missing type from curl-like clients only when there is no body.
	if (accepted.includes(type)) return undefined;
	return apiErrorResponse("unsupported_media_type", `This endpoint takes ${accepted.join(" or ")}; the request sent ${type || "no content type"}.`);
}

export function mediaType(value: string | undefined): string {
	return (value ?? "").split(";")[0].trim().toLowerCase();
}

export function parseRequest(head: RequestHead): Request {
	let target = head.target;
	let headers = head.headers;
	// Absolute form (GET http://openhaldex.local/api/status): servers must accept it, and its
	// authority replaces Host (RFC 9112 3.2.2), so the Host check judges what was really asked for.
	const head8 = target.slice(0, 8).toLowerCase(); // schemes are case-insensitive
	const scheme = head8.startsWith("http://") ? 7 : head8 === "https://" ? 8 : 0;
	if (scheme) {
		const slash = target.indexOf("/", scheme);
		const authority = target.slice(scheme, slash < 0 ? target.length : slash);
		if (!authority || authority.includes("@")) throw apiError("bad_request_target", "The request target names no host, or names a user.");
		headers = { ...headers, host: authority };
		target = slash < 0 ? "/" : target.slice(slash);
	}
	const q = target.indexOf("?");
	const rawPath = q < 0 ? target : target.slice(0, q);
	const query: Record<string, string> = {};
	if (q >= 0) {
		for (const pair of target.slice(q + 1).split("&")) {
			if (!pair) continue;
			const eq = pair.indexOf("=");
			const name = decode(eq < 0 ? pair : pair.slice(0, eq));
			query[name] = eq < 0 ? "" : decode(pair.slice(eq + 1));
		}
	}
	return { ...head, headers, method: head.method.toUpperCase(), path: decode(rawPath) || "/", query, params: {} };
}

function decode(text: string): string {
	if (text.indexOf("%") < 0 && text.indexOf("+") < 0) return text; // the usual case: nothing to decode, nothing to allocate
	try {
		return decodeURIComponent(text.replace(/\+/g, " "));
	} catch {
		throw apiError("bad_request_target", "The request path or query is not valid percent-encoding.");
	}
}

function splitPath(path: string): string[] {
	return path.split("/").filter((s) => s.length > 0);
}

const isParam = (p: string) => p.startsWith("{") && p.endsWith("}");

/** Params of a match, or undefined. Every route is tried per request, so a miss allocates nothing. */
function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
	if (pattern.length !== actual.length) return undefined;
	for (let i = 0; i < pattern.length; i++) if (!isParam(pattern[i]) && pattern[i] !== actual[i]) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) if (isParam(pattern[i])) params[pattern[i].slice(1, -1)] = actual[i];
	return params;
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
	if (parts.length === 1) return parts[0];
	const out = new Uint8Array(length);
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}

export { jsonResponse };
