/*
 * Clients written for OpenHaldex-S3 (its own web app, dashboards, scripts)
 * against the simulator over real HTTP: every call S3's web app makes
 * (meatro/OpenHaldex-S3 data/app.js, read for the paths, methods and body
 * shapes), with the bodies it sends. The ones we answer must answer as S3's
 * app reads them; the ones we do not must be a JSON 404, and each must be in
 * docs/api.md's list of S3 calls left unanswered, with its reason.
 */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";
import { PROJECT_ROOT } from "../xs/xs-engine";

const quiet = { log() {} };
const PASSWORD = "s3 client password";
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`;

/** Every call of S3's web app this firmware does not answer (docs/api.md lists each with why). */
const UNANSWERED: [method: string, path: string][] = [
	["GET", "/api/canview"],
	["GET", "/api/canview/dump"],
	["GET", "/api/canview/capture"],
	["POST", "/api/canview/capture"],
	["GET", "/api/learn/status"],
	["POST", "/api/learn/start"],
	["POST", "/api/learn/cancel"],
	["POST", "/api/learn/clear"],
	["GET", "/api/logs/read"],
	["POST", "/api/logs/delete"],
	["GET", "/api/maps"],
	["POST", "/api/maps/load"],
	["POST", "/api/maps/save"],
	["POST", "/api/maps/delete"],
	["GET", "/api/uds/status"],
	["POST", "/api/uds/probe"],
	["POST", "/api/uds/identity"],
	["POST", "/api/uds/dtc"],
	["POST", "/api/uds/clear-dtc"],
	["POST", "/api/diag/measured"],
];

describe("clients written for OpenHaldex-S3, over HTTP", function () {
	this.timeout(60_000);
	let sim: Simulator;
	let dataDir: string;

	before(async () => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-s3-"));
		sim = await startSimulator({ port: 0, dataDir, logger: quiet, bootDelayMs: 100 });
		const r = await fetch(`${sim.url}/api/setup`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ password: PASSWORD }),
		});
		assert.equal(r.status, 200);
	});
	after(async () => {
		await sim.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	});

	async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
		const res = await fetch(`${sim.url}${p}`, {
			method,
			headers: { authorization: AUTH, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		});
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : undefined };
	}

	it("selects every S3 mode by the name S3's buttons send, RPM and 8020/9010 included", async () => {
		for (const [sent, ours] of [
			["STOCK", "STOCK"],
			["FWD", "FWD"],
			["5050", "5050"],
			["6040", "6040"],
			["7030", "7525"],
			["8020", "8020"],
			["9010", "9010"],
			["SPEED", "SPEED"],
			["THROTTLE", "THROTTLE"],
			["RPM", "RPM"],
			["MAP", "MAP"],
		]) {
			const r = await call("POST", "/api/mode", { mode: sent });
			assert.equal(r.status, 200, sent);
			assert.equal(r.body.mode, ours);
			assert.equal((await call("GET", "/api/status")).body.mode, ours);
		}
		// S3's mode numbers (its enum), as its CAN broadcast and other clients carry them.
		assert.equal((await call("POST", "/api/mode", { mode: 10 })).body.mode, "RPM");
		assert.equal((await call("POST", "/api/mode", { mode: 4 })).body.mode, "7525");
		assert.equal((await call("POST", "/api/mode", { mode: 11 })).status, 422);
		await call("POST", "/api/mode", { mode: "STOCK" });
	});

	it("takes S3's mode-settings write, its RPM gate and its RPM curve", async () => {
		// readMapModeSettingsPayload's shape, with S3's own keys we keep without effect.
		const r = await call("POST", "/api/settings", {
			disableThrottle: 0,
			disableSpeed: 0,
			broadcastOpenHaldexOverCAN: true,
			disableController: false,
			lockReleaseRatePctPerSec: 120,
			disengageUnderSpeed: { map: 10, rpm: 15 },
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(r.body.settings.disengageUnderSpeed, { map: 10, speed: 0, throttle: 0, rpm: 15 });
		assert.deepEqual(r.body.unknownKeys, ["broadcastOpenHaldexOverCAN"]);
		const curve = { points: [0, 2000, 4000, 6000].map((x, i) => ({ x, lock: [0, 20, 60, 100][i] })) };
		assert.equal((await call("POST", "/api/curve/rpm", curve)).status, 200);
		const got = await call("GET", "/api/curve/rpm");
		assert.deepEqual(got.body, { count: 4, ...curve });
		await call("POST", "/api/settings", { disengageUnderSpeed: { map: 0, rpm: 0 } });
	});

	it("saves, reads back and forgets the home network with S3's Wi-Fi page's bodies", async () => {
		// saveWifi: ssid, staEnabled and the password.
		const saved = await call("POST", "/api/wifi", { ssid: "SimHome", staEnabled: true, password: "simhome123" });
		assert.equal(saved.status, 200, JSON.stringify(saved.body));
		const wifi = (await call("GET", "/api/wifi")).body;
		assert.include(wifi, { ssid: "SimHome", staEnabled: true, apPasswordSet: false });
		assert.notInclude(JSON.stringify(wifi), "simhome123");
		// S3's network panel: staConnected and staIp once joined.
		let net: any;
		for (let i = 0; i < 50; i++) {
			net = (await call("GET", "/api/network")).body;
			if (net.staConnected) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		assert.include(net, { staConnected: true, staIp: "10.77.0.23", ap: true, apIp: "192.168.4.1", hostname: "openhaldex.local" });
		// Switched off, kept.
		assert.equal((await call("POST", "/api/wifi", { staEnabled: false })).status, 200);
		assert.include((await call("GET", "/api/wifi")).body, { ssid: "SimHome", staEnabled: false });
		// clearWifi: all three empty.
		assert.equal((await call("POST", "/api/wifi", { ssid: "", password: "", staEnabled: false })).status, 200);
		assert.include((await call("GET", "/api/wifi")).body, { ssid: "", staEnabled: false, station: null });
		// A short access-point passphrase: S3 answers 400, we answer 422 naming S3's field.
		const short = await call("POST", "/api/wifi", { apPassword: "short" });
		assert.equal(short.status, 422);
		assert.equal(short.body.error.field, "apPassword");
		await call("POST", "/api/wifi", { staEnabled: true });
	});

	it("answers S3's status, settings, map, logs and update reads", async () => {
		const status = (await call("GET", "/api/status")).body;
		for (const k of ["mode", "telemetry", "can", "frameDiag", "disengageUnderSpeed"]) assert.property(status, k);
		for (const k of ["speed", "rpm", "throttle", "spec", "act"]) assert.isNumber(status.telemetry[k], k);
		assert.equal((await call("GET", "/api/settings")).status, 200);
		assert.lengthOf((await call("GET", "/api/map")).body.lockTable, 7);
		assert.isArray((await call("GET", "/api/logs")).body.entries);
		assert.equal((await call("GET", "/api/update")).status, 200);
	});

	it("answers each call it does not offer with a JSON 404, and docs/api.md lists it with its reason", async () => {
		const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs/api.md"), "utf8");
		const section = doc.slice(doc.indexOf("### S3 calls this firmware does not answer"));
		assert.isAbove(section.length, 100, "docs/api.md has the section");
		for (const [method, p] of UNANSWERED) {
			const r = await call(method, p, method === "POST" ? {} : undefined);
			assert.equal(r.status, 404, `${method} ${p}`);
			assert.equal(r.body.error.code, "not_found", `${method} ${p}`);
			assert.include(section, `\`${method} ${p}\``, `docs/api.md lists ${method} ${p}`);
		}
	});
});
