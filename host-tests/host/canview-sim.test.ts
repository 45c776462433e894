/*
 * The CAN view against the simulator over real HTTP and TCP: the C core's
 * capture ring (Node binding) under the simulated car, the live table, a
 * candump download replayed by a second simulator (--can-log) and captured
 * again (the same frames), and GVRET over a socket with the client written
 * from the protocol (host-tests/support/gvret-client).
 */

import { assert } from "chai";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";
import { parseCandump, type LogFrame } from "../../host/car/candump";
import { GvretParser, gvret } from "../support/gvret-client";

const quiet = { log() {} };
const PASSWORD = "can view password";
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`;

async function json(sim: Simulator, method: string, p: string, body?: unknown, auth = true): Promise<{ status: number; body: any }> {
	const res = await fetch(`${sim.url}${p}`, {
		method,
		headers: { ...(auth ? { authorization: AUTH } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
		...(body !== undefined ? { body: JSON.stringify(body) } : {}),
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function key(f: LogFrame): string {
	return `${f.frame.id.toString(16)}#${Buffer.from(f.frame.data).toString("hex")}`;
}

/** Connect a GVRET client; resolves with its parser and socket. */
function gvretClient(port: number): Promise<{ socket: net.Socket; parser: GvretParser; wait(pred: () => boolean, ms?: number): Promise<void> }> {
	return new Promise((resolve, reject) => {
		const parser = new GvretParser();
		const socket = net.connect(port, "127.0.0.1", () => {
			resolve({
				socket,
				parser,
				wait: async (pred, ms = 5000) => {
					const until = Date.now() + ms;
					while (!pred()) {
						if (Date.now() > until) throw new Error("GVRET reply did not come");
						await new Promise((r) => setTimeout(r, 20));
					}
				},
			});
		});
		socket.on("data", (d) => parser.push(d));
		socket.on("error", reject);
	});
}

describe("CAN view in the simulator (capture ring, candump round trip, GVRET over TCP)", function () {
	this.timeout(60_000);
	const dirs: string[] = [];
	const sims: Simulator[] = [];
	const tmp = (p: string) => {
		const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
		dirs.push(d);
		return d;
	};
	let sim: Simulator;

	before(async () => {
		sim = await startSimulator({ port: 0, dataDir: tmp("ohx-canview-"), logger: quiet, bootDelayMs: 100, gvretPort: 0 });
		sims.push(sim);
		assert.equal((await json(sim, "POST", "/api/setup", { password: PASSWORD }, false)).status, 200);
	});
	after(async () => {
		for (const s of sims) await s.stop();
		for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
	});

	it("the live table shows the car's IDs on both buses, with rates, and the ring drops nothing at the car's rate", async () => {
		await json(sim, "GET", "/api/can/live");
		await new Promise((r) => setTimeout(r, 1500));
		const live = (await json(sim, "GET", "/api/can/live")).body;
		assert.isTrue(live.capturing);
		const ids = live.rows.map((r: { bus: number; id: number }) => `${r.bus}:${r.id.toString(16)}`);
		for (const id of ["0:1a0", "0:280", "0:288", "1:2c0"]) assert.include(ids, id);
		const brakes1 = live.rows.find((r: { bus: number; id: number }) => r.bus === 0 && r.id === 0x1a0);
		assert.approximately(brakes1.hz, 100, 15, "BRAKES1 every 10 ms");
		assert.deepEqual(live.dropped.ring, [0, 0]);
	});

	it("filters by ID, pauses, and refuses a bad filter with a JSON 422", async () => {
		const bad = await json(sim, "POST", "/api/can/live", { filter: ["800"] });
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.code, "invalid_can_filter");
		assert.equal((await json(sim, "POST", "/api/can/live", { filter: ["280", "0x2C0"] })).status, 200);
		await new Promise((r) => setTimeout(r, 300));
		const live = (await json(sim, "GET", "/api/can/live")).body;
		assert.deepEqual(live.filter, ["280", "2C0"]);
		assert.sameMembers([...new Set(live.rows.map((r: { id: number }) => r.id))], [0x280, 0x2c0]);
		assert.equal((await json(sim, "POST", "/api/can/live", { filter: [], paused: false })).status, 200);
	});

	it("plots a chosen signal: MOTOR1's rpm, sampled on every frame", async () => {
		const set = await json(sim, "POST", "/api/can/signal", { bus: 0, id: "280", startBit: 16, length: 16, scale: 0.25 });
		assert.equal(set.status, 200);
		await new Promise((r) => setTimeout(r, 600));
		const s = (await json(sim, "GET", "/api/can/signal?since=0")).body;
		assert.isAbove(s.t.length, 40, "MOTOR1 every 10 ms");
		const rpm = sim.carLink.bridge.vehicle().rpm;
		assert.approximately(s.v[s.v.length - 1], rpm, 600);
		assert.equal((await json(sim, "POST", "/api/can/signal", { id: "280", startBit: 60, length: 8 })).body.error.code, "invalid_signal");
	});

	let captured: LogFrame[] = [];
	it("downloads a candump -l capture, streamed while it happens, both buses named", async () => {
		const t0 = Date.now();
		const res = await fetch(`${sim.url}/api/can/capture.log?seconds=2`);
		assert.equal(res.status, 200);
		assert.match(res.headers.get("content-disposition") ?? "", /attachment/);
		const text = await res.text();
		assert.isAtLeast(Date.now() - t0, 1900, "the body lasts as long as the capture");
		captured = parseCandump(text);
		const can0 = captured.filter((f) => f.iface === "can0");
		const can1 = captured.filter((f) => f.iface === "can1");
		assert.isAbove(can0.length, 500, "the car sends about 600 frames a second");
		assert.isTrue(
			can1.some((f) => f.frame.id === 0x2c0),
			"the Haldex's own frames on can1",
		);
		const again = await json(sim, "GET", "/api/can/capture.log?seconds=0");
		assert.equal(again.status, 422);
		assert.equal(again.body.error.code, "invalid_seconds");
	});

	it("a second simulator replays the download (--can-log) and its capture holds the same frames", async () => {
		const dir = tmp("ohx-replay-");
		const file = path.join(dir, "drive.log");
		const res = await fetch(`${sim.url}/api/can/capture.log?seconds=2`);
		const original = await res.text();
		fs.writeFileSync(file, original);
		const sent = parseCandump(original).filter((f) => f.iface === "can0");
		const replay = await startSimulator({ port: 0, dataDir: dir, logger: quiet, bootDelayMs: 100, canLog: file });
		sims.push(replay);
		const again = parseCandump(await (await fetch(`${replay.url}/api/can/capture.log?seconds=1`)).text()).filter((f) => f.iface === "can0");
		assert.isAbove(again.length, 200);
		// The replay loops; its capture starts anywhere in the loop, and a frame that never changes occurs many
		// times: align at the occurrence of the first replayed frame where the most frames follow in order.
		const keys = sent.map(key);
		const mismatchesFrom = (start: number) => {
			let n = 0;
			for (let i = 0; i < again.length; i++) if (key(again[i]) !== keys[(start + i) % keys.length]) n++;
			return n;
		};
		let start = -1;
		let mismatches = Infinity;
		for (let i = 0; i < keys.length; i++) {
			if (keys[i] !== key(again[0])) continue;
			const n = mismatchesFrom(i);
			if (n < mismatches) {
				mismatches = n;
				start = i;
			}
		}
		assert.isAtLeast(start, 0, "the first replayed frame is in the original");
		// Frames of one millisecond may swap places between the car's batches; none may be lost or changed.
		assert.isBelow(mismatches, again.length * 0.02);
		const inOriginal = new Set(keys);
		assert.isTrue(
			again.every((f) => inOriginal.has(key(f))),
			"every replayed frame is one of the original's",
		);
		// Spacing kept: the replay's span matches the original's over the same frames (+-20 ms).
		const n = Math.min(again.length, keys.length - start) - 1;
		const spanOriginal = sent[start + n].atMs - sent[start].atMs;
		const spanReplay = again[n].atMs - again[0].atMs;
		assert.approximately(spanReplay, spanOriginal, 20);
	});

	it("GVRET over TCP: SavvyCAN's handshake, frames streaming, read-only until the owner allows sending", async () => {
		const port = sim.gvretPort!;
		assert.isAbove(port, 0);
		const c = await gvretClient(port);
		c.socket.write(Buffer.from([...gvret.binary(), ...gvret.command(0x0c), ...gvret.command(0x06), ...gvret.command(0x07), ...gvret.command(0x09)]));
		await c.wait(() => c.parser.frames().length > 100);
		const replies = c.parser.replies.filter((r) => r.kind !== "frame");
		assert.deepEqual(replies.slice(0, 4), [
			{ kind: "numBuses", n: 2 },
			{ kind: "busParams", bus0: { enabled: true, listenOnly: true, speed: 500000 }, bus1: { enabled: true, listenOnly: true, speed: 500000 } },
			{ kind: "deviceInfo", build: 1 },
			{ kind: "keepalive", ok: true },
		]);
		const ids = new Set(c.parser.frames().map((f) => `${f.bus}:${f.id.toString(16)}`));
		assert.isTrue(ids.has("0:280") && ids.has("1:2c0"));
		// Read-only: a frame from SavvyCAN goes nowhere.
		const injected = sim.carLink.stats.injected;
		c.socket.write(Buffer.from(gvret.sendFrame(1, 0x2c0, [1, 2, 3])));
		await new Promise((r) => setTimeout(r, 200));
		assert.equal(sim.carLink.stats.injected, injected);
		// Allowing it needs the password; the car is driving, so frames are still refused.
		assert.equal((await json(sim, "POST", "/api/can/gvret", { sending: true }, false)).status, 401);
		assert.equal((await json(sim, "POST", "/api/can/gvret", { sending: true })).body.sending, true);
		c.socket.write(Buffer.from(gvret.sendFrame(1, 0x2c0, [4, 5, 6])));
		await new Promise((r) => setTimeout(r, 200));
		const moving = (await json(sim, "GET", "/api/can/gvret")).body;
		assert.equal(sim.carLink.stats.injected, injected, "never while the car moves");
		assert.isFalse(moving.sendingAllowedNow);
		assert.isAtLeast(moving.framesRefused, 2);
		c.socket.destroy();
		await json(sim, "POST", "/api/can/gvret", { sending: false });
	});

	it("GVRET: a parked car takes the owner's frames onto the bus named; a second client is turned away", async () => {
		assert.equal((await json(sim, "POST", "/api/sim/car", { scenario: "parked" })).status, 200);
		await new Promise((r) => setTimeout(r, 300));
		assert.equal((await json(sim, "POST", "/api/can/gvret", { sending: true })).status, 200);
		const c = await gvretClient(sim.gvretPort!);
		const second = await gvretClient(sim.gvretPort!);
		const closed = new Promise<void>((r) => second.socket.on("close", () => r()));
		await closed;
		c.socket.write(Buffer.from([...gvret.binary(), ...gvret.command(0x06)]));
		await c.wait(() => c.parser.replies.some((r) => r.kind === "busParams"));
		const params = c.parser.replies.find((r) => r.kind === "busParams");
		assert.deepInclude(params, { bus0: { enabled: true, listenOnly: false, speed: 500000 } });
		const injected = sim.carLink.stats.injected;
		c.socket.write(Buffer.from(gvret.sendFrame(0, 0x7e0, [2, 0x10, 0x03])));
		await new Promise((r) => setTimeout(r, 200));
		assert.equal(sim.carLink.stats.injected, injected + 1);
		assert.deepEqual(Array.from(sim.carLink.chassisReceived.get(0x7e0)!.data), [2, 0x10, 0x03]);
		c.socket.destroy();
		await json(sim, "POST", "/api/can/gvret", { sending: false });
	});
});
