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
import { DELETE, GET, HEAD, OPTIONS, POST, PUT, type Request, type RequestHead, type Response } from "api/http";
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
	/**
	 * A route without parameters (most) keeps only its path in normal form ("/" and its segments
	 * joined by "/", normalPath): one string. An array of segment strings per route was ~640 B of
	 * chunks and 24 slots each in mcsim's live set (docs/performance.md); and a request's path,
	 * normal as a rule, is compared as it came, with no split or join per request.
	 */
	literal: string | undefined;
	/** A route with `{name}` segments: its segments, and per segment the parameter's name or undefined. */
	segments: string[] | undefined;
	params: (string | undefined)[] | undefined;
}

// Every request runs what follows, so it compares with these, never with literals:
// in a preloaded function each string literal is a new copy in the chunk heap every
// time it runs (docs/preload-hazards.md, "string literal on a hot path").
const NONE = "none",
	JSON_KIND = "json",
	SLASH = "/",
	PERCENT = "%",
	PLUS = "+",
	QUESTION = "?";

export class Router {
	#routes: CompiledRoute[] = [];
	#guards: Guard[] = [];
	#decorators: Decorator[] = [];

	add(spec: RouteSpec): this {
		if ((spec.body ?? "none") === "stream" ? !spec.stream : !spec.handle)
			throw new TypeError(`route ${spec.method} ${spec.path} lacks a handler for its body kind`);
		const segments = splitPath(spec.path);
		const params = segments.map((p) => (p.startsWith("{") && p.endsWith("}") ? p.slice(1, -1) : undefined));
		if (params.some((p) => p !== undefined)) this.#routes.push({ spec, literal: undefined, segments, params });
		else {
			const literal = SLASH + segments.join(SLASH);
			// Unreachable behind an earlier route with parameters (and #match's literal-first pass relies on there being none).
			const shadow = this.#routes.find((r) => r.spec.method === spec.method && r.literal === undefined && matches(r, literal, segments));
			if (shadow) throw new TypeError(`route ${spec.method} ${spec.path} is unreachable behind ${shadow.spec.path}`);
			this.#routes.push({ spec, literal, segments: undefined, params: undefined });
		}
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
		const normal = normalPath(path);
		const segments = splitPath(normal);
		return this.#routes.filter((r) => matches(r, normal, segments)).map((r) => r.spec.method);
	}

	/** @hot */
	open(head: RequestHead, contentLength: number | undefined): Exchange {
		let req: Request | undefined;
		try {
			req = parseRequest(head);
			const route = this.#match(req.method, req.path);
			if (route?.params) req.params = paramsOf(route.params, splitPath(req.path));
			const guards = this.#guards;
			for (let i = 0; i < guards.length; i++) {
				const res = guards[i](req, route?.spec);
				if (res) return answered(this.#decorate(head, req, res));
			}
			if (!route) {
				const allowed = this.methodsFor(req.path);
				if (allowed.length)
					return answered(
						this.#decorate(
							head,
							req,
							apiErrorResponse("method_not_allowed", `${req.method} is not allowed on ${req.path}; use ${allowed.join(", ")}.`, undefined),
						),
					);
				return answered(this.#decorate(head, req, apiErrorResponse("not_found", `Nothing at ${req.path}.`)));
			}
			return this.#bodyExchange(route.spec, req, contentLength, head);
		} catch (error) {
			return answered(this.#decorate(head, req, errorFrom(error)));
		}
	}

	/**
	 * The decorators over an answer. A method, not a closure made per request (a poll's only use is
	 * one call); `req` is undefined when the head did not parse, and decorators then see it as sent. @hot
	 */
	#decorate(head: RequestHead, req: Request | undefined, res: Response): Response {
		const r = req ?? { ...head, path: head.target, query: {}, params: {} };
		const ds = this.#decorators;
		for (let i = 0; i < ds.length; i++) res = ds[i](r, res); // indexed: for-of makes an iterator per request
		return res;
	}

	/** Convenience for tests and internal calls: a whole request at once. */
	handle(head: RequestHead, body?: Uint8Array | string): Response {
		const bytes = typeof body === "string" ? utf8Encode(body) : body;
		const ex = this.open(head, bytes?.length);
		if (ex.wantsBody && bytes?.length) ex.write(bytes);
		return ex.finish();
	}

	/**
	 * The route of `method` for `path`. First the path as it came against the routes without
	 * parameters: the polls' case, with no string or array made. Only then is the path put in
	 * normal form and split for the rest (a route with parameters, "/api/status/"). add() refuses a
	 * route without parameters that an earlier one with parameters would match, so trying those
	 * first picks what trying every route in order would. @hot
	 */
	#match(method: string, path: string): CompiledRoute | undefined {
		const routes = this.#routes;
		for (let i = 0; i < routes.length; i++) {
			const route = routes[i];
			if (route.literal === path && route.spec.method === method) return route;
		}
		const normal = normalPath(path);
		const segments = splitPath(normal);
		for (let i = 0; i < routes.length; i++) {
			const route = routes[i];
			if (route.spec.method === method && matches(route, normal, segments)) return route;
		}
		return undefined;
	}

	/** @hot */
	#bodyExchange(spec: RouteSpec, req: Request, contentLength: number | undefined, head: RequestHead): Exchange {
		const kind = spec.body ?? NONE;
		const length = contentLength ?? 0;
		if (kind === NONE) {
			if (length > 0) return answered(this.#decorate(head, req, apiErrorResponse("body_not_allowed", `${req.method} ${req.path} takes no request body.`)));
			let res: Response;
			try {
				res = spec.handle!(req, undefined);
			} catch (error) {
				res = errorFrom(error);
			}
			return answered(this.#decorate(head, req, res));
		}
		// A request with a body is answered later, from its exchange.
		const decorate = (res: Response) => this.#decorate(head, req, res);

		const limit = spec.maxBody ?? (kind === JSON_KIND ? DEFAULT_JSON_LIMIT : Infinity);
		if (length > limit)
			return answered(decorate(apiErrorResponse("body_too_large", `The request body is ${length} bytes; at most ${limit} are accepted here.`)));
		const typeError = checkContentType(req, spec, kind);
		if (typeError) return answered(decorate(typeError));

		if (kind === JSON_KIND) return jsonExchange(spec, req, limit, decorate);

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

/** @hot */
export function parseRequest(head: RequestHead): Request {
	let target = head.target;
	let headers = head.headers;
	// Absolute form (GET http://openhaldex.local/api/status): servers must accept it, and its
	// authority replaces Host (RFC 9112 3.2.2), so the Host check judges what was really asked for.
	// Only a target that does not start with "/" (47) can be one.
	const scheme = target.charCodeAt(0) === 47 ? 0 : absoluteScheme(target);
	if (scheme) {
		const slash = target.indexOf("/", scheme);
		const authority = target.slice(scheme, slash < 0 ? target.length : slash);
		if (!authority || authority.includes("@")) throw apiError("bad_request_target", "The request target names no host, or names a user.");
		headers = { ...headers, host: authority };
		target = slash < 0 ? "/" : target.slice(slash);
	}
	const q = target.indexOf(QUESTION);
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
	const req: Request = { method: upper(head.method), target: head.target, headers, path: decode(rawPath) || SLASH, query, params: {} };
	if (head.remote !== undefined) req.remote = head.remote;
	return req;
}

/** 7 for http://, 8 for https:// (any letter case), else 0. */
function absoluteScheme(target: string): number {
	const head8 = target.slice(0, 8).toLowerCase();
	return head8.startsWith("http://") ? 7 : head8 === "https://" ? 8 : 0;
}

/** The method in upper case, without a new string for the ones clients send (already upper case). @hot */
function upper(method: string): string {
	return method === GET || method === POST || method === PUT || method === DELETE || method === OPTIONS || method === HEAD ? method : method.toUpperCase();
}

/** @hot */
function decode(text: string): string {
	if (text.indexOf(PERCENT) < 0 && text.indexOf(PLUS) < 0) return text; // the usual case: nothing to decode, nothing to allocate
	try {
		return decodeURIComponent(text.replace(/\+/g, " "));
	} catch {
		throw apiError("bad_request_target", "The request path or query is not valid percent-encoding.");
	}
}

/** The non-empty segments of a path. @hot */
function splitPath(path: string): string[] {
	const parts = path.split(SLASH);
	let n = 0;
	for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) parts[n++] = parts[i];
	parts.length = n;
	return parts;
}

/** A path as routes compare it: "/" and its non-empty segments joined by "/". */
function normalPath(path: string): string {
	return SLASH + splitPath(path).join(SLASH);
}

/** Whether a route's path matches a path in normal form and its segments; allocates nothing. @hot */
function matches(route: CompiledRoute, normal: string, actual: string[]): boolean {
	if (route.literal !== undefined) return route.literal === normal;
	const pattern = route.segments!;
	if (pattern.length !== actual.length) return false;
	const names = route.params;
	for (let i = 0; i < pattern.length; i++) if ((names === undefined || names[i] === undefined) && pattern[i] !== actual[i]) return false;
	return true;
}

function paramsOf(names: (string | undefined)[], actual: string[]): Record<string, string> {
	const params: Record<string, string> = {};
	for (let i = 0; i < names.length; i++) {
		const name = names[i];
		if (name !== undefined) params[name] = actual[i];
	}
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
