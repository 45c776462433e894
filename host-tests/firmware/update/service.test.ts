/*
 * Specification of the update API (modules/update/service + routes) through
 * the whole firmware: router, guards, auth, the real OTA pipeline over the
 * in-memory flash and simulated bootloader, and simulated reboots.
 */

import { assert } from "../../support/assert";
import { fakePlatform, type FakePlatform } from "../../support/fakes";
import { createFirmware, type Firmware } from "app/firmware";
import { header, type Response } from "api/http";
import type { Exchange } from "api/router";
import { base64Encode } from "util/base64";
import { utf8Encode } from "util/utf8";
import { buildEspImage, sha256 } from "../../support/esp-image";
import { toHex } from "util/hex";
import { bodyText } from "../../support/body";

const PASSWORD = "correct horse";
const AUTH = `Basic ${base64Encode(utf8Encode(`admin:${PASSWORD}`))}`;
const HEALTH_WINDOW_MS = 30_000;

interface Call {
	status: number;
	body: any;
	res: Response;
}

class Device {
	platform: FakePlatform;
	fw!: Firmware;
	constructor(version = "1.2.3+ohxs") {
		this.platform = fakePlatform(version);
		this.boot();
		this.platform.time.advance(1);
		assert.equal(this.post("/api/setup", { password: PASSWORD }, false).status, 200);
	}

	/** Power on (or reboot): the simulated bootloader picks a slot, then the firmware starts. */
	boot(): void {
		this.fw?.stop();
		this.fw = createFirmware(
			{ ...this.platform, ota: this.platform.board.port },
			{ hostName: "openhaldex", httpPort: 80 },
			{ auth: { iterations: 4 }, bootConfirm: { windowMs: HEALTH_WINDOW_MS, pollMs: 1000 } },
		);
	}

	reboot(): void {
		this.platform.board.boot();
		this.boot();
	}

	call(method: string, target: string, body?: unknown, auth = true, headers: Record<string, string> = {}): Call {
		const h: Record<string, string> = { host: "openhaldex.local", ...headers };
		if (auth) h.authorization = AUTH;
		if (body !== undefined) h["content-type"] = "application/json";
		const res = this.fw.router.handle({ method, target, headers: h }, body === undefined ? undefined : JSON.stringify(body));
		const text = bodyText(res);
		return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
	}
	get(target: string): Call {
		return this.call("GET", target, undefined, false);
	}
	post(target: string, body?: unknown, auth = true): Call {
		return this.call("POST", target, body, auth);
	}

	open(bytes: number, headers: Record<string, string> = {}, target = "/api/update/images/upload"): Exchange {
		return this.fw.router.open(
			{
				method: "POST",
				target,
				headers: { host: "openhaldex.local", authorization: AUTH, "content-type": "application/octet-stream", ...headers },
			},
			bytes,
		);
	}

	upload(image: Uint8Array, headers: Record<string, string> = {}, chunk = 1460): Call {
		const ex = this.open(image.length, headers);
		if (ex.wantsBody) for (let i = 0; i < image.length; i += chunk) ex.write(image.subarray(i, i + chunk));
		const res = ex.finish();
		return { status: res.status, body: JSON.parse(res.body as string), res };
	}

	/** POST /api/update/install and, like the adapter, run afterSend once the response is out. */
	install(): Call {
		const c = this.post("/api/update/install");
		c.res.afterSend?.();
		return c;
	}
	status(): any {
		return this.get("/api/update").body;
	}
}

const newer = (size = 6000) => buildEspImage({ version: "1.3.0+ohxs", size, seed: 3 });

describe("update API", () => {
	let dev: Device;
	beforeEach(() => {
		dev = new Device();
	});
	afterEach(() => dev.fw.stop());

	describe("GET /api/update", () => {
		it("reports the running version from the slot's descriptor, IDLE, and the installation as first history entry", () => {
			const s = dev.status();
			assert.equal(s.current, "1.2.3+ohxs");
			assert.equal(s.state, "IDLE");
			assert.equal(s.installing, false);
			assert.equal(s.stage, "idle");
			assert.deepEqual(s.update_history, [{ time: 0, version: "1.2.3+ohxs" }]);
			assert.equal(s.timeSynced, false);
			assert.equal(s.last_state_time, 0);
			for (const key of [
				"latest",
				"available",
				"lastCheckMs",
				"checkError",
				"bytesDone",
				"bytesTotal",
				"speedBps",
				"progressMs",
				"state_description",
				"target_version",
			])
				assert.property(s, key);
		});
		it("is included in GET /api/status as the update summary", () => {
			const s = dev.get("/api/status").body;
			assert.equal(s.version, "1.2.3+ohxs");
			assert.deepInclude(s.update, { state: "IDLE", current: "1.2.3+ohxs", verifying: false });
		});
	});

	describe("POST /api/update/images/upload", () => {
		it("streams a valid image into the inactive slot and answers the image as VALID with its SHA-256", () => {
			const image = newer();
			const c = dev.upload(image);
			assert.equal(c.status, 200);
			assert.deepInclude(c.body, { id: 1, version: "1.3.0+ohxs", state: "VALID", progress: 100, checksum: toHex(sha256(image)) });
			assert.deepEqual(
				dev.get("/api/update/images").body.items.map((i: any) => i.id),
				[1],
			);
			assert.equal(dev.get("/api/update/images/1").body.state, "VALID");
			assert.equal(dev.platform.board.port.bootSlot().index, 0, "the boot choice is unchanged until an install");
			assert.equal(dev.status().stage, "staged");
		});
		it("checks the expected SHA-256 from the x-expected-sha256 header", () => {
			const image = newer();
			assert.equal(dev.upload(image, { "x-expected-sha256": toHex(sha256(image)) }).status, 200);
			const bad = dev.upload(image, { "x-expected-sha256": "0".repeat(64) });
			assert.equal(bad.status, 422);
			assert.equal(bad.body.error.code, "image_sha256_mismatch");
		});
		it("refuses an expected SHA-256 that is not 64 hex digits with 422 invalid_sha256 naming the header", () => {
			const c = dev.upload(newer(), { "x-expected-sha256": "abc" });
			assert.equal(c.status, 422);
			assert.equal(c.body.error.code, "invalid_sha256");
			assert.equal(c.body.error.field, "x-expected-sha256");
		});
		it("answers 422 with the validator's code for a bad image, and the image is INVALID", () => {
			const c = dev.upload(buildEspImage({ version: "1.3.0+ohxs", magic: 0x12 }));
			assert.equal(c.status, 422);
			assert.equal(c.body.error.code, "image_bad_magic");
			const img = dev.get("/api/update/images").body.items[0];
			assert.equal(img.state, "INVALID");
			assert.equal(img.error.code, "image_bad_magic");
		});
		it("answers 422 image_downgrade for an older version unless allowDowngrade is asked", () => {
			const older = buildEspImage({ version: "1.0.0+ohxs" });
			assert.equal(dev.upload(older).body.error.code, "image_downgrade");
			const ex = dev.open(older.length, {}, "/api/update/images/upload?allowDowngrade=1");
			ex.write(older);
			assert.equal(ex.finish().status, 200);
		});
		it("refuses another content type with 415", () => {
			const c = dev.upload(newer(), { "content-type": "multipart/form-data; boundary=x" });
			assert.equal(c.status, 415);
		});
		it("refuses an upload larger than a slot with 413 before reading it", () => {
			const slot = dev.platform.board.port.slots()[1].size;
			const ex = dev.open(slot + 1);
			assert.isFalse(ex.wantsBody);
			assert.equal(ex.finish().status, 413);
		});
		it("needs the admin password (401 without it)", () => {
			const ex = dev.open(100, { authorization: "" });
			assert.equal(ex.finish().status, 401);
		});
		it("refuses a second upload while one runs with 409 update_busy", () => {
			const image = newer();
			const first = dev.open(image.length);
			first.write(image.subarray(0, 1000));
			const second = dev.upload(image);
			assert.equal(second.status, 409);
			assert.equal(second.body.error.code, "update_busy");
			first.write(image.subarray(1000));
			assert.equal(first.finish().status, 200);
		});
		it("leaves nothing half-valid when the client disconnects mid-upload: UPLOAD_ERROR, slot freed", () => {
			const image = newer();
			const ex = dev.open(image.length);
			ex.write(image.subarray(0, 3000));
			ex.abort("client disconnected");
			const img = dev.get("/api/update/images").body.items[0];
			assert.equal(img.state, "UPLOAD_ERROR");
			assert.equal(dev.platform.board.port.bootSlot().index, 0);
			assert.equal(dev.upload(image).status, 200, "the slot is free for the next upload");
		});
		it("aborts a stalled upload after 30 s without bytes: UPLOAD_ERROR and the slot freed", () => {
			const image = newer();
			const ex = dev.open(image.length);
			ex.write(image.subarray(0, 2000));
			dev.platform.time.advance(29_999);
			assert.equal(dev.get("/api/update/images").body.items[0].state, "UPLOADING");
			dev.platform.time.advance(1);
			const img = dev.get("/api/update/images").body.items[0];
			assert.equal(img.state, "UPLOAD_ERROR");
			assert.match(img.state_description, /no data arrived for 30 s/);
			ex.write(image.subarray(2000));
			assert.isTrue(ex.settled, "decided mid-body: the adapter answers now and closes");
			const late = ex.finish();
			assert.equal(late.status, 408, "the late rest of the body is refused, never 200");
			assert.equal(JSON.parse(late.body as string).error.code, "upload_stalled");
			assert.equal(dev.upload(image).status, 200);
		});
		it("aborts an upload that trickles (less than 1 KiB per 30 s): the slot is not held for ever", () => {
			const image = newer();
			const ex = dev.open(image.length);
			let at = 0;
			for (let t = 0; t < 31_000; t += 10_000) {
				ex.write(image.subarray(at, at + 1));
				at += 1;
				dev.platform.time.advance(10_000);
			}
			const img = dev.get("/api/update/images").body.items[0];
			assert.equal(img.state, "UPLOAD_ERROR");
			assert.match(img.state_description, /only \d+ bytes arrived in 30 s/);
			assert.equal(dev.upload(image).status, 200, "the slot is free for the next upload");
		});
		it("lets a slow but steady upload through (a few KiB every 30 s is progress)", () => {
			const image = newer(12_000);
			const ex = dev.open(image.length);
			for (let at = 0; at < image.length; at += 1500) {
				ex.write(image.subarray(at, at + 1500));
				dev.platform.time.advance(20_000);
			}
			assert.equal(ex.finish().status, 200);
		});
		it("reports progress, bytes and speed while receiving", () => {
			const image = newer(20_000);
			const ex = dev.open(image.length);
			ex.write(image.subarray(0, 10_000));
			dev.platform.time.advance(1000);
			ex.write(image.subarray(10_000, 10_001));
			const s = dev.status();
			assert.equal(s.stage, "uploading");
			assert.equal(s.bytesDone, 10_001);
			assert.equal(s.bytesTotal, image.length);
			assert.equal(s.speedBps, 10_001);
			assert.equal(dev.get("/api/update/images").body.items[0].progress, Math.floor((10_001 * 100) / image.length));
		});
	});

	describe("GET and DELETE /api/update/images/{id}", () => {
		it("answers 404 for an image that is not there, saying one image is held at a time", () => {
			dev.upload(newer());
			const c = dev.get("/api/update/images/7");
			assert.equal(c.status, 404);
			assert.match(c.body.error.message, /one image at a time/);
		});
		it("discards a staged image: 204, gone, and it can no longer be installed", () => {
			dev.upload(newer());
			assert.equal(dev.call("DELETE", "/api/update/images/1").status, 204);
			assert.deepEqual(dev.get("/api/update/images").body.items, []);
			const c = dev.install();
			assert.equal(c.status, 409);
			assert.deepEqual(c.body, { started: false, error: c.body.error });
			assert.equal(c.body.error.code, "nothing_to_install");
		});
	});

	describe("POST /api/update/install", () => {
		it("answers 409 {started:false} with nothing to install", () => {
			const c = dev.install();
			assert.equal(c.status, 409);
			assert.equal(c.body.started, false);
			assert.equal(c.body.error.code, "nothing_to_install");
			assert.deepEqual(dev.platform.restart.reasons, []);
		});
		it("refuses while the car moves (409 vehicle_moving) and while the engine runs (409 engine_running)", () => {
			dev.upload(newer());
			const can = dev.platform.can;
			can.inputs = { ...can.inputs, speedKmh: 12, speedAgeMs: 20, rpm: 900, engineAgeMs: 20 };
			assert.equal(dev.install().body.error.code, "vehicle_moving");
			can.inputs = { ...can.inputs, speedKmh: 0 };
			assert.equal(dev.install().body.error.code, "engine_running");
			assert.deepEqual(dev.platform.restart.reasons, []);
			assert.equal(dev.platform.board.port.bootSlot().index, 0);
		});
		it("treats telemetry older than 2 s as a silent bus (engine off), not as moving", () => {
			dev.upload(newer());
			const can = dev.platform.can;
			can.inputs = { ...can.inputs, speedKmh: 40, speedAgeMs: 2001, rpm: 800, engineAgeMs: 5000 };
			assert.equal(dev.install().status, 200);
		});
		it("starts the install: 200 {started:true}, CAN held in pass-through, boot slot switched, restart only after the response", () => {
			dev.upload(newer());
			const c = dev.post("/api/update/install");
			assert.equal(c.status, 200);
			assert.deepEqual(c.body, { started: true });
			assert.deepEqual(dev.platform.restart.reasons, [], "no restart before the response is sent");
			assert.isTrue(dev.platform.can.held, "the core's own pass-through hold");
			assert.isNull(dev.platform.can.last?.lockPct ?? null, "the controller asks for STOCK");
			assert.equal(dev.platform.board.port.bootSlot().index, 1);
			assert.equal(dev.status().state, "RUNNING");
			c.res.afterSend!();
			assert.deepEqual(dev.platform.restart.reasons, ["installing 1.3.0+ohxs"]);
		});
		it("goes the whole way: reboot -> PENDING_VERIFY, held in STOCK -> confirmed after 30 s healthy -> history", () => {
			dev.upload(newer());
			dev.install();
			dev.reboot();
			let s = dev.status();
			assert.equal(s.current, "1.3.0+ohxs");
			assert.equal(s.state, "RUNNING");
			assert.equal(s.stage, "verifying");
			assert.equal(dev.platform.board.port.runningState(), "PENDING_VERIFY");
			assert.equal(dev.get("/api/status").body.update.verifying, true);
			assert.equal(dev.upload(newer()).body.error.code, "pending_verify", "no upload while on trial");
			assert.equal(dev.install().body.error.code, "pending_verify");
			dev.platform.time.advance(HEALTH_WINDOW_MS + 2000);
			s = dev.status();
			assert.equal(s.state, "IDLE");
			assert.match(s.state_description, /Updated to 1\.3\.0\+ohxs/);
			assert.deepEqual(
				s.update_history.map((e: any) => e.version),
				["1.2.3+ohxs", "1.3.0+ohxs"],
			);
			assert.equal(dev.platform.board.port.runningState(), "VALID");
			assert.isFalse(dev.platform.can.held, "the hold is released once confirmed");
		});
		it("rolls back on a reset during the trial and says why (FAILED_GRACEFUL)", () => {
			dev.upload(newer());
			dev.install();
			dev.reboot();
			dev.platform.can.busHealth = { ...dev.platform.can.busHealth, haldex: { started: true, busOff: true, silent: false } };
			dev.platform.time.advance(HEALTH_WINDOW_MS + 2000);
			assert.equal(dev.status().state, "RUNNING", "an unhealthy image is never confirmed");
			dev.reboot();
			const s = dev.status();
			assert.equal(s.current, "1.2.3+ohxs");
			assert.equal(s.state, "FAILED_GRACEFUL");
			assert.match(s.state_description, /1\.3\.0\+ohxs did not start for good/);
			assert.match(s.state_description, /bus-off/);
			assert.deepEqual(
				s.update_history.map((e: any) => e.version),
				["1.2.3+ohxs"],
			);
		});
	});

	describe("init, start and reset (the system-update API)", () => {
		it("init refuses with nothing staged (409), then prepares a staged image (204, INITIALIZED)", () => {
			assert.equal(dev.post("/api/update/init").status, 409);
			assert.equal(dev.status().state, "IDLE");
			dev.upload(newer());
			assert.equal(dev.post("/api/update/init").status, 204);
			const s = dev.status();
			assert.equal(s.state, "INITIALIZED");
			assert.equal(s.target_version, "1.3.0+ohxs");
		});
		it("start refuses before init (409 not_initialized) and restarts after its response once initialized", () => {
			dev.upload(newer());
			assert.equal(dev.post("/api/update/start").body.error.code, "not_initialized");
			dev.post("/api/update/init");
			const c = dev.post("/api/update/start");
			assert.equal(c.status, 204);
			assert.equal(dev.platform.board.port.bootSlot().index, 1);
			c.res.afterSend!();
			assert.equal(dev.platform.restart.reasons.length, 1);
		});
		it("reset returns to IDLE and discards the staged image", () => {
			dev.upload(newer());
			dev.post("/api/update/init");
			assert.equal(dev.post("/api/update/reset").status, 204);
			assert.equal(dev.status().state, "IDLE");
			assert.deepEqual(dev.get("/api/update/images").body.items, []);
			assert.equal(dev.post("/api/update/init").status, 409);
		});
		it("every lifecycle call needs the password", () => {
			for (const path of ["/api/update/init", "/api/update/start", "/api/update/reset", "/api/update/install"])
				assert.equal(dev.post(path, undefined, false).status, 401, path);
		});
	});

	describe("time", () => {
		it("stamps state changes with 0 until a source sets the clock, then with epoch seconds", () => {
			dev.upload(newer());
			dev.post("/api/update/init");
			assert.equal(dev.status().last_state_time, 0);
			const t = dev.post("/api/time", { epochMs: 1_790_000_000_000 });
			assert.deepEqual(t.body, { accepted: true, source: "browser", epochMs: 1_790_000_000_000 });
			dev.post("/api/update/reset");
			const s = dev.status();
			assert.equal(s.timeSynced, true);
			assert.equal(s.last_state_time, 1_790_000_000);
		});
		it("refuses a time outside 2024..2100 with 422 invalid_time", () => {
			const r = dev.post("/api/time", { epochMs: 0 });
			assert.deepEqual([r.status, r.body.error.code, r.body.error.field], [422, "invalid_time", "epochMs"]);
		});
	});

	it("sends reason phrases for statuses Moddable's server lacks", () => {
		const c = dev.upload(buildEspImage({ version: "1.3.0+ohxs", chipId: 9 }));
		assert.equal(c.status, 422);
		assert.equal(c.body.error.code, "image_wrong_chip");
		assert.equal(header(c.res, "content-type"), "application/json");
	});
});
