/*
 * The device services end to end in the simulator, over real HTTP (and a
 * real UDP DNS query): crash loop into safe mode, the setup window through
 * the button, a Wi-Fi change, brake-follow timing, the watchdog and the
 * bridge's fail-safe, and the event log across a simulated reboot.
 */

import { assert } from "chai";
import dgram from "node:dgram";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";
import { bindingAvailable } from "../../host/adapters/can-bridge-node";
import { buildDnsQuery, parseDnsAnswers } from "device/dns";

const quiet = { log() {} };
const PASSWORD = "correct horse";
const AUTH = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 8000): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await probe();
		if (v !== undefined && v !== false) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(25);
	}
}

describe("host/simulator: device services", function () {
	this.timeout(40_000);
	let dataDir: string;
	let sim: Simulator;
	const get = async (p: string, headers: Record<string, string> = {}) => {
		const r = await fetch(`${sim.url}${p}`, { headers });
		return { status: r.status, body: (await r.json()) as any };
	};
	const post = async (p: string, body?: unknown, headers: Record<string, string> = {}) => {
		const r = await fetch(`${sim.url}${p}`, {
			method: "POST",
			headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: r.status, body: (await r.json()) as any };
	};
	/** fetch() cannot set Host: a raw request can (what a phone sends after the captive DNS). */
	const withHost = (p: string, host: string) =>
		new Promise<number>((resolve, reject) => {
			http
				.get({ host: "127.0.0.1", port: sim.port, path: p, headers: { host } }, (res) => {
					res.resume();
					resolve(res.statusCode!);
				})
				.on("error", reject);
		});
	async function start(extra: Partial<Parameters<typeof startSimulator>[0]> = {}) {
		sim = await startSimulator({
			port: 0,
			dataDir,
			logger: quiet,
			bootDelayMs: 50,
			device: { joinDelayMs: 100 },
			firmware: { auth: { iterations: 8 } },
			...extra,
		});
	}
	async function setPassword() {
		assert.equal((await post("/api/setup", { password: PASSWORD })).status, 200);
	}

	beforeEach(() => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-dev-"));
	});
	afterEach(async () => {
		await sim?.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	});

	it("reports the reset reason, the LED and the network at boot", async () => {
		await start();
		const d = (await get("/api/sim/device")).body;
		assert.deepInclude(d.boot, { count: 1, resetReason: "power-on", crashStreak: 0 });
		assert.isFalse(d.safeMode);
		assert.deepEqual(d.led, { color: "red", rgb: "#ff0000", pattern: "alternate-white", reason: "setup window open" });
		const net = (await get("/api/network")).body;
		assert.equal(net.interfaces[0].ssid, "OpenHaldex-4AD1");
		assert.equal(net.interfaces[0].address, "192.168.4.1");
		await until("mDNS claimed", async () => (await get("/api/network")).body.mdns.state === "up");
	});

	it("goes into safe mode after three crashes in a row, with the web server up and a banner", async () => {
		await start();
		for (let i = 1; i <= 3; i++) {
			const boots = sim.boots;
			assert.equal((await post("/api/sim/crash", { kind: "panic" })).status, 202);
			await until(`reboot ${i}`, () => sim.boots > boots && sim.device.services !== undefined);
		}
		const d = (await get("/api/sim/device")).body;
		assert.isTrue(d.safeMode);
		assert.match(d.banner, /crashed 3 times in a row/);
		assert.deepInclude(d.boot, { resetReason: "panic", crashStreak: 3 });
		assert.equal(d.led.color, "amber");
		assert.equal(sim.firmware.haldex.controller.state(), "off");
		assert.notEqual(sim.carLink.bridge.state(), "ACTIVE", "the bridge passes frames through");
		assert.equal((await get("/api/status")).status, 200);
		const logs = (await get("/api/logs?kind=safe-mode")).body.entries;
		assert.lengthOf(logs, 1);
		// A deliberate restart leaves safe mode.
		await sim.reboot("owner restart");
		assert.isFalse((await get("/api/sim/device")).body.safeMode);
	});

	it("opens the setup window with a long press of the button (simulator control)", async () => {
		await start();
		await setPassword();
		assert.deepInclude((await get("/api/setup")).body, { setupOpen: false, reason: "closed" });
		const press = await post("/api/sim/button", { press: "long" });
		assert.equal(press.status, 202);
		const w = await until("the setup window", async () => {
			const b = (await get("/api/setup")).body;
			return b.setupOpen ? b : undefined;
		});
		assert.equal(w.reason, "button");
		assert.isAtMost(w.closesInS, 120);
		assert.equal((await get("/api/logs?kind=setup")).body.entries[0].message, "setup window opened by a long press of the mode button");
		assert.equal((await post("/api/sim/button", { press: "twice" })).status, 400);
	});

	it("cycles the favourite modes with a short press", async () => {
		await start();
		await post("/api/sim/button", { press: "short" });
		await until("mode FWD", () => sim.firmware.haldex.settings.config.mode === "FWD");
		await until("the mode change in the log", async () => (await get("/api/logs?kind=mode")).body.entries.length > 0);
	});

	it("joins a home network: state changes in /api/network, its address passes the Host check, SNTP sets the clock", async () => {
		await start();
		assert.equal(await withHost("/api/status", "10.77.0.23"), 421);
		await setPassword();
		assert.equal((await post("/api/wifi", { station: { ssid: "SimHome", password: "simhome123" } })).status, 401);
		const r = await post("/api/wifi", { station: { ssid: "SimHome", password: "simhome123" } }, AUTH);
		assert.equal(r.status, 200);
		assert.notInclude(JSON.stringify(r.body), "simhome123");
		const sta = await until("connected", async () => {
			const s = (await get("/api/network")).body.interfaces[1];
			return s.state === "connected" ? s : undefined;
		});
		assert.include(sta, { ssid: "SimHome", address: "10.77.0.23", rssi: -58 });
		assert.equal(await withHost("/api/status", "10.77.0.23"), 200);
		await until("SNTP", async () => (await get("/api/network")).body.time.state === "synced");
		assert.isTrue((await get("/api/status")).body.time.synced);
		// A wrong passphrase: retried in the background, the access point stays up.
		await post("/api/wifi", { station: { ssid: "SimHome", password: "wrongpass1" } }, AUTH);
		const bad = await until("retrying", async () => {
			const s = (await get("/api/network")).body.interfaces[1];
			return s.state === "retrying" ? s : undefined;
		});
		assert.match(bad.lastError, /could not join "SimHome"/);
		assert.isTrue((await get("/api/network")).body.interfaces[0].up);
		// The access point passphrase: WPA2 from now on, never returned.
		await post("/api/wifi", { accessPoint: { password: "car-owner-99" } }, AUTH);
		await until("WPA2", async () => (await get("/api/wifi")).body.accessPoint.security === "wpa2-psk");
		assert.equal(sim.device.wifi.ap!.password, "car-owner-99");
		assert.notInclude(JSON.stringify((await get("/api/wifi")).body), "car-owner-99");
	});

	it("answers DNS on the access point for openhaldex.local and any other name with 192.168.4.1", async () => {
		await start();
		const port = sim.device.services!.network!.dnsPort!;
		const socket = dgram.createSocket("udp4");
		try {
			for (const name of ["openhaldex.local", "connectivitycheck.gstatic.com"]) {
				const answer = await new Promise<Uint8Array>((resolve, reject) => {
					const t = setTimeout(() => reject(new Error("no DNS answer")), 2000);
					socket.once("message", (m) => {
						clearTimeout(t);
						resolve(new Uint8Array(m));
					});
					socket.send(buildDnsQuery(77, name), port, "127.0.0.1");
				});
				assert.deepEqual(parseDnsAnswers(answer).answers, [{ name, address: "192.168.4.1", ttl: 60 }]);
			}
		} finally {
			socket.close();
		}
		// and the phone's captive-portal probe is sent to the app
		const probe = await withHost("/generate_204", "connectivitycheck.gstatic.com");
		assert.equal(probe, 302, "the Host check redirects page requests with a foreign Host to the app");
	});

	(bindingAvailable() ? it : it.skip)("mirrors the brake input to its output in C within debounce + a sampling period", async () => {
		await start();
		const m = sim.device.mirrors!;
		const latency = async (ch: "brake" | "handbrake", level: boolean) => {
			const before = m.changedAt[ch];
			const t0 = m.now();
			m.inputs[ch] = level;
			await until(`${ch} output`, () => m.changedAt[ch] !== before, 2000);
			return m.changedAt[ch] - t0;
		};
		assert.isAtMost(await latency("brake", true), 15, "follow, no debounce: the next 1 ms samples");
		assert.isTrue(m.status("brake").output);
		assert.isAtMost(await latency("brake", false), 15);
		await setPassword();
		assert.equal((await post("/api/device/settings", { brake: { mode: "follow", debounceMs: 40 } }, AUTH)).status, 200);
		const slow = await latency("brake", true);
		assert.isAtLeast(slow, 39, "not before the debounce time (the core counts whole ms)");
		assert.isAtMost(slow, 60);
		// invert over HTTP: the simulator control sets the input, /api/device shows the output
		await post("/api/device/settings", { handbrake: { mode: "invert" } }, AUTH);
		await post("/api/sim/inputs", { handbrake: true }, AUTH);
		const out = await until("inverted handbrake", async () => {
			const o = (await get("/api/device")).body.outputs.handbrake;
			return o.input ? o : undefined;
		});
		assert.isFalse(out.output);
	});

	it("a JS stall trips the simulated hardware watchdog; the bridge has already fallen back to pass-through", async () => {
		await start({ device: { joinDelayMs: 100, watchdogTimeoutMs: 1000 } });
		await setPassword();
		assert.equal((await post("/api/mode", { mode: "5050" }, AUTH)).status, 200);
		await until("bridge rewriting", () => sim.carLink.bridge.state() === "ACTIVE");
		const boots = sim.boots;
		sim.device.stall(1500); // the firmware's JS thread blocked: no controller tick, no watchdog feed
		assert.equal(sim.carLink.bridge.state(), "FALLBACK", "the C core stopped rewriting by itself (500 ms watchdog)");
		await until("the watchdog reset", () => sim.boots > boots && sim.device.services !== undefined, 10_000);
		const d = (await get("/api/sim/device")).body;
		assert.equal(d.boot.resetReason, "task-watchdog");
		assert.equal(d.boot.crashStreak, 1);
	});

	it("keeps the event log across a simulated reboot, and clears it only with the password", async () => {
		await start();
		await setPassword();
		await post("/api/wifi", { station: { ssid: "SimNoInternet", password: "" } }, AUTH);
		await until("joined", async () => (await get("/api/network")).body.interfaces[1].state === "connected");
		await sim.reboot("test");
		const { entries } = (await get("/api/logs")).body;
		const texts = entries.map((e: any) => `${e.boot} ${e.kind} ${e.message}`);
		assert.include(texts, '1 wifi joined "SimNoInternet" as 10.78.0.5');
		assert.include(texts, "2 boot boot 2: reset reason software");
		assert.isAbove(entries[0].n, entries[entries.length - 1].n);
		assert.equal((await post("/api/logs/clear")).status, 401);
		assert.equal((await post("/api/logs/clear", undefined, AUTH)).status, 200);
		await sim.reboot("test");
		const after = (await get("/api/logs")).body.entries.map((e: any) => e.message);
		assert.deepEqual(after.slice(-1), ["log cleared by the owner (POST /api/logs/clear)"]);
	});
});
