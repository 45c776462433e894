/*
 * Specification: the update client (modules/update) over node:http against
 * the reference OTA file server (host/ota-server) on 127.0.0.1, with real
 * time and sockets, into the real OTA pipeline on an in-memory flash.
 * Every wait is bounded.
 */

import { assert } from "chai";
import { createHash } from "node:crypto";
import { Router } from "api/router";
import { ImageStager } from "ota/stager";
import { BootConfirmer } from "ota/boot-confirm";
import { runningImage } from "ota/slot-info";
import { UpdateService } from "update/service";
import { registerUpdateRoutes } from "update/routes";
import { createUpdateClient, registerUpdateClientRoutes } from "update/client-routes";
import type { UpdateClient } from "update/client";
import { NodeClock, NodeTimers } from "../../host/adapters/node-platform";
import { NodeHttpClient } from "../../host/adapters/node-http-client";
import { startOtaServer, otaFile, parseRange, type OtaServer, type OtaFileRecord } from "../../host/ota-server/server";
import { fakePlatform, type FakePlatform } from "../support/fakes";
import { buildEspImage, Prng } from "../support/esp-image";

const MODULE = "openhaldex-xs";
const TOKEN = "device-token-1";

function firmware(version: string, id: string, o: { isActive?: boolean; seed?: number; size?: number } = {}): OtaFileRecord {
	return otaFile(
		{ id, module: MODULE, version, isActive: o.isActive ?? true },
		buildEspImage({ version: `${version}+ohxs`, size: o.size ?? 100 * 1024, seed: o.seed ?? 3 }),
	);
}

interface Rig {
	p: FakePlatform;
	timers: NodeTimers;
	http: NodeHttpClient;
	client: UpdateClient;
	service: UpdateService;
	router: Router;
	post(target: string, body?: unknown): { status: number; json: any };
	get(target: string): { status: number; json: any };
}

/** The board (running `version`) with real clock, timers and HTTP client. */
function rig(version: string, server: OtaServer | undefined, token: string | null): Rig {
	const p = fakePlatform(`${version}+ohxs`);
	const timers = new NodeTimers();
	const clock = new NodeClock();
	const http = new NodeHttpClient();
	const ota = p.board.port;
	const stager = new ImageStager({ ota, digests: p.digests, store: p.store, clock, logger: p.logger });
	const boot = new BootConfirmer({
		ota,
		store: p.store,
		clock,
		timers,
		logger: p.logger,
		health: {
			canNodes: () => [
				{ name: "a", started: true, busOff: false },
				{ name: "b", started: true, busOff: false },
			],
			selfTestPassed: () => true,
			httpAnswered: () => true,
		},
	});
	boot.start();
	const client = createUpdateClient(
		{ ...p, clock, timers, http },
		{ online: () => true, isDriving: () => false },
		{
			checkTimeoutMs: 3000,
			download: { stallMs: 400, backoffMs: 20, backoffMaxMs: 100 },
		},
	);
	const service = new UpdateService({ ota, stager, boot, store: p.store, clock, timers, restart: p.restart, logger: p.logger, remote: client });
	service.resume();
	const router = new Router();
	registerUpdateRoutes(router, service, { slotSize: ota.slots()[1].size, clock });
	registerUpdateClientRoutes(router, client, service);
	const call = (method: string, target: string, body?: unknown) => {
		const text = body === undefined ? undefined : JSON.stringify(body);
		const res = router.handle({ method, target, headers: text === undefined ? {} : { "content-type": "application/json" } }, text);
		return { status: res.status, json: typeof res.body === "string" && res.body ? JSON.parse(res.body) : undefined };
	};
	const r: Rig = { p, timers, http, client, service, router, post: (t, b) => call("POST", t, b), get: (t) => call("GET", t) };
	if (server) r.post("/api/update/server", { url: server.url, module: MODULE, ...(token !== null ? { token } : {}) });
	return r;
}

async function until(what: string, cond: () => boolean, ms = 8000): Promise<void> {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

async function check(r: Rig, target = "/api/update/check") {
	const res = r.post(target);
	assert.include([200, 202], res.status, JSON.stringify(res.json));
	await until("the check", () => !r.client.summary().checking);
	return r.client.summary();
}

async function downloaded(r: Rig) {
	await until("the download", () => ["done", "failed"].includes(r.client.downloadStatus()?.state ?? ""), 15000);
	return r.client.downloadStatus()!;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("update client against the reference OTA server (127.0.0.1)", function () {
	this.timeout(20000);
	let server: OtaServer;
	let rigs: Rig[] = [];
	/** token null: none set on the board. */
	const make = (version: string, token: string | null = TOKEN) => {
		const r = rig(version, server, token);
		rigs.push(r);
		return r;
	};
	const NEWER = firmware("0.3.0", "300", { seed: 30 });
	const OLDER = firmware("0.1.5", "150", { seed: 15 });
	const INACTIVE = firmware("0.9.0", "900", { seed: 90, isActive: false });
	const OTHER = firmware("5.0.0", "500", { seed: 50 });
	OTHER.module = "display-app";

	beforeEach(async () => {
		server = await startOtaServer({ files: [OLDER, NEWER, INACTIVE, OTHER], token: TOKEN });
	});
	afterEach(async () => {
		for (const r of rigs) {
			r.client.stop();
			r.service.stop();
			r.timers.cancelAll();
		}
		rigs = [];
		await server.close();
	});

	describe("the reference server", () => {
		it("filters the list by module and isActive and answers 404 for an inactive file", async () => {
			const get = (path: string) => fetch(server.url + path, { headers: { "x-access-token": TOKEN } });
			const list = (await (await get(`/api/v2/ota-files?module=${MODULE}&isActive=1`)).json()) as any[];
			assert.deepEqual(
				list.map((f: any) => f.id),
				["150", "300"],
			);
			assert.deepEqual(Object.keys(list[0]).sort(), ["id", "isActive", "module", "sha256", "size", "version"]);
			const all = (await (await get("/api/v2/ota-files")).json()) as any[];
			assert.lengthOf(all, 4);
			assert.equal((await get("/api/v2/ota-files/900/file")).status, 404);
			assert.equal((await get("/api/v2/ota-files/nope/file")).status, 404);
		});
		it("serves ranges with 206, refuses impossible ones with 416 and advertises Accept-Ranges", async () => {
			const res = await fetch(`${server.url}/api/v2/ota-files/300/file`, { headers: { "x-access-token": TOKEN, range: "bytes=100-199" } });
			assert.equal(res.status, 206);
			assert.equal(res.headers.get("content-range"), `bytes 100-199/${NEWER.size}`);
			assert.equal(res.headers.get("accept-ranges"), "bytes");
			assert.deepEqual(new Uint8Array(await res.arrayBuffer()), NEWER.data.subarray(100, 200));
			const bad = await fetch(`${server.url}/api/v2/ota-files/300/file`, { headers: { "x-access-token": TOKEN, range: `bytes=${NEWER.size}-` } });
			assert.equal(bad.status, 416);
			assert.equal(bad.headers.get("content-range"), `bytes */${NEWER.size}`);
			assert.deepEqual(parseRange("bytes=5-", 10), [5, 9]);
			assert.isUndefined(parseRange("bytes=1-2,4-5", 10));
		});
		it("answers 401 without a token and 403 with a wrong one", async () => {
			assert.equal((await fetch(`${server.url}/api/v2/ota-files`)).status, 401);
			assert.equal((await fetch(`${server.url}/api/v2/ota-files`, { headers: { "x-access-token": "nope" } })).status, 403);
		});
	});

	it("runs as its own command over a folder", async () => {
		const { spawn } = await import("node:child_process");
		const fs = await import("node:fs");
		const os = await import("node:os");
		const path = await import("node:path");
		const { writeOtaFile } = await import("../../host/ota-server/catalog");
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-ota-"));
		writeOtaFile(dir, "fw", { id: "1", module: MODULE, version: "0.3.0" }, NEWER.data);
		const child = spawn(process.execPath, ["--import", "tsx", "host/ota-server/main.ts", "--dir", dir, "--port", "0", "--token", TOKEN], {
			stdio: ["ignore", "pipe", "pipe"],
		});
		try {
			let out = "";
			child.stdout.on("data", (c) => {
				out += c;
			});
			await until("the server's first line", () => /http:\/\/127\.0\.0\.1:\d+/.test(out), 10000);
			const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
			const list = (await (await fetch(`${url}/api/v2/ota-files?module=${MODULE}&isActive=1`, { headers: { "x-access-token": TOKEN } })).json()) as any[];
			assert.deepEqual(
				list.map((f) => [f.id, f.version, f.size, f.sha256]),
				[["1", "0.3.0", NEWER.size, NEWER.sha256]],
			);
		} finally {
			child.kill("SIGTERM");
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	describe("checking", () => {
		it("finds the newer version for its module", async () => {
			const r = make("0.2.0");
			const s = await check(r);
			assert.include(s, { latest: "0.3.0", available: true, checkError: "" });
			assert.equal(server.requests[0].url, `/api/v2/ota-files?module=${MODULE}&isActive=1`);
			assert.equal(server.requests[0].headers["x-access-token"], TOKEN);
			assert.equal(r.p.clock.source(), "none", "the rig's fake clock is separate");
		});
		it("finds nothing when it runs the newest version", async () => {
			const s = await check(make("0.3.0"));
			assert.include(s, { latest: "0.3.0", available: false, checkError: "" });
		});
		it("ignores an older version on the server unless a downgrade is asked for", async () => {
			server.files.splice(server.files.indexOf(NEWER), 1);
			const r = make("0.2.0");
			assert.include(await check(r), { latest: "0.1.5", available: false });
			assert.include(await check(r, "/api/update/check?allowDowngrade=1"), { latest: "0.1.5", available: true });
		});
		it("reports a wrong token (403) and a missing token (401) as bad_token", async () => {
			assert.include(await check(make("0.2.0", "wrong")), { checkErrorCode: "bad_token", available: false });
			assert.include(await check(make("0.2.0", null)), { checkErrorCode: "bad_token" });
			assert.match((await check(make("0.2.0", "wrong"))).checkError, /403/);
		});
		it("reports a malformed list", async () => {
			server.behaviour.malformedList = true;
			assert.include(await check(make("0.2.0")), { checkErrorCode: "malformed_list", available: false });
		});
		it("reports a server error", async () => {
			server.behaviour.listStatus = 502;
			assert.include(await check(make("0.2.0")), { checkErrorCode: "server_error" });
		});
		it("reports an unreachable server", async () => {
			const r = make("0.2.0");
			await server.close();
			server = await startOtaServer({ files: [], token: TOKEN });
			r.post("/api/update/server", { url: "http://127.0.0.1:1" });
			assert.include(await check(r), { checkErrorCode: "unreachable" });
		});
	});

	describe("downloading", () => {
		it("installs the newer version and the board boots it", async () => {
			const r = make("0.2.0");
			await check(r);
			assert.equal(r.post("/api/update/install").status, 200);
			const d = await downloaded(r);
			assert.include(d, { state: "done", received: NEWER.size, attempts: 1 });
			await until("the restart", () => r.p.restart.reasons.length > 0);
			r.p.board.boot();
			assert.equal(runningImage(r.p.board.port).version, "0.3.0+ohxs");
		});

		for (const seed of [0x5eed, 0xc0ffee, Date.now() >>> 0])
			it(`resumes after cuts at random offsets (seed ${seed}) and the staged image has the server's SHA-256`, async () => {
				const prng = new Prng(seed);
				const cuts = [...new Set(Array.from({ length: 6 }, () => 1 + (prng.next() % (NEWER.size - 1))))].sort((a, b) => a - b);
				server.behaviour.cutAt = [...cuts];
				const r = make("0.2.0");
				await check(r);
				r.post("/api/update/install");
				const d = await downloaded(r);
				assert.include(d, { state: "done", received: NEWER.size, restarts: 0 });
				const ranges = server.requests.filter((q) => q.url.endsWith("/file")).map((q) => q.headers.range ?? "");
				assert.deepEqual(ranges, ["", ...cuts.map((c) => `bytes=${c}-`)], `cuts at ${cuts.join(", ")}`);
				assert.equal(r.service.images()[0].checksum, sha(NEWER.data));
				assert.equal(r.service.images()[0].checksum, NEWER.sha256);
				await until("the restart", () => r.p.restart.reasons.length > 0);
			});

		it("starts again from zero when the server has no Range support", async () => {
			server.behaviour = { noRange: true, cutAt: [30_000] };
			const r = make("0.2.0");
			await check(r);
			r.post("/api/update/install");
			const d = await downloaded(r);
			assert.include(d, { state: "done", restarts: 1, received: NEWER.size });
			const files = server.requests.filter((q) => q.url.endsWith("/file"));
			assert.deepEqual(
				files.map((q) => q.headers.range),
				[undefined, undefined],
			);
			assert.equal(r.service.images()[0].checksum, NEWER.sha256);
		});

		it("counts a stalled server as a cut and resumes", async () => {
			server.behaviour = { stallAfter: 50_000 };
			const r = make("0.2.0");
			await check(r);
			r.post("/api/update/install");
			const d = await downloaded(r);
			assert.include(d, { state: "done", resumes: 1 });
			assert.equal(server.requests.filter((q) => q.url.endsWith("/file"))[1].headers.range, "bytes=50000-");
			assert.equal(r.service.images()[0].checksum, NEWER.sha256);
		});

		it("ends with file_not_found and a freed slot when the file turns inactive mid-way", async () => {
			server.behaviour = { cutAt: [20_000] };
			const r = make("0.2.0");
			await check(r);
			r.post("/api/update/install");
			await until("the cut", () => (r.client.downloadStatus()?.received ?? 0) >= 20_000);
			NEWER.isActive = false;
			try {
				const d = await downloaded(r);
				assert.equal(d.error?.code, "file_not_found");
				assert.equal(r.service.images()[0].state, "UPLOAD_ERROR");
				assert.lengthOf(r.p.restart.reasons, 0);
				assert.doesNotThrow(() => r.service.beginTransfer("upload", {}).abort("test"));
			} finally {
				NEWER.isActive = true;
			}
		});

		it("answers an inactive file's URL with file_not_found", async () => {
			const r = make("0.2.0");
			assert.equal(r.post("/api/update/images/fetch", { url: `${server.url}/api/v2/ota-files/900/file` }).status, 202);
			const d = await downloaded(r);
			assert.equal(d.error?.code, "file_not_found");
			assert.equal(r.service.images()[0].state, "UPLOAD_ERROR");
		});

		it("fetches a URL into a VALID image without installing it", async () => {
			const r = make("0.2.0");
			assert.equal(r.post("/api/update/images/fetch", { url: `${server.url}/api/v2/ota-files/300/file`, sha256: NEWER.sha256 }).status, 202);
			assert.include(await downloaded(r), { state: "done" });
			assert.equal(r.service.images()[0].state, "VALID");
			assert.equal(r.service.images()[0].version, "0.3.0+ohxs");
			assert.lengthOf(r.p.restart.reasons, 0);
		});
	});
});
