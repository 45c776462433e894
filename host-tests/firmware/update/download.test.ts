/*
 * Specification of resumable downloads into the OTA pipeline
 * (modules/update/download, through UpdateClient and UpdateService) over a
 * scripted HTTP client, the in-memory flash and ManualTime. Runs on Node
 * and inside XS.
 */

import { assert } from "../../support/assert";
import { SERVER, release, updateHarness, type UpdateHarness } from "../../support/update-harness";
import { serveFile, type FakeFileOptions } from "../../support/fake-http-client";
import { parseContentRange, parseHttpDate } from "update/download";
import { runningImage } from "ota/slot-info";

const NEW = release("1.3.0", "42");

/** Configured, checked, with the 1.3.0 offer in hand and the file served by `serve` options. */
function offered(file: FakeFileOptions = {}, entry: Record<string, unknown> = NEW.entry, image = NEW.image): UpdateHarness {
	const h = updateHarness("1.2.3+ohxs");
	h.post("/api/update/server", { url: SERVER, token: "tok" });
	h.post("/api/update/check");
	h.http.last.json(200, [entry]);
	assert.isTrue(h.client.summary().available);
	h.http.serve = serveFile(image, file);
	return h;
}

/** Serve, advance time, serve again... until nothing is open or waiting (bounded). */
function settle(h: UpdateHarness, stepMs = 500, maxSteps = 400): void {
	for (let i = 0; i < maxSteps; i++) {
		h.http.flush();
		const d = h.client.downloadStatus();
		if (!d || d.state === "done" || d.state === "failed") return;
		h.p.time.advance(stepMs);
	}
	throw new Error("the download did not settle");
}

function install(h: UpdateHarness) {
	return h.post("/api/update/install");
}

describe("update/download", () => {
	it("downloads the offered update with the token, checks it, installs it and restarts", () => {
		const h = offered();
		const res = install(h);
		assert.equal(res.status, 200);
		assert.equal(h.get("/api/update").json.stage, "downloading");
		settle(h);
		assert.equal(h.http.requests[1].url, `${SERVER}/api/v2/ota-files/42/file`);
		assert.equal(h.http.requests[1].headers["x-access-token"], "tok");
		assert.isUndefined(h.http.requests[1].headers.range);
		assert.deepEqual(h.p.restart.reasons, ["installing 1.3.0+ohxs"]);
		h.p.board.boot();
		assert.equal(runningImage(h.p.board.port).version, "1.3.0+ohxs");
		assert.isFalse(h.client.summary().available, "the offer is used up");
	});

	it("resumes with Range from the last byte fed after each cut and ends with the right SHA-256", () => {
		const cuts = [1, 5000, 5001, 17_000, 40_000];
		const h = offered({ cutAt: cuts, chunk: 700 });
		install(h);
		settle(h);
		const ranges = h.http.requests.slice(1).map((r) => r.headers.range ?? "");
		assert.deepEqual(ranges, ["", ...cuts.map((c) => `bytes=${c}-`)]);
		const d = h.client.downloadStatus()!;
		assert.include(d, { state: "done", received: NEW.image.length, resumes: 5, restarts: 0 });
		assert.equal(h.service.images()[0].checksum, NEW.entry.sha256);
		assert.lengthOf(h.p.restart.reasons, 1);
	});

	it("waits 1 s, 2 s, 4 s... between failed attempts in a row and resets after progress", () => {
		const h = offered();
		h.http.serve = undefined;
		install(h);
		h.http.last.fail("unreachable", "ECONNREFUSED");
		const waits: number[] = [];
		for (let n = 0; n < 3; n++) {
			const before = h.http.requests.length;
			let waited = 0;
			while (h.http.requests.length === before) {
				h.p.time.advance(100);
				waited += 100;
			}
			waits.push(waited);
			h.http.last.fail("unreachable", "ECONNREFUSED");
		}
		assert.deepEqual(waits, [1000, 2000, 4000]);
		let _waited = 0;
		const before = h.http.requests.length;
		while (h.http.requests.length === before) {
			h.p.time.advance(100);
			_waited += 100;
		}
		h.http.last
			.respond(200, { "content-length": String(NEW.image.length), "accept-ranges": "bytes" })
			.data(NEW.image.subarray(0, 1000))
			.fail("cut");
		const at = h.http.requests.length;
		h.p.time.advance(1000);
		assert.equal(h.http.requests.length, at + 1, "after progress the wait is 1 s again");
		assert.equal(h.http.last.headers.range, "bytes=1000-");
	});

	it("gives up after 5 failed attempts in a row and frees the slot", () => {
		const h = offered();
		h.http.serve = (req) => req.fail("unreachable", "ECONNREFUSED");
		install(h);
		settle(h);
		const d = h.client.downloadStatus()!;
		assert.equal(d.state, "failed");
		assert.equal(d.error?.code, "download_failed");
		assert.equal(d.attempts, 6);
		const image = h.service.images()[0];
		assert.equal(image.state, "UPLOAD_ERROR");
		assert.match(image.state_description, /stopped after 6 attempts/);
		assert.lengthOf(h.p.restart.reasons, 0);
		// The slot is free: an upload can start now.
		assert.doesNotThrow(() => h.service.beginTransfer("upload", {}).abort("test"));
	});

	it("starts again from zero with a fresh transfer when the server ignores Range", () => {
		const h = offered({ noRange: false, cutAt: [9000] });
		// The first answer advertises ranges; after the cut the server "forgets" them.
		const serve = serveFile(NEW.image, { cutAt: [9000] });
		const plain = serveFile(NEW.image, { noRange: true });
		let n = 0;
		h.http.serve = (req) => (n++ === 0 ? serve(req) : plain(req));
		install(h);
		settle(h);
		assert.equal(h.http.requests[2].headers.range, "bytes=9000-");
		const d = h.client.downloadStatus()!;
		assert.include(d, { state: "done", restarts: 1, received: NEW.image.length });
		assert.equal(h.service.images()[0].checksum, NEW.entry.sha256);
		assert.lengthOf(h.p.restart.reasons, 1);
	});

	it("does not ask for a range from a server without Accept-Ranges: it restarts from zero", () => {
		const h = offered({ noRange: true, cutAt: [12_000] });
		install(h);
		settle(h);
		assert.isUndefined(h.http.requests[2].headers.range);
		assert.include(h.client.downloadStatus()!, { state: "done", restarts: 1 });
		assert.lengthOf(h.p.restart.reasons, 1);
	});

	it("ends with a clear error and a freed slot on a 404 mid-way", () => {
		const h = offered({ cutAt: [8000], statusFor: (i) => (i === 1 ? 404 : undefined) });
		install(h);
		settle(h);
		const d = h.client.downloadStatus()!;
		assert.equal(d.error?.code, "file_not_found");
		assert.match(d.error!.message, /404/);
		const image = h.service.images()[0];
		assert.equal(image.state, "UPLOAD_ERROR");
		assert.match(image.state_description, /404/);
		assert.lengthOf(h.p.restart.reasons, 0);
		assert.doesNotThrow(() => h.service.beginTransfer("upload", {}).abort("test"));
	});

	it("counts a server that stalls as a cut and resumes after the stall timeout", () => {
		const h = offered({ stallAt: 20_000 });
		install(h);
		settle(h);
		assert.equal(h.http.requests[1].aborted, true, "the stalled connection was closed");
		assert.equal(h.http.requests[2].headers.range, "bytes=20000-");
		assert.include(h.client.downloadStatus()!, { state: "done", resumes: 1 });
		assert.lengthOf(h.p.restart.reasons, 1);
	});

	it("retries 503 with backoff and refuses 401 at once", () => {
		const h = offered({ statusFor: (i) => (i === 0 ? 503 : i === 1 ? 401 : undefined) });
		install(h);
		settle(h);
		assert.equal(h.client.downloadStatus()!.error?.code, "bad_token");
		assert.lengthOf(h.http.requests, 3);
	});

	it("rejects a file whose SHA-256 differs from the server's metadata", () => {
		const other = release("1.3.0", "42", { seed: 99 });
		const h = offered({}, NEW.entry, other.image);
		install(h);
		settle(h);
		const image = h.service.images()[0];
		assert.equal(image.state, "INVALID");
		assert.equal(h.client.downloadStatus()!.error?.code, "image_sha256_mismatch");
		assert.lengthOf(h.p.restart.reasons, 0);
	});

	it("refuses a server file larger than the metadata says", () => {
		const h = offered({}, { ...NEW.entry, size: NEW.image.length - 16 });
		install(h);
		settle(h);
		assert.equal(h.client.downloadStatus()!.error?.code, "size_mismatch");
		assert.equal(h.service.images()[0].state, "UPLOAD_ERROR");
	});

	it("fetches a URL into a VALID image with no restart, sending the token only to the configured server", () => {
		const h = offered();
		const res = h.post("/api/update/images/fetch", { url: `${SERVER}/api/v2/ota-files/42/file`, sha256: NEW.entry.sha256 });
		assert.equal(res.status, 202);
		assert.equal(res.json.state, "UPLOADING");
		settle(h);
		assert.equal(h.http.last.headers["x-access-token"], "tok");
		assert.equal(h.service.images()[0].state, "VALID");
		assert.lengthOf(h.p.restart.reasons, 0);
		h.post(`/api/update/reset`);
		h.post("/api/update/images/fetch", { url: "http://elsewhere.test/fw.bin" });
		assert.isUndefined(h.http.last.headers["x-access-token"]);
	});

	it("refuses a bad fetch request with exact codes", () => {
		const h = offered();
		const cases: [unknown, string][] = [
			[{}, "invalid_url"],
			[{ url: "file:///etc/passwd" }, "invalid_url"],
			[{ url: "http://x/\r\n" }, "invalid_url"],
			[{ url: "http://x/f", sha256: "12" }, "invalid_sha256"],
			[{ url: "http://x/f", size: -1 }, "invalid_size"],
			[{ url: "http://x/f", allowDowngrade: "yes" }, "invalid_option"],
		];
		for (const [body, code] of cases) {
			const res = h.post("/api/update/images/fetch", body);
			assert.equal(res.status, 422, JSON.stringify(body));
			assert.equal(res.json.error.code, code, JSON.stringify(body));
		}
	});

	it("refuses a second download and a check while one runs (409)", () => {
		const h = offered();
		h.http.serve = undefined;
		install(h);
		assert.equal(h.post("/api/update/images/fetch", { url: `${SERVER}/x` }).json.error.code, "update_busy");
		assert.equal(h.post("/api/update/check").json.error.code, "update_busy");
	});

	it("installs an offered downgrade only when the check asked for it", () => {
		const old = release("1.0.0", "7");
		const h = updateHarness("1.2.3+ohxs");
		h.post("/api/update/server", { url: SERVER });
		h.post("/api/update/check?allowDowngrade=1");
		h.http.last.json(200, [old.entry]);
		h.http.serve = serveFile(old.image);
		assert.equal(install(h).status, 200);
		settle(h);
		assert.lengthOf(h.p.restart.reasons, 1);
		h.p.board.boot();
		assert.equal(runningImage(h.p.board.port).version, "1.0.0+ohxs");
	});

	it("sets an unsynced clock from the download's Date header", () => {
		const h = offered({ date: "Wed, 04 Jun 2025 00:00:00 GMT" });
		install(h);
		settle(h);
		assert.equal(h.p.clock.source(), "server");
	});

	describe("header parsing", () => {
		it("reads Content-Range", () => {
			assert.deepEqual(parseContentRange("bytes 100-999/1000"), { start: 100, end: 999, total: 1000 });
			assert.deepEqual(parseContentRange("bytes 0-0/*"), { start: 0, end: 0, total: undefined });
			for (const bad of [undefined, "", "bytes 5-4/10", "bytes */10", "items 0-1/2", "bytes 1-2"]) assert.isUndefined(parseContentRange(bad), String(bad));
		});
		it("reads IMF-fixdate and nothing else", () => {
			assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), Date.UTC(1994, 10, 6, 8, 49, 37));
			for (const bad of [
				undefined,
				"",
				"Sunday, 06-Nov-94 08:49:37 GMT",
				"Sun Nov  6 08:49:37 1994",
				"Sun, 06 Foo 1994 08:49:37 GMT",
				"Sun, 06 Nov 1994 25:49:37 GMT",
			])
				assert.isUndefined(parseHttpDate(bad), String(bad));
		});
	});
});
