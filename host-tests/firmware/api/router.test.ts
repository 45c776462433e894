/* Specification of the router core (modules/api/router). Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { Router, parseRequest, type BodySink } from "api/router";
import { HttpError, jsonResponse } from "api/errors";
import { header, reasonPhrase, type Response } from "api/http";
import { utf8Decode, utf8Encode } from "util/utf8";

function bodyJson(res: Response): any {
	assert.equal(header(res, "content-type"), "application/json");
	return JSON.parse(res.body as string);
}

function get(router: Router, target: string, headers: Record<string, string> = {}) {
	return router.handle({ method: "GET", target, headers });
}

describe("api/router", () => {
	let router: Router;
	beforeEach(() => {
		router = new Router()
			.add({ method: "GET", path: "/api/status", handle: () => jsonResponse(200, { ok: true }) })
			.add({ method: "GET", path: "/api/items/{id}", handle: (req) => jsonResponse(200, { id: req.params.id, q: req.query }) })
			.add({ method: "POST", path: "/api/echo", body: "json", handle: (_req, body) => jsonResponse(200, { got: body }) })
			.add({
				method: "POST",
				path: "/api/fail",
				handle: () => {
					throw new HttpError(409, "busy", "Another transfer is running.");
				},
			})
			.add({
				method: "POST",
				path: "/api/crash",
				handle: () => {
					throw new Error("boom");
				},
			});
	});

	it("matches a path in any of its spellings: empty segments and a trailing slash do not count", () => {
		router.add({ method: "GET", path: "/", handle: () => jsonResponse(200, { root: true }) });
		for (const target of ["/api/status", "/api/status/", "//api//status", "/api/status?x=1"]) assert.equal(get(router, target).status, 200, target);
		for (const target of ["/api/items/7", "/api/items/7/", "//api/items//7"]) assert.deepEqual(bodyJson(get(router, target)).id, "7", target);
		for (const target of ["/", "//", "/?x=1"]) assert.deepEqual(bodyJson(get(router, target)), { root: true }, target);
		for (const target of ["/api", "/api/statusx", "/api/status/x", "/apistatus"]) assert.equal(get(router, target).status, 404, target);
		assert.deepEqual(router.methodsFor("/api//status/"), ["GET"]);
	});

	it("refuses a route that an earlier route with parameters would always take", () => {
		assert.throws(() => router.add({ method: "GET", path: "/api/items/new", handle: () => jsonResponse(200, {}) }), /unreachable behind \/api\/items\/\{id\}/);
		// Another method, or a route added before the one with parameters, is reachable.
		router.add({ method: "POST", path: "/api/items/new", handle: () => jsonResponse(201, {}) });
		const first = new Router()
			.add({ method: "GET", path: "/api/items/new", handle: () => jsonResponse(200, { literal: true }) })
			.add({ method: "GET", path: "/api/items/{id}", handle: (req) => jsonResponse(200, { id: req.params.id }) });
		assert.deepEqual(bodyJson(get(first, "/api/items/new")), { literal: true });
		assert.deepEqual(bodyJson(get(first, "/api/items/new/")), { literal: true }, "in any spelling");
		assert.deepEqual(bodyJson(get(first, "/api/items/7")), { id: "7" });
	});

	it("answers a matching route with its handler's response", () => {
		const res = get(router, "/api/status");
		assert.equal(res.status, 200);
		assert.deepEqual(bodyJson(res), { ok: true });
	});

	it("fills path parameters and decodes the query string", () => {
		const res = get(router, "/api/items/42?name=a%20b&flag&x=1+2");
		assert.deepEqual(bodyJson(res), { id: "42", q: { name: "a b", flag: "", x: "1 2" } });
	});

	it("answers 404 with the error format for an unknown path", () => {
		const res = get(router, "/nope");
		assert.equal(res.status, 404);
		assert.equal(bodyJson(res).error.code, "not_found");
	});

	it("answers 405 naming the allowed methods when only the method is wrong", () => {
		const res = router.handle({ method: "DELETE", target: "/api/status", headers: {} });
		assert.equal(res.status, 405);
		assert.match(bodyJson(res).error.message, /GET/);
	});

	it("turns an HttpError into its status and code", () => {
		const res = router.handle({ method: "POST", target: "/api/fail", headers: {} });
		assert.equal(res.status, 409);
		assert.deepEqual(bodyJson(res), { error: { code: "busy", message: "Another transfer is running." } });
	});

	it("turns an unexpected exception into a 500, never a 200", () => {
		const res = router.handle({ method: "POST", target: "/api/crash", headers: {} });
		assert.equal(res.status, 500);
		assert.equal(bodyJson(res).error.code, "internal");
	});

	it("takes an absolute-form target as its path, with the authority standing for Host", () => {
		const r = parseRequest({ method: "GET", target: "http://openhaldex.local/api/status?x=1", headers: { host: "elsewhere" } });
		assert.equal(r.path, "/api/status");
		assert.deepEqual(r.query, { x: "1" });
		assert.equal(r.headers.host, "openhaldex.local");
		assert.equal(parseRequest({ method: "GET", target: "http://192.168.4.1", headers: {} }).path, "/");
		assert.equal(parseRequest({ method: "GET", target: "HTTP://openhaldex.local/a", headers: {} }).path, "/a", "schemes are case-insensitive");
		for (const bad of ["http:///api/status", "http://user@openhaldex.local/api/status"])
			assert.throws(() => parseRequest({ method: "GET", target: bad, headers: {} }), /no host|names a user/, bad);
	});

	it("parses a JSON body", () => {
		const res = router.handle({ method: "POST", target: "/api/echo", headers: { "content-type": "application/json; charset=utf-8" } }, '{"a":[1,"é"]}');
		assert.deepEqual(bodyJson(res), { got: { a: [1, "é"] } });
	});

	it("refuses malformed JSON with 400 bad_json", () => {
		const res = router.handle({ method: "POST", target: "/api/echo", headers: { "content-type": "application/json" } }, "{nope");
		assert.equal(res.status, 400);
		assert.equal(bodyJson(res).error.code, "bad_json");
	});

	it("refuses a JSON body that is not an object with 400 body_not_object, before any handler runs", () => {
		for (const text of ["null", "[]", "[1,2]", "3", '"text"', "true"]) {
			const res = router.handle({ method: "POST", target: "/api/echo", headers: { "content-type": "application/json" } }, text);
			assert.equal(res.status, 400, text);
			assert.equal(bodyJson(res).error.code, "body_not_object", text);
		}
		assert.deepEqual(bodyJson(router.handle({ method: "POST", target: "/api/echo", headers: { "content-type": "application/json" } }, "{}")), { got: {} });
	});

	it("refuses a wrong content type with 415", () => {
		const res = router.handle({ method: "POST", target: "/api/echo", headers: { "content-type": "text/plain" } }, "{}");
		assert.equal(res.status, 415);
		assert.equal(bodyJson(res).error.code, "unsupported_media_type");
	});

	it("refuses a JSON body over the limit from its content-length, before reading it", () => {
		const ex = router.open({ method: "POST", target: "/api/echo", headers: { "content-type": "application/json" } }, 9000);
		assert.isFalse(ex.wantsBody);
		assert.equal(ex.finish().status, 413);
	});

	it("refuses a JSON body that grows over the limit without a truthful length", () => {
		const ex = router.open({ method: "POST", target: "/api/echo", headers: { "content-type": "application/json" } }, 10);
		ex.write(new Uint8Array(5000));
		ex.write(new Uint8Array(5000));
		assert.equal(ex.finish().status, 413);
	});

	it("refuses a body on a route that takes none", () => {
		const ex = router.open({ method: "GET", target: "/api/status", headers: {} }, 5);
		assert.isFalse(ex.wantsBody);
		assert.equal(ex.finish().status, 413);
	});

	it("answers 400 for a path that is not valid percent-encoding", () => {
		assert.equal(get(router, "/api/items/%E0%A4%A").status, 400);
	});

	describe("streamed bodies", () => {
		function streamRouter(log: string[], fail?: number) {
			return new Router().add({
				method: "POST",
				path: "/up",
				body: "stream",
				contentTypes: ["application/octet-stream"],
				maxBody: 100,
				stream: (): BodySink => {
					let n = 0;
					return {
						write(chunk) {
							n += chunk.length;
							log.push(`write ${chunk.length}`);
							if (fail !== undefined && n > fail) throw new HttpError(422, "bad_image", "Not an image.");
						},
						end: () => {
							log.push("end");
							return jsonResponse(200, { bytes: n });
						},
						abort: (why) => {
							log.push(`abort ${why}`);
						},
					};
				},
			});
		}
		const octet = { "content-type": "application/octet-stream" };

		it("passes each chunk to the sink as it arrives and answers at the end", () => {
			const log: string[] = [];
			const ex = streamRouter(log).open({ method: "POST", target: "/up", headers: octet }, 6);
			assert.isTrue(ex.wantsBody);
			ex.write(new Uint8Array(2));
			ex.write(new Uint8Array(4));
			assert.deepEqual(log, ["write 2", "write 4"]);
			assert.deepEqual(JSON.parse(ex.finish().body as string), { bytes: 6 });
			assert.deepEqual(log, ["write 2", "write 4", "end"]);
		});

		it("stops feeding a sink that threw, aborts it once, and answers its error", () => {
			const log: string[] = [];
			const ex = streamRouter(log, 3).open({ method: "POST", target: "/up", headers: octet }, 9);
			ex.write(new Uint8Array(3));
			ex.write(new Uint8Array(3));
			ex.write(new Uint8Array(3));
			const res = ex.finish();
			assert.equal(res.status, 422);
			assert.deepEqual(log, ["write 3", "write 3", "abort handler failed"]);
		});

		it("aborts the sink when the client goes away, and only once", () => {
			const log: string[] = [];
			const ex = streamRouter(log).open({ method: "POST", target: "/up", headers: octet }, 50);
			ex.write(new Uint8Array(1));
			ex.abort("client disconnected");
			ex.abort("client disconnected");
			assert.deepEqual(log, ["write 1", "abort client disconnected"]);
		});

		it("refuses an upload over maxBody from its content-length with 413", () => {
			const log: string[] = [];
			const ex = streamRouter(log).open({ method: "POST", target: "/up", headers: octet }, 101);
			assert.isFalse(ex.wantsBody);
			assert.equal(ex.finish().status, 413);
			assert.deepEqual(log, []);
		});

		it("refuses a streamed upload of the wrong type with 415", () => {
			const ex = streamRouter([]).open({ method: "POST", target: "/up", headers: { "content-type": "multipart/form-data; boundary=x" } }, 5);
			assert.equal(ex.finish().status, 415);
		});
	});

	describe("guards and decorators", () => {
		it("lets a guard answer before the route runs, with the route in hand", () => {
			let ran = false;
			const r = new Router()
				.add({
					method: "POST",
					path: "/x",
					auth: true,
					handle: () => {
						ran = true;
						return jsonResponse(200, {});
					},
				})
				.guard((_req, route) => (route?.auth ? jsonResponse(401, { error: { code: "auth_required", message: "" } }) : undefined));
			assert.equal(r.handle({ method: "POST", target: "/x", headers: {} }).status, 401);
			assert.isFalse(ran);
		});

		it("decorates every response, errors included", () => {
			const r = new Router()
				.add({ method: "GET", path: "/x", handle: () => jsonResponse(200, {}) })
				.decorate((_req, res) => ({ ...res, headers: [...(res.headers ?? []), ["x-test", "1"]] }));
			assert.equal(header(r.handle({ method: "GET", target: "/x", headers: {} }), "x-test"), "1");
			assert.equal(header(r.handle({ method: "GET", target: "/missing", headers: {} }), "x-test"), "1");
		});
	});

	it("refuses a route whose handler does not match its body kind", () => {
		assert.throws(() => new Router().add({ method: "POST", path: "/s", body: "stream", handle: () => jsonResponse(200, {}) }), TypeError);
	});

	it("has a reason phrase for the statuses Moddable's server lacks", () => {
		assert.equal(reasonPhrase(422), "Unprocessable Content");
		assert.equal(reasonPhrase(429), "Too Many Requests");
		assert.equal(reasonPhrase(409), "Conflict");
	});
});

describe("util/utf8", () => {
	it("round-trips ASCII, accents, CJK and astral characters", () => {
		const text = "Haldex 50:50 — é 中 😀";
		assert.equal(utf8Decode(utf8Encode(text)), text);
		assert.equal(utf8Encode("é").length, 2);
		assert.equal(utf8Encode("😀").length, 4);
	});
});
