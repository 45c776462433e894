/*
 * Specification of the update client's settings and checks
 * (modules/update/client, client-routes) over a scripted HTTP client and
 * ManualTime. Runs on Node and inside XS.
 */

import { assert } from "../../support/assert";
import { MODULE, SERVER, release, updateHarness, type UpdateHarness } from "../../support/update-harness";
import { UPDATE_SERVER_DOMAIN } from "update/server-settings";

const DATE = "Tue, 03 Jun 2025 10:20:30 GMT";

function configured(version = "1.2.3+ohxs", options = {}): UpdateHarness {
	const h = updateHarness(version, options);
	assert.equal(h.post("/api/update/server", { url: `${SERVER}/`, token: "s3cret-token" }).status, 200);
	return h;
}

describe("update/client", () => {
	describe("server settings", () => {
		it("starts unconfigured with the default module and no token", () => {
			const h = updateHarness();
			assert.deepEqual(h.get("/api/update/server").json, { url: "", module: MODULE, tokenSet: false, configured: false });
		});
		it("stores url, module and token, and never returns the token", () => {
			const h = updateHarness();
			const res = h.post("/api/update/server", { url: "https://ota.example.com/", module: "ohx-c6", token: "abc.DEF-123" });
			assert.equal(res.status, 200);
			const view = { url: "https://ota.example.com", module: "ohx-c6", tokenSet: true, configured: true };
			assert.deepEqual(res.json, view);
			assert.deepEqual(h.get("/api/update/server").json, view);
			assert.notInclude(JSON.stringify(h.get("/api/update/remote").json), "abc.DEF-123");
			assert.equal(h.p.store.get(UPDATE_SERVER_DOMAIN, "token"), "abc.DEF-123");
		});
		it("clears the token with an empty string or null", () => {
			const h = configured();
			assert.isFalse(h.post("/api/update/server", { token: null }).json.tokenSet);
			h.post("/api/update/server", { token: "x" });
			assert.isFalse(h.post("/api/update/server", { token: "" }).json.tokenSet);
			assert.isUndefined(h.p.store.get(UPDATE_SERVER_DOMAIN, "token"));
		});
		it("refuses bad values with exact codes and stores nothing of the request", () => {
			const h = updateHarness();
			const cases: [unknown, string][] = [
				[{ url: "ftp://x" }, "invalid_url"],
				[{ url: "http://x/?a=1" }, "invalid_url"],
				[{ url: "http://a b" }, "invalid_url"],
				[{ url: `http://x/${"a".repeat(200)}` }, "invalid_url"],
				[{ url: 7 }, "invalid_url"],
				[{ module: "" }, "invalid_module"],
				[{ module: "a/b" }, "invalid_module"],
				[{ token: "has space" }, "invalid_token"],
				[{ token: "line\r\nx-evil: 1" }, "invalid_token"],
				[{ token: "a".repeat(513) }, "invalid_token"],
				[{ url: "http://ok.test", token: 5 }, "invalid_token"],
				[{ password: "x" }, "invalid_setting"],
				[[1], "body_not_object"],
				[null, "body_not_object"],
				["text", "body_not_object"],
			];
			for (const [body, code] of cases) {
				const res = h.post("/api/update/server", body);
				assert.equal(res.status, code === "body_not_object" ? 400 : 422, JSON.stringify(body));
				if (code !== "body_not_object") assert.isString(res.json.error.field, JSON.stringify(body));
				assert.equal(res.json.error.code, code, JSON.stringify(body));
			}
			assert.deepEqual(h.p.store.keys(UPDATE_SERVER_DOMAIN), []);
		});
	});

	describe("checking", () => {
		it("refuses a check with 409 while no server is set", () => {
			const h = updateHarness();
			const res = h.post("/api/update/check");
			assert.equal(res.status, 409);
			assert.equal(res.json.error.code, "update_server_not_configured");
		});
		it("asks for the module's active files with the token, answers 202 at once, and shows the update when the list arrives", () => {
			const h = configured();
			h.p.time.advance(5000);
			const res = h.post("/api/update/check");
			assert.equal(res.status, 202);
			assert.isTrue(res.json.checking);
			const req = h.http.last;
			assert.equal(req.url, `${SERVER}/api/v2/ota-files?module=${MODULE}&isActive=1`);
			assert.equal(req.headers["x-access-token"], "s3cret-token");
			req.json(200, [release("1.2.4", "a").entry, release("1.3.0", "b").entry, release("1.0.0", "c").entry]);
			const status = h.get("/api/update").json;
			assert.include(status, { latest: "1.3.0", available: true, lastCheckMs: 5000, checkError: "" });
			assert.deepEqual(h.client.offer, {
				id: "b",
				version: "1.3.0",
				size: release("1.3.0", "b").image.length,
				sha256: release("1.3.0", "b").entry.sha256 as string,
				downgrade: false,
			});
		});
		it("reports no update when the server's newest is the running version", () => {
			const h = configured("1.3.0+ohxs");
			h.post("/api/update/check");
			h.http.last.json(200, [release("1.3.0", "b").entry]);
			assert.include(h.client.summary(), { latest: "1.3.0", available: false, checkError: "", checkErrorCode: "", checking: false });
		});
		it("ignores an older version unless the check asks for a downgrade", () => {
			const h = configured("2.0.0+ohxs");
			h.post("/api/update/check");
			h.http.last.json(200, [release("1.3.0", "b").entry]);
			assert.isFalse(h.client.summary().available);
			h.post("/api/update/check?allowDowngrade=1");
			h.http.last.json(200, [release("1.3.0", "b").entry]);
			assert.isTrue(h.client.summary().available);
			assert.isTrue(h.client.offer?.downgrade);
		});
		it("reuses a running check instead of starting a second", () => {
			const h = configured();
			h.post("/api/update/check");
			assert.equal(h.post("/api/update/check").status, 202);
			assert.lengthOf(h.http.requests, 1);
		});
		it("sets the clock from the server's Date header when it is not synced", () => {
			const h = configured();
			h.post("/api/update/check");
			h.http.last.json(200, [], { date: DATE });
			assert.equal(h.p.clock.source(), "server");
			assert.equal(h.p.clock.wallMs(), Date.UTC(2025, 5, 3, 10, 20, 30));
		});
		it("leaves a synced clock alone", () => {
			const h = configured();
			h.p.clock.setWallMs(Date.UTC(2026, 0, 1), "sntp");
			h.post("/api/update/check");
			h.http.last.json(200, [], { date: DATE });
			assert.equal(h.p.clock.source(), "sntp");
			assert.equal(h.p.clock.wallMs(), Date.UTC(2026, 0, 1));
		});

		const failures: [string, (h: UpdateHarness) => void, string][] = [
			["401", (h) => h.http.last.json(401, { error: "no token" }), "bad_token"],
			["403", (h) => h.http.last.json(403, { error: "bad token" }), "bad_token"],
			["500", (h) => h.http.last.json(500, "oops"), "server_error"],
			["404", (h) => h.http.last.json(404, "nope"), "server_error"],
			["HTML instead of JSON", (h) => h.http.last.respond(200, {}).data("<html>").end(), "malformed_list"],
			["a JSON object", (h) => h.http.last.json(200, { items: [] }), "malformed_list"],
			[
				"a list over the size limit",
				(h) =>
					h.http.last
						.respond(200, {})
						.data(`[${" ".repeat(17000)}]`)
						.end(),
				"malformed_list",
			],
			["a refused connection", (h) => h.http.last.fail("unreachable", "ECONNREFUSED"), "unreachable"],
			["a bad certificate", (h) => h.http.last.fail("tls", "certificate has expired"), "tls_failed"],
			["no answer for 20 s", (h) => h.p.time.advance(20_000), "timeout"],
		];
		for (const [what, act, code] of failures) {
			it(`reports ${code} for ${what}, with a sentence in checkError`, () => {
				const h = configured();
				h.post("/api/update/check");
				act(h);
				const s = h.client.summary();
				assert.equal(s.checkErrorCode, code);
				assert.isAbove(s.checkError.length, 20);
				assert.include(s, { available: false, latest: "", checking: false });
				assert.equal(h.get("/api/update").json.checkError, s.checkError);
			});
		}
		it("closes the connection of a check that timed out", () => {
			const h = configured();
			h.post("/api/update/check");
			h.p.time.advance(20_000);
			assert.isTrue(h.http.last.aborted);
		});
		it("reports offline without asking the network when the board is not joined", () => {
			const h = configured();
			h.inputs.online = false;
			const res = h.post("/api/update/check");
			assert.equal(res.status, 200);
			assert.equal(res.json.checkErrorCode, "offline");
			assert.lengthOf(h.http.requests, 0);
		});
		it("forgets the last result when the server settings change", () => {
			const h = configured();
			h.post("/api/update/check");
			h.http.last.json(200, [release("1.3.0", "b").entry]);
			h.post("/api/update/server", { token: "another" });
			assert.include(h.client.summary(), { available: false, latest: "", lastCheckMs: 0 });
		});
	});

	describe("the daily check", () => {
		const DAY = 24 * 3600_000;
		it("checks a minute after start, then once a day", () => {
			const h = configured();
			h.p.time.advance(59_000);
			assert.lengthOf(h.http.requests, 0);
			h.p.time.advance(1_000);
			assert.lengthOf(h.http.requests, 1);
			h.http.last.json(200, []);
			h.p.time.advance(DAY - 1000);
			assert.lengthOf(h.http.requests, 1);
			h.p.time.advance(10 * 60_000);
			assert.lengthOf(h.http.requests, 2);
		});
		it("waits while the board is offline or the car drives, and checks when both clear", () => {
			const h = configured();
			h.inputs.online = false;
			h.p.time.advance(2 * 3600_000);
			h.inputs.online = true;
			h.inputs.driving = true;
			h.p.time.advance(2 * 3600_000);
			assert.lengthOf(h.http.requests, 0);
			h.inputs.driving = false;
			h.p.time.advance(10 * 60_000);
			assert.lengthOf(h.http.requests, 1);
		});
		it("does not count an owner's check made while offline", () => {
			const h = configured();
			h.inputs.online = false;
			h.post("/api/update/check");
			h.inputs.online = true;
			h.p.time.advance(60_000);
			assert.lengthOf(h.http.requests, 1);
		});
		it("does nothing without a server", () => {
			const h = updateHarness();
			h.p.time.advance(2 * DAY);
			assert.lengthOf(h.http.requests, 0);
		});
		it("counts an owner's check as the day's check", () => {
			const h = configured();
			h.p.time.advance(30_000);
			h.post("/api/update/check");
			h.http.last.json(200, []);
			h.p.time.advance(DAY - 60_000);
			assert.lengthOf(h.http.requests, 1);
		});
		it("stops with the client", () => {
			const h = configured();
			h.client.stop();
			h.p.time.advance(2 * DAY);
			assert.lengthOf(h.http.requests, 0);
		});
	});
});
