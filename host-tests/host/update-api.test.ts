/*
 * The update API over real HTTP on 127.0.0.1 against the simulator: the
 * path a phone takes, with its guards, auth, Host check and CORS.
 */

import { assert } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";
import { buildEspImage } from "../support/esp-image";
import { packageVersion } from "../../host/simulator/package-info";

const PASSWORD = "correct horse battery";
const quiet = { log() {} };

interface Reply {
	status: number;
	reason: string;
	headers: http.IncomingHttpHeaders;
	body: any;
}

function request(
	sim: Simulator,
	method: string,
	target: string,
	options: { body?: Buffer | string; headers?: Record<string, string>; auth?: string | false } = {},
): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { ...options.headers };
		if (options.auth !== false) headers.authorization = `Basic ${Buffer.from(`admin:${options.auth ?? PASSWORD}`).toString("base64")}`;
		if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
		const req = http.request({ host: "127.0.0.1", port: sim.port, method, path: target, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString("utf8");
				resolve({ status: res.statusCode!, reason: res.statusMessage!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
			});
		});
		req.on("error", reject);
		req.end(options.body);
	});
}

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
const octets = (image: Uint8Array, headers: Record<string, string> = {}) => ({
	body: Buffer.from(image),
	headers: { "content-type": "application/octet-stream", ...headers },
});

/** An upload request the test writes itself (slowly, or not at all): the owner's password, octets, `length` announced. */
function uploadRequest(port: number, length: number, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
	return http.request(
		{
			host: "127.0.0.1",
			port,
			method: "POST",
			path: "/api/update/images/upload",
			headers: {
				authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`,
				"content-type": "application/octet-stream",
				"content-length": String(length),
			},
		},
		onResponse,
	);
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		try {
			if (await fn()) return;
		} catch {
			/* the board is rebooting */
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe("update API over HTTP (simulator)", function () {
	this.timeout(60_000);
	let sim: Simulator;
	let dataDir: string;
	const running = packageVersion();
	const [major, minor] = running.split(".").map(Number);
	const next = `${major}.${minor + 1}.0+ohxs`;

	beforeEach(async () => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-upd-"));
		sim = await startSimulator({
			port: 0,
			dataDir,
			logger: quiet,
			car: "parked",
			bootDelayMs: 100,
			healthWindowMs: 400,
			firmware: { update: { stallMs: 300 } },
		});
	});
	afterEach(async () => {
		await sim.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	});

	async function setup(): Promise<void> {
		const r = await request(sim, "POST", "/api/setup", { ...json({ password: PASSWORD }), auth: false });
		assert.equal(r.status, 200, JSON.stringify(r.body));
	}

	it("goes upload -> VALID -> install -> reboot -> PENDING_VERIFY -> confirmed -> history", async () => {
		await setup();
		const image = buildEspImage({ version: next, size: 300_000, seed: 5 });
		const up = await request(sim, "POST", "/api/update/images/upload", octets(image));
		assert.equal(up.status, 200, JSON.stringify(up.body));
		assert.equal(up.body.state, "VALID");
		assert.equal(up.body.version, next);

		const bootsBefore = sim.boots;
		const inst = await request(sim, "POST", "/api/update/install");
		assert.equal(inst.status, 200);
		assert.deepEqual(inst.body, { started: true }, "the response arrives whole before the restart");

		await until("the reboot", async () => sim.boots > bootsBefore && (await request(sim, "GET", "/api/status", { auth: false })).status === 200);
		const status = await request(sim, "GET", "/api/status", { auth: false });
		assert.equal(status.body.version, next);
		assert.equal(status.body.update.verifying, true);
		assert.equal(sim.board.port.runningState(), "PENDING_VERIFY");

		await until("the confirmation", async () => (await request(sim, "GET", "/api/update", { auth: false })).body.state === "IDLE");
		const upd = await request(sim, "GET", "/api/update", { auth: false });
		assert.equal(sim.board.port.runningState(), "VALID");
		assert.deepEqual(
			upd.body.update_history.map((e: any) => e.version),
			[running, next],
		);
		assert.equal(upd.body.current, next);
	});

	it("keeps an uploaded image across a restart: the same image, checked again, then installable", async () => {
		await setup();
		const image = buildEspImage({ version: next, size: 120_000, seed: 12 });
		const up = await request(sim, "POST", "/api/update/images/upload", octets(image));
		assert.equal(up.body.state, "VALID");
		await sim.reboot("the ignition was switched off in the garage");
		const images = await request(sim, "GET", "/api/update/images", { auth: false });
		assert.lengthOf(images.body.items, 1);
		assert.deepInclude(images.body.items[0], { id: up.body.id, version: next, checksum: up.body.checksum, state: "VALID" });
		assert.match(images.body.items[0].state_description, /before the restart/);
		const bootsBefore = sim.boots;
		assert.equal((await request(sim, "POST", "/api/update/install")).status, 200);
		await until("the reboot", async () => sim.boots > bootsBefore && (await request(sim, "GET", "/api/status", { auth: false })).status === 200);
		assert.equal((await request(sim, "GET", "/api/status", { auth: false })).body.version, next);
		assert.deepEqual((await request(sim, "GET", "/api/update/images", { auth: false })).body.items, [], "installed: no longer offered");
	});

	it("puts the owner's mode back in effect once the new firmware is confirmed (STOCK only during the install and the trial)", async () => {
		await setup();
		assert.equal((await request(sim, "POST", "/api/mode", json({ mode: "5050" }))).status, 200);
		assert.equal((await request(sim, "GET", "/api/status", { auth: false })).body.effectiveMode, "5050");
		const image = buildEspImage({ version: next, size: 60_000, seed: 9 });
		assert.equal((await request(sim, "POST", "/api/update/images/upload", octets(image))).status, 200);
		const bootsBefore = sim.boots;
		assert.equal((await request(sim, "POST", "/api/update/install")).status, 200);
		await until("the reboot", async () => sim.boots > bootsBefore && (await request(sim, "GET", "/api/status", { auth: false })).status === 200);
		const trial = (await request(sim, "GET", "/api/status", { auth: false })).body;
		assert.equal(trial.update.verifying, true);
		assert.equal(trial.effectiveMode, "STOCK", "held in STOCK while the new firmware is on trial");
		assert.equal(trial.mode, "5050", "the owner's choice is kept");
		await until("the confirmation", async () => (await request(sim, "GET", "/api/update", { auth: false })).body.state === "IDLE");
		await until("the mode to apply again", async () => (await request(sim, "GET", "/api/status", { auth: false })).body.effectiveMode === "5050", 3000);
		const after = (await request(sim, "GET", "/api/status", { auth: false })).body;
		assert.deepEqual({ mode: after.mode, effectiveMode: after.effectiveMode }, { mode: "5050", effectiveMode: "5050" });
	});

	it("keeps its simulator controls for the owner once a password is set; the long press only from its own pages", async () => {
		assert.equal(
			(await request(sim, "POST", "/api/sim/car", { ...json({ scenario: "drive" }), auth: false })).status,
			200,
			"before setup, as on a fresh board",
		);
		await setup();
		const bare = await request(sim, "POST", "/api/sim/car", { ...json({ scenario: "parked" }), auth: false });
		assert.equal(bare.status, 401);
		assert.equal(bare.body.error.code, "auth_required");
		assert.equal((await request(sim, "POST", "/api/sim/fail-health", { ...json({ on: true }), auth: false })).status, 401);
		assert.equal((await request(sim, "POST", "/api/sim/car", json({ scenario: "parked" }))).status, 200);
		// The long press is the forgotten-password path, so it needs no password; a page elsewhere cannot press it.
		const foreign = await request(sim, "POST", "/api/sim/button", {
			body: JSON.stringify({ press: "long" }),
			headers: { "content-type": "text/plain", origin: "http://localhost:3000" },
			auth: false,
		});
		assert.equal(foreign.status, 403);
		assert.equal(foreign.body.error.code, "origin_not_allowed");
		assert.equal((await request(sim, "GET", "/api/setup", { auth: false })).body.setupOpen, false, "setup stayed closed");
	});

	it("answers a trickling upload 408 upload_stalled and closes it, so the slot is free again", async () => {
		await setup();
		const image = buildEspImage({ version: next, size: 20_000 });
		const started = Date.now();
		const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
			const req = uploadRequest(sim.port, image.length, (res) => {
				let text = "";
				res
					.on("data", (c) => {
						text += c;
					})
					.on("end", () => {
						clearInterval(drip);
						resolve({ status: res.statusCode!, body: JSON.parse(text) });
					});
			});
			req.on("error", (e) => {
				clearInterval(drip);
				reject(e);
			});
			let at = 0;
			const drip = setInterval(() => {
				if (at < image.length) req.write(Buffer.from(image.subarray(at, ++at)));
			}, 100); // 10 bytes a second
		});
		assert.equal(answer.status, 408, JSON.stringify(answer.body));
		assert.equal(answer.body.error.code, "upload_stalled");
		assert.isBelow(Date.now() - started, 10_000, "answered within a few stall windows (300 ms here), not at the end of the body");
		const images = (await request(sim, "GET", "/api/update/images", { auth: false })).body.items;
		assert.equal(images[0].state, "UPLOAD_ERROR");
		assert.equal((await request(sim, "POST", "/api/update/images/upload", octets(image))).status, 200, "the slot is free");
	});

	it("refuses each guard with its own 409", async () => {
		await setup();
		await request(sim, "POST", "/api/sim/car", json({ scenario: "drive" }));
		const image0 = buildEspImage({ version: next, size: 20_000 });
		assert.equal((await request(sim, "POST", "/api/update/images/upload", octets(image0))).status, 200);
		await until("the engine to run", async () => sim.carLink.bridge.vehicle().rpm > 0);
		const engine = await request(sim, "POST", "/api/update/install");
		assert.equal(engine.status, 409);
		assert.include(["engine_running", "vehicle_moving"], engine.body.error.code);
		await request(sim, "POST", "/api/sim/car", json({ scenario: "parked" }));
		assert.equal((await request(sim, "DELETE", "/api/update/images/1")).status, 204);

		const nothing = await request(sim, "POST", "/api/update/install");
		assert.equal(nothing.status, 409);
		assert.deepEqual(nothing.body.started, false);
		assert.equal(nothing.body.error.code, "nothing_to_install");
		assert.equal(nothing.reason, "Conflict");

		// Another transfer running: hold an upload open on a raw socket.
		const image = buildEspImage({ version: next, size: 50_000 });
		const socket = net.connect(sim.port, "127.0.0.1");
		await new Promise((r) => socket.once("connect", r));
		socket.write(
			`POST /api/update/images/upload HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${image.length}\r\n\r\n`,
		);
		socket.write(image.subarray(0, 4000));
		await until("the first upload to start", async () => (await request(sim, "GET", "/api/update", { auth: false })).body.stage === "uploading");
		const second = await request(sim, "POST", "/api/update/images/upload", octets(image));
		assert.equal(second.status, 409);
		assert.equal(second.body.error.code, "update_busy");
		const busy = await request(sim, "POST", "/api/update/install");
		assert.equal(busy.body.error.code, "update_busy");
		socket.destroy();
	});

	it("answers 422 with the validator's code for each bad image, and 415/413 for wrong type or size", async () => {
		await setup();
		const cases: [string, Uint8Array][] = [
			["image_bad_magic", buildEspImage({ version: next, magic: 0xe8 })],
			["image_wrong_chip", buildEspImage({ version: next, chipId: 0x09 })],
			["image_not_ohxs", buildEspImage({ version: "9.9.9" })],
			["image_downgrade", buildEspImage({ version: "0.0.1+ohxs" })],
			["image_bad_checksum", buildEspImage({ version: next, badChecksum: true })],
		];
		for (const [code, image] of cases) {
			const r = await request(sim, "POST", "/api/update/images/upload", octets(image));
			assert.equal(r.status, 422, code);
			assert.equal(r.reason, "Unprocessable Content");
			assert.equal(r.body.error.code, code);
		}
		const wrongType = await request(sim, "POST", "/api/update/images/upload", { body: "x", headers: { "content-type": "text/plain" } });
		assert.equal(wrongType.status, 415);
		const slot = sim.board.port.slots()[1].size;
		const tooLarge = await new Promise<number>((resolve, reject) => {
			const req = uploadRequest(sim.port, slot + 1, (res) => {
				res.resume();
				resolve(res.statusCode!);
			});
			req.on("error", reject);
			req.end(); // the device answers from the content-length, without reading the body
		});
		assert.equal(tooLarge, 413);
	});

	it("takes OpenHaldex-S3's POST /ota/update as multipart/form-data (curl -F, a browser's FormData), with the same answers", async () => {
		await setup();
		const image = buildEspImage({ version: next, size: 90_000, seed: 4 });
		const file = path.join(dataDir, "xs_esp32.bin");
		fs.writeFileSync(file, image);
		// curl -F, as an owner or an ElegantOTA-style script sends it: a text field first, then the file.
		const auth = `admin:${PASSWORD}`;
		// Asynchronously: the simulator answers from this same process.
		const { stdout: out } = await promisify(execFile)(
			"curl",
			[
				"-s",
				"--max-time",
				"20",
				"-u",
				auth,
				"-F",
				"note=from curl",
				"-F",
				`firmware=@${file};type=application/octet-stream`,
				`http://127.0.0.1:${sim.port}/ota/update`,
			],
			{ encoding: "utf8" },
		);
		const staged = JSON.parse(out);
		assert.equal(staged.state, "VALID", out);
		assert.equal(staged.version, next);
		assert.equal(staged.checksum, createHash("sha256").update(image).digest("hex"), "the file's bytes, not the form's");
		assert.equal((await request(sim, "DELETE", `/api/update/images/${staged.id}`)).status, 204);

		// The browser's way (undici's FormData builds the body), and a broken image gets the validator's 422.
		const send = async (bytes: Uint8Array, withAuth = true) => {
			const form = new FormData();
			form.append("firmware", new Blob([bytes]), "xs_esp32.bin");
			const res = await fetch(`http://127.0.0.1:${sim.port}/ota/update`, {
				method: "POST",
				body: form,
				headers: withAuth ? { authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {},
			});
			return { status: res.status, body: (await res.json()) as any };
		};
		const ok = await send(image);
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal((await request(sim, "DELETE", `/api/update/images/${ok.body.id}`)).status, 204);
		const bad = await send(buildEspImage({ version: next, badChecksum: true }));
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.code, "image_bad_checksum");
		const stranger = await send(image, false);
		assert.equal(stranger.status, 401, "a stranger on the Wi-Fi cannot flash it");
		const noFile = await request(sim, "POST", "/ota/update", {
			body: `--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--b--\r\n`,
			headers: { "content-type": "multipart/form-data; boundary=b" },
		});
		assert.equal(noFile.status, 400);
		assert.match(noFile.body.error.message, /no file part/);
	});

	it("frees the slot when the client disconnects mid-upload, and aborts a stalled upload", async () => {
		await setup();
		const image = buildEspImage({ version: next, size: 60_000 });
		for (const mode of ["disconnect", "stall"] as const) {
			const socket = net.connect(sim.port, "127.0.0.1");
			await new Promise((r) => socket.once("connect", r));
			socket.write(
				`POST /api/update/images/upload HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${image.length}\r\n\r\n`,
			);
			socket.write(image.subarray(0, 5000));
			await until("bytes to arrive", async () => (await request(sim, "GET", "/api/update", { auth: false })).body.bytesDone >= 5000);
			if (mode === "disconnect") socket.destroy();
			await until(
				`UPLOAD_ERROR after ${mode}`,
				async () => (await request(sim, "GET", "/api/update/images", { auth: false })).body.items[0]?.state === "UPLOAD_ERROR",
			);
			socket.destroy();
			assert.equal(sim.board.port.bootSlot().index, sim.board.port.running().index, "the boot choice never moved");
		}
		const ok = await request(sim, "POST", "/api/update/images/upload", octets(image));
		assert.equal(ok.status, 200, "the slot is free again");
	});

	describe("who may change things", () => {
		it("answers 403 setup_required before a password exists, and reads stay open", async () => {
			const r = await request(sim, "POST", "/api/update/install", { auth: false });
			assert.equal(r.status, 403);
			assert.equal(r.body.error.code, "setup_required");
			assert.equal((await request(sim, "GET", "/api/update", { auth: false })).status, 200);
			const setupState = await request(sim, "GET", "/api/setup", { auth: false });
			assert.deepInclude(setupState.body, { passwordSet: false, setupOpen: true, reason: "first_boot" });
		});
		it("answers 401 without or with a wrong password, 200 with the right one, and 429 after 5 wrong ones", async () => {
			await setup();
			const missing = await request(sim, "POST", "/api/auth/check", { auth: false });
			assert.equal(missing.status, 401);
			assert.equal(missing.body.error.code, "auth_required");
			assert.isUndefined(missing.headers["www-authenticate"]);
			assert.equal((await request(sim, "POST", "/api/auth/check", { auth: "wrong password" })).body.error.code, "auth_invalid");
			assert.equal((await request(sim, "POST", "/api/auth/check")).status, 200);
			let last: Reply | undefined;
			for (let i = 0; i < 5; i++) last = await request(sim, "POST", "/api/auth/check", { auth: `wrong ${i}` });
			assert.equal(last!.status, 429);
			assert.equal(last!.reason, "Too Many Requests");
			assert.equal(last!.headers["retry-after"], "30");
			assert.equal((await request(sim, "POST", "/api/auth/check")).status, 429, "locked even for the right password");
		});
		it("closes setup once a password is set", async () => {
			await setup();
			const again = await request(sim, "POST", "/api/setup", { ...json({ password: "another password" }), auth: false });
			assert.equal(again.status, 403);
			assert.equal(again.body.error.code, "setup_closed");
		});
		it("refuses a foreign Host with 421 (DNS rebinding)", async () => {
			const r = await request(sim, "GET", "/api/status", { auth: false, headers: { host: "evil.example" } });
			assert.equal(r.status, 421);
			assert.equal(r.reason, "Misdirected Request");
			assert.equal(r.body.error.code, "host_not_allowed");
		});
		it("answers a CORS preflight from its own origin without a password, and refuses a foreign one", async () => {
			const ownOrigin = `http://openhaldex.local:${sim.port}`; // the simulator's page is on its own port
			const own = await request(sim, "OPTIONS", "/api/update/install", {
				auth: false,
				headers: { origin: ownOrigin, "access-control-request-method": "POST" },
			});
			assert.equal(own.status, 204);
			assert.equal(own.headers["access-control-allow-origin"], ownOrigin);
			for (const origin of ["http://evil.example", "http://127.0.0.1:9999", "http://localhost:3000", "http://openhaldex.local"]) {
				const foreign = await request(sim, "OPTIONS", "/api/update/install", { auth: false, headers: { origin } });
				assert.equal(foreign.status, 403, origin);
				assert.isUndefined(foreign.headers["access-control-allow-origin"], origin);
			}
		});
	});
});
