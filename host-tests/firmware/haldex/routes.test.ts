/* Specification of haldex/routes: the HTTP endpoints and the S3-compatible status fields. Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { ManualTime, MemoryStore } from "../../support/fakes";
import { RecordingCanBridge } from "../../support/fake-can";
import { noVehicle } from "ports/can";
import { Router } from "api/router";
import type { Response } from "api/http";
import { createHaldex, type Haldex } from "haldex/haldex";
import { haldexStatusFields, registerHaldexRoutes } from "haldex/routes";
import { KEY_MODE, SETTINGS_DOMAIN } from "haldex/settings";

const JSON_HEADERS = { "content-type": "application/json" };

function body(res: Response): any {
	return JSON.parse(res.body as string);
}

describe("haldex/routes", () => {
	let time: ManualTime;
	let bridge: RecordingCanBridge;
	let store: MemoryStore;
	let haldex: Haldex;
	let router: Router;
	const post = (target: string, value: unknown) => router.handle({ method: "POST", target, headers: JSON_HEADERS }, JSON.stringify(value));
	const get = (target: string) => router.handle({ method: "GET", target, headers: {} });

	beforeEach(() => {
		time = new ManualTime();
		bridge = new RecordingCanBridge(time);
		store = new MemoryStore();
		haldex = createHaldex({ bridge, store, timers: time, clock: time });
		router = new Router();
		registerHaldexRoutes(router, haldex);
		haldex.controller.start();
	});

	describe("POST /api/mode", () => {
		it("selects a mode, persists it and applies it at once", () => {
			const res = post("/api/mode", { mode: "5050" });
			assert.equal(res.status, 200);
			assert.deepEqual(body(res), { ok: true, mode: "5050", effectiveMode: "5050" });
			assert.equal(store.get(SETTINGS_DOMAIN, KEY_MODE), "5050");
			assert.equal(bridge.last!.lockPct, 100);
		});
		it("accepts S3's 7030 as our 7525 (30 % lock)", () => {
			const res = post("/api/mode", { mode: "7030" });
			assert.equal(body(res).mode, "7525");
			assert.equal(bridge.last!.lockPct, 30);
		});
		it("accepts S3's 8020 and 9010 (80:20, 90:10): the 7525 rewrite at 20 and 10 %", () => {
			// 9010 first: a rising request applies at once (a falling one is ramped down).
			assert.deepEqual(body(post("/api/mode", { mode: "90:10" })), { ok: true, mode: "9010", effectiveMode: "9010" });
			assert.deepEqual(bridge.last, { ...bridge.last!, lockPct: 10, mode: "7525" });
			assert.equal(store.get(SETTINGS_DOMAIN, KEY_MODE), "9010");
			assert.equal(body(post("/api/mode", { mode: "8020" })).mode, "8020");
			assert.equal(bridge.last!.lockPct, 20);
			assert.equal(bridge.last!.mode, "7525");
		});
		it("refuses an unknown mode with 422 invalid_mode and keeps the old one", () => {
			post("/api/mode", { mode: "FWD" });
			const res = post("/api/mode", { mode: "RPM2" });
			assert.equal(res.status, 422);
			assert.equal(body(res).error.code, "invalid_mode");
			assert.equal(haldex.settings.config.mode, "FWD");
		});
		it("refuses a body that is not an object with 400 body_not_object", () => {
			const res = post("/api/mode", "5050");
			assert.equal(res.status, 400);
			assert.equal(body(res).error.code, "body_not_object");
		});
		it("reports STOCK as the effective mode while held", () => {
			haldex.controller.holdStock("pending-verify");
			assert.deepEqual(body(post("/api/mode", { mode: "6040" })), { ok: true, mode: "6040", effectiveMode: "STOCK" });
			assert.isNull(bridge.last!.lockPct);
		});
	});

	describe("settings", () => {
		it("GET returns the flat settings with S3's names", () => {
			const s = body(get("/api/settings"));
			assert.deepEqual(s, {
				haldexGeneration: 4,
				disableController: false,
				disableThrottle: 0,
				disableSpeed: 0,
				lockReleaseRatePctPerSec: 120,
				disengageUnderSpeed: { map: 0, speed: 0, throttle: 0, rpm: 0 },
			});
		});
		it("POST changes the given fields, returns all settings and names the unknown keys kept", () => {
			const res = post("/api/settings", { disableThrottle: 20, logToFileEnabled: true });
			assert.equal(res.status, 200);
			const b = body(res);
			assert.equal(b.settings.disableThrottle, 20);
			assert.equal(b.settings.logToFileEnabled, true);
			assert.deepEqual(b.unknownKeys, ["logToFileEnabled"]);
			assert.equal(body(get("/api/settings")).logToFileEnabled, true);
		});
		it("POST refuses a bad value with 422 invalid_setting and the field, keeping the old setting", () => {
			const res = post("/api/settings", { haldexGeneration: 6 });
			assert.equal(res.status, 422);
			assert.equal(body(res).error.code, "invalid_setting");
			assert.equal(body(res).error.field, "haldexGeneration");
			assert.equal(body(get("/api/settings")).haldexGeneration, 4);
		});
		it("a GET body posted back unchanged is accepted and changes nothing", () => {
			const before = body(get("/api/settings"));
			const res = post("/api/settings", before);
			assert.equal(res.status, 200);
			assert.deepEqual(body(res).unknownKeys, []);
			assert.deepEqual(body(get("/api/settings")), before);
		});
	});

	describe("curves", () => {
		it("GET answers S3's {count, points} for speed and throttle", () => {
			const speed = body(get("/api/curve/speed"));
			assert.equal(speed.count, 5);
			assert.deepEqual(speed.points[0], { x: 0, lock: 50 });
			assert.equal(body(get("/api/curve/throttle")).points[4].x, 80);
		});
		it("POST replaces a curve and GET returns it", () => {
			const points = [
				{ x: 0, lock: 10 },
				{ x: 60, lock: 90 },
			];
			const res = post("/api/curve/throttle", { points });
			assert.equal(res.status, 200);
			assert.deepEqual(body(res), { ok: true, count: 2, points });
			assert.deepEqual(body(get("/api/curve/throttle")).points, points);
		});
		it("POST refuses non-ascending x with 422 invalid_curve naming the point", () => {
			const res = post("/api/curve/speed", {
				points: [
					{ x: 10, lock: 1 },
					{ x: 10, lock: 2 },
				],
			});
			assert.equal(res.status, 422);
			assert.equal(body(res).error.code, "invalid_curve");
			assert.equal(body(res).error.field, "points[1].x");
		});
		it("answers 404 unknown_curve for a curve that does not exist", () => {
			const res = get("/api/curve/boost");
			assert.equal(res.status, 404);
			assert.equal(body(res).error.code, "unknown_curve");
			assert.include(body(res).error.message, "speed, throttle, rpm");
			assert.equal(body(post("/api/curve/boost", { points: [] })).error.code, "unknown_curve");
		});
		it("has S3's RPM curve: GET gives the factory curve, POST replaces it, and RPM mode follows the engine speed", () => {
			assert.deepEqual(body(get("/api/curve/rpm")), {
				count: 6,
				points: [0, 1000, 2000, 3500, 5000, 6500].map((x, i) => ({ x, lock: [0, 10, 30, 55, 80, 100][i] })),
			});
			const points = [
				{ x: 2000, lock: 0 },
				{ x: 6000, lock: 100 },
			];
			assert.deepEqual(body(post("/api/curve/rpm", { points })), { ok: true, count: 2, points });
			assert.deepEqual(body(post("/api/mode", { mode: "RPM" })), { ok: true, mode: "RPM", effectiveMode: "RPM" });
			bridge.inputs = { ...bridge.inputs, rpm: 4000, speedKmh: 30, pedalPct: 20 };
			time.advance(20);
			assert.equal(bridge.last!.lockPct, 50);
			assert.equal(bridge.last!.mode, "CUSTOM");
			// The RPM gate: no lock under 40 km/h unless at full pedal.
			assert.equal(post("/api/settings", { disengageUnderSpeed: { rpm: 40 } }).status, 200);
			time.advance(6000); // past the release ramp's resync gap: the fall applies at once
			assert.equal(bridge.last!.lockPct, 0);
			bridge.inputs = { ...bridge.inputs, pedalPct: 100 };
			time.advance(20);
			assert.equal(bridge.last!.lockPct, 50);
		});
	});

	describe("map", () => {
		it("GET answers speedBins, throttleBins and a 7 x 9 lockTable; POST replaces it", () => {
			const map = body(get("/api/map"));
			assert.lengthOf(map.speedBins, 9);
			assert.lengthOf(map.throttleBins, 7);
			map.lockTable[6][8] = 99;
			const res = post("/api/map", map);
			assert.equal(res.status, 200);
			assert.equal(body(get("/api/map")).lockTable[6][8], 99);
		});
		it("POST refuses a wrong row with 422 invalid_map", () => {
			const map = body(get("/api/map"));
			map.lockTable[2].push(0);
			const res = post("/api/map", map);
			assert.equal(res.status, 422);
			assert.equal(body(res).error.field, "lockTable[2]");
		});
	});

	it("marks every state-changing route auth: true and no read route", () => {
		const specs: { method: string; path: string; auth?: boolean }[] = [];
		const recorder = {
			add(spec: { method: string; path: string; auth?: boolean }) {
				specs.push(spec);
				return recorder;
			},
		};
		registerHaldexRoutes(recorder as unknown as Router, haldex);
		assert.isAbove(specs.length, 6);
		for (const s of specs) assert.equal(s.auth === true, s.method === "POST", `${s.method} ${s.path}`);
	});

	describe("status fields", () => {
		it("carry S3's names for telemetry, can and frameDiag, with target and engagement", () => {
			post("/api/mode", { mode: "6040" });
			bridge.inputs = {
				speedKmh: 42.5,
				rpm: 2100.25,
				pedalPct: 33.2,
				haldexEngagementPct: 38,
				haldexState: 0x41,
				speedAgeMs: 4,
				engineAgeMs: 7,
				haldexAgeMs: 12,
				coolantC: 87.75,
				coolantAgeMs: 15,
				boostKpa: 0,
				boostAgeMs: -1,
			};
			bridge.counts = { ...bridge.counts, chassisToHaldex: 1000, rewritten: 400, watchdogFallbacks: 1 };
			time.advance(20);
			const s = haldexStatusFields(haldex);
			assert.equal(s.mode, "6040");
			assert.equal(s.effectiveMode, "6040");
			assert.equal(s.haldexGeneration, 4);
			assert.deepEqual(s.telemetry, {
				speed: 42.5,
				rpm: 2100.25,
				throttle: 33.2,
				spec: 40,
				act: 38,
				haldexState: 0x41,
				haldexEngagement: 38,
				clutch1Report: true,
				tempProtection: false,
				clutch2Report: false,
				couplingOpen: false,
				speedLimit: true,
				speedAgeMs: 4,
				engineAgeMs: 7,
				haldexAgeMs: 12,
				coolant: 87.75,
				coolantAgeMs: 15,
				boostKpa: 0,
				boostAgeMs: -1,
				boost: null,
			});
			assert.include(s.can, { ready: true, chassis: true, haldex: true, busFailure: false, lastChassisMs: 4, lastHaldexMs: 12, rewriting: true });
			assert.equal(s.can.counters.rewritten, 400);
			assert.deepEqual(s.frameDiag, { lockTarget: 40, haldexGen: 4 });
			assert.equal(s.controller.targetPct, 40);
			assert.equal(s.controller.engagementPct, 38);
			assert.equal(s.controller.settings.schema, 2);
		});

		it("on Gen5 carry boost and leave the PQ state bits unknown (null), not guessed", () => {
			post("/api/settings", { haldexGeneration: 5 });
			bridge.inputs = { ...noVehicle(), haldexState: 0x41, haldexAgeMs: 3, boostKpa: 181, boostAgeMs: 6 };
			time.advance(20);
			const s = haldexStatusFields(haldex);
			assert.equal(s.haldexGeneration, 5);
			assert.equal(s.frameDiag.haldexGen, 5);
			assert.include(s.telemetry, { haldexState: 0x41, boostKpa: 181, boostAgeMs: 6, boost: 81 });
			for (const bit of ["clutch1Report", "tempProtection", "clutch2Report", "couplingOpen", "speedLimit"] as const) assert.isNull(s.telemetry[bit], bit);
		});
		it("report a silent Haldex bus, a bus-off and pass-through in STOCK", () => {
			bridge.busHealth.haldex = { started: true, busOff: true, silent: true };
			const s = haldexStatusFields(haldex);
			assert.isFalse(s.can.haldex);
			assert.isTrue(s.can.busFailure);
			assert.equal(s.telemetry.spec, 0);
			assert.isNull(s.controller.targetPct);
			assert.equal(s.can.lastChassisMs, 0, "never received counts as 0, as S3 does");
		});
		it("serialize to JSON", () => {
			assert.doesNotThrow(() => JSON.stringify(haldexStatusFields(haldex)));
		});
	});
});
