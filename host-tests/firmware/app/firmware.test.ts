/* The firmware application over fake ports: what GET /api/status reports. */

import { assert } from "../../support/assert";
import { fakePlatform } from "../../support/fakes";
import { createFirmware } from "app/firmware";
import { statusBody } from "app/status";
import { makeAbortHook } from "app/abort-hook";
import { bodyText } from "../../support/body";
import { FakeHttpClient } from "../../support/fake-http-client";

describe("app/firmware", () => {
	it("answers GET /api/status with the running version, board and uptime", () => {
		const platform = fakePlatform("2.0.1+ohxs");
		const fw = createFirmware(platform, { hostName: "openhaldex", httpPort: 80 });
		platform.time.advance(12_345);
		const res = fw.router.handle({ method: "GET", target: "/api/status", headers: { host: "openhaldex.local" } });
		assert.equal(res.status, 200);
		const body = JSON.parse(bodyText(res));
		assert.equal(body.version, "2.0.1+ohxs");
		assert.equal(body.board, "test-board");
		assert.equal(body.uptimeMs, 12_345);
		assert.equal(body.uptime, 12);
		assert.deepEqual(body.time, { synced: false, source: "none", epochMs: 0 });
	});

	it("refills one status object poll after poll, and each answer is what a fresh build of it says", () => {
		const platform = fakePlatform("2.0.1+ohxs");
		const fw = createFirmware(platform, { hostName: "openhaldex", httpPort: 80 });
		const sources = { platform, haldex: fw.haldex, device: fw.device, update: fw.update, boot: fw.boot };
		const poll = () => JSON.parse(bodyText(fw.router.handle({ method: "GET", target: "/api/status", headers: { host: "openhaldex.local" } })));
		const fresh = () => JSON.parse(JSON.stringify(statusBody(sources)));
		const seen: string[] = [];
		for (const step of [
			() => {},
			() => fw.haldex.settings.setMode("5050"),
			() => platform.time.advance(2_500),
			() => fw.haldex.controller.holdStock("a test hold"),
			() => platform.clock.setWallMs(1_700_000_000_000, "browser"),
			() => fw.haldex.settings.setMode("STOCK"),
		]) {
			step();
			const answer = poll();
			assert.deepEqual(answer, fresh());
			seen.push(answer.mode);
		}
		assert.deepEqual(seen, ["STOCK", "5050", "5050", "5050", "5050", "STOCK"]);
		fw.stop();
	});

	it("reports wall time once a source has set it", () => {
		const platform = fakePlatform();
		const fw = createFirmware(platform, { hostName: "openhaldex", httpPort: 80 });
		platform.clock.setWallMs(1_700_000_000_000, "browser");
		const body = JSON.parse(bodyText(fw.router.handle({ method: "GET", target: "/api/status", headers: { host: "openhaldex.local" } })));
		assert.deepEqual(body.time, { synced: true, source: "browser", epochMs: 1_700_000_000_000 });
	});
});

describe("app/abort-hook", () => {
	it("logs an unhandled exception and tells XS not to abort", () => {
		const lines: string[] = [];
		const hook = makeAbortHook((l) => lines.push(l));
		assert.isFalse(hook("unhandled exception", new TypeError("x is undefined")));
		assert.match(lines[0], /TypeError: x is undefined/);
	});
	it("lets a rejected promise nobody handled pass the same way", () => {
		assert.isFalse(makeAbortHook(() => {})("unhandled rejection", "no"));
	});
	it("still aborts on memory exhaustion", () => {
		const lines: string[] = [];
		assert.isTrue(makeAbortHook((l) => lines.push(l))("memory full", undefined));
		assert.match(lines[0], /memory full/);
	});
});

describe("app/firmware routes", () => {
	it("needs the admin password for every request that changes something, except setting the first password", () => {
		// With an HTTP client, so the update server's routes are there too.
		const fw = createFirmware({ ...fakePlatform(), http: new FakeHttpClient() }, { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 4 } });
		assert.isTrue(fw.router.routes().some((r) => r.path === "/api/update/check"));
		const open = fw.router
			.routes()
			.filter((r) => r.method !== "GET" && !r.auth)
			.map((r) => `${r.method} ${r.path}`);
		assert.deepEqual(open, ["POST /api/setup"]);
		fw.stop();
	});
	it("answers every GET without a password", () => {
		const fw = createFirmware(fakePlatform(), { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 4 } });
		const locked = fw.router
			.routes()
			.filter((r) => r.method === "GET" && r.auth)
			.map((r) => r.path);
		assert.deepEqual(locked, []);
		fw.stop();
	});
});
