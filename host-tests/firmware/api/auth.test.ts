/* Specification of who may change things (modules/api/auth) through the firmware's router. */

import { assert } from "../../support/assert";
import { fakePlatform, type FakePlatform } from "../../support/fakes";
import { createFirmware, type Firmware } from "app/firmware";
import { jsonResponse } from "api/errors";
import { header, type Response } from "api/http";
import { base64Encode } from "util/base64";
import { utf8Encode } from "util/utf8";

const HOST = { host: "openhaldex.local" };
const basic = (password: string, user = "admin") => `Basic ${base64Encode(utf8Encode(`${user}:${password}`))}`;

describe("api/auth", () => {
	let platform: FakePlatform;
	let fw: Firmware;
	const events: string[] = [];

	function call(method: string, target: string, headers: Record<string, string> = {}, body?: unknown): Response {
		const h: Record<string, string> = { ...HOST, ...headers };
		if (body !== undefined) h["content-type"] = "application/json";
		return fw.router.handle({ method, target, headers: h }, body === undefined ? undefined : JSON.stringify(body));
	}
	const code = (res: Response) => JSON.parse(res.body as string).error?.code;

	beforeEach(() => {
		platform = fakePlatform();
		events.length = 0;
		fw = createFirmware(platform, { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 8 } });
		fw.router.add({ method: "POST", path: "/api/test/change", auth: true, handle: () => jsonResponse(200, { changed: true }) });
	});

	describe("before a password exists", () => {
		it("refuses a protected action with 403 setup_required", () => {
			const res = call("POST", "/api/test/change");
			assert.equal(res.status, 403);
			assert.equal(code(res), "setup_required");
		});
		it("lets anyone read without a password", () => {
			assert.equal(call("GET", "/api/status").status, 200);
		});
		it("reports the setup window as open for the first 10 minutes after boot", () => {
			const body = JSON.parse(call("GET", "/api/setup").body as string);
			assert.deepEqual(body, { passwordSet: false, setupOpen: true, reason: "first_boot", closesInS: 600 });
		});
		it("accepts a password during the first-boot window and stores only a salted hash", () => {
			assert.equal(call("POST", "/api/setup", {}, { password: "correct horse" }).status, 200);
			const stored = platform.store.get("auth", "admin") as string;
			assert.match(stored, /^pbkdf2-sha256\$8\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
			assert.notInclude(stored, "correct horse");
		});
		it("refuses a password shorter than 8 characters with 422 invalid_password", () => {
			const res = call("POST", "/api/setup", {}, { password: "short" });
			assert.equal(res.status, 422);
			assert.equal(code(res), "invalid_password");
		});
		it("closes the first-boot window after 10 minutes", () => {
			platform.time.advance(10 * 60_000);
			const res = call("POST", "/api/setup", {}, { password: "correct horse" });
			assert.equal(res.status, 403);
			assert.equal(code(res), "setup_closed");
		});
	});

	describe("with a password", () => {
		beforeEach(() => {
			assert.equal(call("POST", "/api/setup", {}, { password: "correct horse" }).status, 200);
		});

		it("refuses a protected action without credentials: 401 auth_required, no WWW-Authenticate", () => {
			const res = call("POST", "/api/test/change");
			assert.equal(res.status, 401);
			assert.equal(code(res), "auth_required");
			assert.isUndefined(header(res, "www-authenticate"));
		});
		it("refuses a wrong password with 401 auth_invalid", () => {
			const res = call("POST", "/api/test/change", { authorization: basic("wrong horse") });
			assert.equal(res.status, 401);
			assert.equal(code(res), "auth_invalid");
		});
		it("runs the action with the right password", () => {
			const res = call("POST", "/api/test/change", { authorization: basic("correct horse") });
			assert.equal(res.status, 200);
			assert.deepEqual(JSON.parse(res.body as string), { changed: true });
		});
		it("checks a password for the web app at /api/auth/check", () => {
			assert.equal(call("POST", "/api/auth/check", { authorization: basic("correct horse") }).status, 200);
			assert.equal(call("POST", "/api/auth/check", { authorization: basic("nope nope") }).status, 401);
		});
		it("does not reopen setup once a password is set", () => {
			const res = call("POST", "/api/setup", {}, { password: "another one" });
			assert.equal(res.status, 403);
			assert.equal(code(res), "setup_closed");
		});
		it("locks sign-in for 30 s after 5 wrong passwords, even for the right one, then lets it through", () => {
			for (let i = 0; i < 4; i++) assert.equal(call("POST", "/api/test/change", { authorization: basic(`bad ${i}xxxxx`) }).status, 401);
			const fifth = call("POST", "/api/test/change", { authorization: basic("bad 5xxxxx") });
			assert.equal(fifth.status, 429);
			assert.equal(code(fifth), "auth_locked");
			assert.equal(header(fifth, "retry-after"), "30");
			const right = call("POST", "/api/test/change", { authorization: basic("correct horse") });
			assert.equal(right.status, 429);
			platform.time.advance(30_000);
			assert.equal(call("POST", "/api/test/change", { authorization: basic("correct horse") }).status, 200);
		});
		it("counts wrong passwords in a row only: the owner's right one in between starts the count again", () => {
			assert.equal(call("POST", "/api/test/change", { authorization: basic("correct horse") }).status, 200); // the owner signs in (cached from now on)
			for (let i = 0; i < 4; i++) assert.equal(call("POST", "/api/test/change", { authorization: basic(`bad ${i}xxxxx`) }).status, 401);
			assert.equal(call("POST", "/api/test/change", { authorization: basic("correct horse") }).status, 200);
			for (let i = 0; i < 4; i++)
				assert.equal(call("POST", "/api/test/change", { authorization: basic(`bad ${i}yyyyy`) }).status, 401, `wrong ${i + 1} after the right one`);
			assert.equal(call("POST", "/api/test/change", { authorization: basic("bad 5yyyyy") }).status, 429, "the fifth in a row locks");
		});
		it("doubles the lockout on a second series of failures", () => {
			for (let i = 0; i < 5; i++) call("POST", "/api/test/change", { authorization: basic("bad password") });
			platform.time.advance(30_000);
			for (let i = 0; i < 4; i++) assert.equal(call("POST", "/api/test/change", { authorization: basic("bad password") }).status, 401);
			const res = call("POST", "/api/test/change", { authorization: basic("bad password") });
			assert.equal(header(res, "retry-after"), "60");
		});
		it("lets the owner set a new password within 2 minutes of a long press, once", () => {
			platform.time.advance(60 * 60_000);
			fw.auth.physicalPresence();
			assert.deepEqual(JSON.parse(call("GET", "/api/setup").body as string).reason, "button");
			assert.equal(call("POST", "/api/setup", {}, { password: "new password" }).status, 200);
			assert.equal(call("POST", "/api/test/change", { authorization: basic("correct horse") }).status, 401);
			assert.equal(call("POST", "/api/test/change", { authorization: basic("new password") }).status, 200);
			assert.equal(call("POST", "/api/setup", {}, { password: "third password" }).status, 403);
		});
		it("closes the long-press window after 2 minutes", () => {
			fw.auth.physicalPresence();
			platform.time.advance(2 * 60_000);
			assert.equal(call("POST", "/api/setup", {}, { password: "new password" }).status, 403);
		});
		it("accepts a remembered header without recomputing PBKDF2 (same answer, cheaper)", () => {
			const auth = basic("correct horse");
			assert.equal(call("POST", "/api/test/change", { authorization: auth }).status, 200);
			assert.equal(call("POST", "/api/test/change", { authorization: auth }).status, 200);
			assert.equal(call("POST", "/api/test/change", { authorization: `${auth.replace("Basic", "Basic ")}x` }).status, 401);
		});
	});
});

describe("api/origin", () => {
	let fw: Firmware;
	beforeEach(() => {
		fw = createFirmware(fakePlatform(), { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 8 } });
	});
	const get = (headers: Record<string, string>, method = "GET", target = "/api/status") => fw.router.handle({ method, target, headers });

	it("answers requests for its own names and addresses, with or without a port", () => {
		for (const host of ["openhaldex.local", "OpenHaldex.local:80", "openhaldex", "192.168.4.1", "192.168.4.1:80"])
			assert.equal(get({ host }).status, 200, host);
	});
	it("refuses another Host with 421 host_not_allowed (DNS rebinding)", () => {
		const res = get({ host: "evil.example" });
		assert.equal(res.status, 421);
		assert.equal(JSON.parse(res.body as string).error.code, "host_not_allowed");
	});
	it("refuses a request without Host", () => {
		assert.equal(get({}).status, 400);
	});
	it("answers a CORS preflight from its own origin without auth, naming the origin, never *", () => {
		const res = get({ host: "192.168.4.1", origin: "http://openhaldex.local", "access-control-request-method": "POST" }, "OPTIONS", "/api/setup");
		assert.equal(res.status, 204);
		assert.equal(header(res, "access-control-allow-origin"), "http://openhaldex.local");
		assert.include(header(res, "access-control-allow-methods")!, "POST");
		assert.include(header(res, "access-control-allow-headers")!, "authorization");
	});
	it("refuses a preflight from a foreign origin", () => {
		const res = get({ host: "openhaldex.local", origin: "http://evil.example" }, "OPTIONS", "/api/setup");
		assert.equal(res.status, 403);
		assert.isUndefined(header(res, "access-control-allow-origin"));
	});
	it("refuses a write from a foreign origin outright", () => {
		const res = fw.router.handle(
			{ method: "POST", target: "/api/setup", headers: { host: "openhaldex.local", origin: "http://evil.example", "content-type": "application/json" } },
			'{"password":"xxxxxxxxxx"}',
		);
		assert.equal(res.status, 403);
		assert.equal(JSON.parse(res.body as string).error.code, "origin_not_allowed");
	});
	it("adds Access-Control-Allow-Origin only for its own origins", () => {
		assert.equal(header(get({ host: "openhaldex.local", origin: "http://192.168.4.1" }), "access-control-allow-origin"), "http://192.168.4.1");
		assert.isUndefined(header(get({ host: "openhaldex.local", origin: "http://evil.example" }), "access-control-allow-origin"));
	});
	it("answers an absolute-form target as the API it names, judging its authority as the Host", () => {
		const own = get({ host: "192.168.4.1" }, "GET", "http://openhaldex.local/api/setup");
		assert.equal(own.status, 200);
		assert.hasAllKeys(JSON.parse(own.body as string), ["passwordSet", "setupOpen", "reason", "closesInS"], "the API, not the web page");
		const foreign = get({ host: "openhaldex.local" }, "GET", "http://evil.example/api/setup");
		assert.equal(foreign.status, 421);
		assert.equal(JSON.parse(foreign.body as string).error.code, "host_not_allowed");
	});
	it("grants CORS only to the device's own origins: its names and addresses on its own port, over http", () => {
		for (const origin of ["http://openhaldex.local", "http://openhaldex.local:80", "http://192.168.4.1", "HTTP://OpenHaldex.local"])
			assert.equal(header(get({ host: "openhaldex.local", origin }), "access-control-allow-origin"), origin, origin);
		for (const origin of [
			"http://127.0.0.1:9999",
			"http://localhost:3000",
			"http://openhaldex.local:8080",
			"https://openhaldex.local",
			"http://192.168.4.1:81",
			"http://openhaldex.local:",
			"http://user@openhaldex.local",
			"http://openhaldex.local/",
			"null",
		]) {
			assert.isUndefined(header(get({ host: "openhaldex.local", origin }), "access-control-allow-origin"), origin);
			const write = fw.router.handle(
				{ method: "POST", target: "/api/setup", headers: { host: "openhaldex.local", origin, "content-type": "application/json" } },
				'{"password":"xxxxxxxxxx"}',
			);
			assert.equal(write.status, 403, `a write from ${origin}`);
		}
	});
});

describe("api/origin captive portal", () => {
	it("redirects a page request for a foreign name to the board's own address, but never an API call", () => {
		const fw = createFirmware(fakePlatform(), { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 8 } });
		const probe = fw.router.handle({ method: "GET", target: "/generate_204", headers: { host: "connectivitycheck.gstatic.com" } });
		assert.equal(probe.status, 302);
		assert.equal(header(probe, "location"), "http://192.168.4.1/");
		const api = fw.router.handle({ method: "GET", target: "/api/status", headers: { host: "connectivitycheck.gstatic.com" } });
		assert.equal(api.status, 421);
		const post = fw.router.handle({ method: "POST", target: "/anything", headers: { host: "evil.example" } });
		assert.equal(post.status, 421);
	});
});
