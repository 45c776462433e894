/*
 * Allocation on the hot paths, measured inside XS (@agoric/xsnap): slots
 * allocated per uploaded KiB (the upload route -> update service -> stager
 * -> validator -> slot writer) and per GET /api/status. xsnap's meter gives
 * the slots in use; a step starts right after gc() and is small enough that
 * no collection runs inside it (a step whose count falls is dropped), so the
 * growth is what the step allocated. A slot is 16 bytes on the C6. Chunk
 * bytes (strings, buffers) are not visible in xsnap: `npm run check:mcsim`
 * reads them from mcsim's instruments.
 *
 * The digest, the slot writer and the CAN bridge are stand-ins that
 * allocate nothing, as the board's natives do in JS (crypt's Digest,
 * esp_ota_write, NativeCanBridge refilling one object); the flash model
 * under them is the tests' in-memory one. The periodic work is
 * measured per call (a controller tick, an LED frame): the tests' timers
 * would count their own bookkeeping.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { PROJECT_ROOT, bundleForXs } from "../host-tests/xs/xs-engine";
import type { Benchmark } from "./registry";

const ENTRY = `
import { createFirmware } from "app/firmware";
import { STATUS_LAYOUT, statusBody } from "app/status";
import { JsonWriter, portableJsonText } from "util/json-writer";
import { DEFAULT_WIRE_OPTIONS, HttpConnection, WireBuffers } from "api/http-connection";
import { fakePlatform } from "./host-tests/support/fakes";
import { buildEspImage } from "./host-tests/support/esp-image";
import { base64Encode } from "util/base64";
import { utf8Encode } from "util/utf8";
const p = fakePlatform("1.0.0+ohxs");
// A digest that allocates nothing per chunk, like the board's native one.
const digests = { sha256() { return { write() {}, close() { return new Uint8Array(32); } }; } };
// A bridge that allocates nothing, like NativeCanBridge (one vehicle object, refilled).
const vehicle = { speedKmh: 42, rpm: 2500, pedalPct: 30, haldexEngagementPct: 40, haldexState: 0, speedAgeMs: 10, engineAgeMs: 10, haldexAgeMs: 10 };
const counters = { chassisToHaldex: 0, haldexToChassis: 0, rewritten: 0, dropped: 0, errors: 0, busOffRecoveries: 0, watchdogFallbacks: 0 };
const bus = { started: true, busOff: false, silent: false };
const health = { chassis: bus, haldex: bus };
const can = { setTarget() {}, holdPassthrough() {}, rewriting: () => true, vehicle: () => vehicle, counters: () => counters, health: () => health, selfTest: () => true };
// A slot writer that allocates nothing, like the board's (esp_ota_write takes the chunk's bytes in C):
// the tests' NOR flash model copies and logs every write, which is the host's cost, not the firmware's.
const begin = p.board.port.begin.bind(p.board.port);
p.board.port.begin = (index) => {
	const real = begin(index);
	let written = 0;
	return { get written() { return written; }, write(chunk) { written += chunk.length; }, end() {}, abort() { real.abort(); } };
};
// The server's buffers first: as on the board, /api/status is written into their free head buffer.
const wire = { ...DEFAULT_WIRE_OPTIONS, encode: utf8Encode };
const wireBuffers = new WireBuffers(wire);
const fw = createFirmware({ ...p, digests, can, jsonBuffers: wireBuffers }, { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 8 } });
const HOST = { host: "openhaldex.local" };
if (fw.router.handle({ method: "POST", target: "/api/setup", headers: { ...HOST, "content-type": "application/json" } }, JSON.stringify({ password: "bench-password" })).status !== 200) throw new Error("setup");
const AUTH = "Basic " + base64Encode(utf8Encode("admin:bench-password"));
const image = buildEspImage({ version: "1.1.0+ohxs", size: 120 * 1024, seed: 7 }); // the tests' board has 128 KiB slots

const CHUNK = 1024;
// The chunks' views are made before measuring, so the harness allocates nothing per write.
const chunks = [];
for (let i = 0; i < image.length; i += CHUNK) chunks.push(image.subarray(i, i + CHUNK));
let ex, next = 0;
const sources = { platform: p, haldex: fw.haldex, device: fw.device, update: fw.update, boot: fw.boot };
const kept = statusBody(sources);
const writer = new JsonWriter(portableJsonText);
// GET /api/status over HttpConnection, as a browser sends it, on a socket that allocates nothing (lwIP's
// and the SDK's own objects are not JS); timers that allocate nothing either.
const POLL = utf8Encode("GET /api/status HTTP/1.1\\r\\nHost: openhaldex.local\\r\\nConnection: keep-alive\\r\\nAccept: */*\\r\\nUser-Agent: bench\\r\\n\\r\\n");
const HANDLE = { id: 0 };
const quietTimers = { after() { return HANDLE; }, every() { return HANDLE; }, cancel() {} };
const socket = { at: 0, sent: 0, closed: false,
	read(into) { for (let i = 0; i < into.length; i++) into[i] = POLL[this.at++]; },
	write(bytes) { this.sent += bytes.length; return 65536; },
	close() { this.closed = true; } };
let keptConnection;
function onePoll(connection) {
	socket.at = 0;
	const before = socket.sent;
	connection.writable(65536);
	connection.readable(POLL.length);
	if (socket.sent - before < 1000) throw new Error("poll not answered");
}
globalThis.bench = {
	pollFresh(n) { for (let i = 0; i < n; i++) { const c = new HttpConnection(socket, fw.router, wireBuffers, quietTimers, wire); onePoll(c); if (!c.idle) throw new Error("not kept"); c.closeIfIdle(); } },
	pollKept(n) { keptConnection ??= new HttpConnection(socket, fw.router, wireBuffers, quietTimers, wire); for (let i = 0; i < n; i++) { onePoll(keptConnection); if (!keptConnection.idle) throw new Error("not kept"); } },
	status(n) { for (let i = 0; i < n; i++) if (fw.router.handle({ method: "GET", target: "/api/status", headers: HOST }).status !== 200) throw new Error("status"); },
	begin() {
		ex = fw.router.open({ method: "POST", target: "/api/update/images/upload", headers: { ...HOST, "content-type": "application/octet-stream", authorization: AUTH } }, image.length);
		if (!ex.wantsBody) throw new Error("upload refused: " + ex.finish().status);
	},
	// The parts of one /api/status answer: the object, its JSON text, and the router and response around them.
	// (refilled in place, as the route does)
	statusObject(n) { for (let i = 0; i < n; i++) statusBody(sources, kept); },
	statusJson(n) { for (let i = 0; i < n; i++) writer.body(kept, STATUS_LAYOUT).close(); },
	statusStringify(n) { for (let i = 0; i < n; i++) globalThis.keptText = JSON.stringify(kept); },
	tick(n) { for (let i = 0; i < n; i++) fw.haldex.controller.tick(); },
	led(n) { for (let i = 0; i < n; i++) fw.device.led(); },
	mode(m) { fw.haldex.settings.setMode(m); },
	upload(kib) { for (let i = 0; i < kib && next < chunks.length; i++) ex.write(chunks[next++]); },
};
`;

interface Meter {
	slots?: number;
	compute?: number;
	error?: string;
}

async function measure(): Promise<{
	statusSlots: number[];
	statusObjectSlots: number[];
	statusJsonSlots: number[];
	statusStringifySlots: number[];
	pollFreshSlots: number[];
	pollKeptSlots: number[];
	uploadSlotsPerKiB: number[];
	statusCompute: number[];
	tickSlots: number[];
	ledSlots: number[];
}> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-bench-xs-"));
	const bundle = path.join(dir, "bundle.js");
	fs.writeFileSync(bundle, await bundleForXs(ENTRY));
	const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bench/xs-steps.mjs"), bundle], { stdio: ["pipe", "pipe", "inherit"] });
	const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
	const step = async (expr: string): Promise<Meter> => {
		child.stdin!.write(`${expr}\n`);
		const { value } = await lines.next();
		const m = JSON.parse(value) as Meter;
		if (m.error) throw new Error(`${expr}: ${m.error}`);
		return m;
	};
	const delta = async (expr: string): Promise<{ slots: number; compute: number } | undefined> => {
		const base = await step("gc()");
		const after = await step(expr);
		const slots = after.slots! - base.slots!;
		return slots >= 0 ? { slots, compute: after.compute! } : undefined; // a collection ran inside: drop it
	};
	await step("bench.status(3)"); // warm up (lazy caches)
	const statusSlots: number[] = [],
		statusCompute: number[] = [];
	for (let i = 0; i < 7; i++) {
		const d = await delta("bench.status(1)");
		if (d) {
			statusSlots.push(d.slots);
			statusCompute.push(d.compute);
		}
	}
	const perCall = async (expr: string, n: number) => {
		await step(expr);
		const runs: number[] = [];
		for (let i = 0; i < 5; i++) {
			const d = await delta(expr);
			if (d) runs.push(d.slots / n);
		}
		return runs;
	};
	const statusObjectSlots = await perCall("bench.statusObject(1)", 1);
	const statusJsonSlots = await perCall("bench.statusJson(1)", 1);
	const statusStringifySlots = await perCall("bench.statusStringify(1)", 1);
	const pollFreshSlots = await perCall("bench.pollFresh(1)", 1);
	const pollKeptSlots = await perCall("bench.pollKept(1)", 1);
	await step('bench.mode("5050")');
	const tickSlots = await perCall("bench.tick(50)", 50);
	const ledSlots = await perCall("bench.led(20)", 20);
	await step("bench.begin()");
	await step("bench.upload(16)"); // past the header and first erase
	const uploadSlotsPerKiB: number[] = [];
	for (let i = 0; i < 6; i++) {
		const d = await delta("bench.upload(16)");
		if (d) uploadSlotsPerKiB.push(d.slots / 16);
	}
	child.stdin!.end();
	await new Promise((r) => child.on("exit", r));
	fs.rmSync(dir, { recursive: true, force: true });
	return {
		statusSlots,
		statusObjectSlots,
		statusJsonSlots,
		statusStringifySlots,
		pollFreshSlots,
		pollKeptSlots,
		uploadSlotsPerKiB,
		statusCompute,
		tickSlots,
		ledSlots,
	};
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const xsAllocBench: Benchmark = {
	name: "allocation in XS: /api/status, the control loop, the LED, uploads (slots, 16 B each on the C6)",
	async run() {
		const m = await measure();
		console.log(
			`GET /api/status     ${median(m.statusSlots)} slots per answer (${((median(m.statusSlots) * 16) / 1024).toFixed(1)} KiB on the C6), runs ${m.statusSlots.join(", ")}; ${median(m.statusCompute)} XS compute units`,
		);
		console.log(
			`  of which           refilling the status object ${median(m.statusObjectSlots)} slots, writing it by its layout ${median(m.statusJsonSlots)} (JSON.stringify would take ${median(m.statusStringifySlots)}); the rest (${median(m.statusSlots) - median(m.statusObjectSlots) - median(m.statusJsonSlots)}) is routing, guards and the response`,
		);
		console.log(
			`  over HTTP          ${median(m.pollKeptSlots)} slots per poll on a kept connection, ${median(m.pollFreshSlots)} on a new one (api/http-connection; the socket's own objects not counted)`,
		);
		console.log(`controller tick     ${median(m.tickSlots).toFixed(1)} slots per tick in 5050 (50 a second: ${(median(m.tickSlots) * 50).toFixed(0)} slots/s)`);
		console.log(
			`LED frame           ${median(m.ledSlots).toFixed(1)} slots per unchanged frame (20 a second: ${(median(m.ledSlots) * 20).toFixed(0)} slots/s)`,
		);
		console.log(
			`upload              ${median(m.uploadSlotsPerKiB).toFixed(1)} slots per KiB (1 KiB writes), runs ${m.uploadSlotsPerKiB.map((x) => x.toFixed(1)).join(", ")}`,
		);
	},
};

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) await xsAllocBench.run();
