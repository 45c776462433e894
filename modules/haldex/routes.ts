/*
 * HTTP routes of the Haldex controller, with OpenHaldex-S3's paths and
 * field names, and the fields it adds to GET /api/status.
 *
 *   POST /api/mode            {"mode": "5050"}            auth
 *   GET  /api/settings        flat settings object
 *   POST /api/settings        {fields to change}          auth
 *   GET  /api/curve/{kind}    kind speed | throttle | rpm
 *   POST /api/curve/{kind}    {"points": [{x, lock}]}     auth
 *   GET  /api/map
 *   POST /api/map             {speedBins, throttleBins, lockTable}   auth
 *
 * Failures: 400 body_not_object, 422 invalid_mode / invalid_setting /
 * invalid_curve / invalid_map (with "field"), 404 unknown_curve,
 * 409 settings_newer_schema, 422 settings_too_large, 500 settings_write_failed.
 */

import type { Router } from "api/router";
import { jsonResponse } from "api/errors";
import type { Haldex } from "haldex/haldex";
import { curveOf, settingsRecord } from "haldex/settings";
import { CURVE_KINDS, type CurveKind } from "haldex/curve";
import { SCHEMA_VERSION, type DisengageUnderSpeed, type SettingsLoadReport } from "haldex/settings";
import type { ControllerStatus } from "haldex/controller";
import type { HaldexMode } from "haldex/modes";
import type { BridgeCounters, BusHealth, HaldexGeneration } from "ports/can";
import { apiError } from "api/error-codes";

/** The one generation whose state byte is not PQ's (a module constant: haldexStatusFields runs every poll). */
const GEN5: HaldexGeneration = 5;
/** S3 reports boost above 1,000 mbar (can_rx.cpp, MOTOR_04). */
const S3_AMBIENT_KPA = 100;

function curveKind(name: string | undefined): CurveKind {
	const kind = CURVE_KINDS.find((k) => k === name);
	if (kind) return kind;
	throw apiError("unknown_curve", `There is no ${JSON.stringify(name)} curve; use ${CURVE_KINDS.join(", ")}.`);
}

function requireObject(body: unknown, what: string): Record<string, unknown> {
	if (body === null || typeof body !== "object" || Array.isArray(body)) throw apiError("body_not_object", `The request body must be a JSON object ${what}.`);
	return body as Record<string, unknown>;
}

export function registerHaldexRoutes(router: Router, haldex: Haldex): void {
	const { settings, controller } = haldex;

	router.add({
		method: "POST",
		path: "/api/mode",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const mode = settings.setMode(requireObject(body, '{"mode": "..."}').mode);
			controller.tick();
			return jsonResponse(200, { ok: true, mode, effectiveMode: controller.effectiveMode() });
		},
	});

	router.add({
		method: "GET",
		path: "/api/settings",
		handle: () => jsonResponse(200, settingsRecord(settings.config.settings, settings.config.extra)),
	});
	router.add({
		method: "POST",
		path: "/api/settings",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const unknownKeys = settings.updateSettings(body);
			controller.tick();
			return jsonResponse(200, { ok: true, settings: settingsRecord(settings.config.settings, settings.config.extra), unknownKeys });
		},
	});

	router.add({
		method: "GET",
		path: "/api/curve/{kind}",
		handle: (req) => {
			const kind = curveKind(req.params.kind);
			const points = curveOf(settings.config, kind);
			return jsonResponse(200, { count: points.length, points });
		},
	});
	router.add({
		method: "POST",
		path: "/api/curve/{kind}",
		auth: true,
		body: "json",
		handle: (req, body) => {
			const kind = curveKind(req.params.kind);
			const points = settings.setCurve(kind, requireObject(body, '{"points": [{"x": ..., "lock": ...}]}'));
			return jsonResponse(200, { ok: true, count: points.length, points });
		},
	});

	router.add({
		method: "GET",
		path: "/api/map",
		handle: () => jsonResponse(200, settings.config.map),
	});
	router.add({
		method: "POST",
		path: "/api/map",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const map = settings.setMap(requireObject(body, "{speedBins, throttleBins, lockTable}"));
			return jsonResponse(200, { ok: true, ...map });
		},
	});
}

/**
 * The Haldex part of GET /api/status, with OpenHaldex-S3's names: top-level
 * mode and settings, `telemetry` (speed km/h, rpm, throttle %, spec = lock
 * target %, act = haldexEngagement %, haldexState and its bits), `can`
 * (S3's fields plus the core's counters and bus health), `frameDiag`, and
 * `controller` (target vs engagement, holds, loop health, settings schema).
 */
/** The Haldex part of GET /api/status. */
export interface HaldexStatusFields {
	mode: HaldexMode;
	effectiveMode: HaldexMode;
	disableController: boolean;
	haldexGeneration: HaldexGeneration;
	disableThrottle: number;
	disableSpeed: number;
	lockReleaseRatePctPerSec: number;
	disengageUnderSpeed: DisengageUnderSpeed;
	telemetry: {
		speed: number;
		rpm: number;
		throttle: number;
		spec: number;
		act: number;
		haldexState: number;
		haldexEngagement: number;
		/** The PQ state byte's bits; null on Gen5, whose state byte's bits are not known (docs/haldex.md). */
		clutch1Report: boolean | null;
		tempProtection: boolean | null;
		clutch2Report: boolean | null;
		couplingOpen: boolean | null;
		speedLimit: boolean | null;
		speedAgeMs: number;
		engineAgeMs: number;
		haldexAgeMs: number;
		/** Engine coolant, degC; -1 age: never seen (then coolant is 0, not a reading). */
		coolant: number;
		coolantAgeMs: number;
		/** Boost pressure, kPa absolute (MQB MOTOR_04); -1 age: never seen (PQ cars carry none). */
		boostKpa: number;
		boostAgeMs: number;
		/** S3's field: boost above S3's assumed 100 kPa ambient, clamped at 0, in kPa as S3's web app shows it; null
		 * while none is received (S3 sends 0 there). */
		boost: number | null;
	};
	can: {
		ready: boolean;
		chassis: boolean;
		haldex: boolean;
		busFailure: boolean;
		lastChassisMs: number;
		lastHaldexMs: number;
		rewriting: boolean;
		health: { chassis: BusHealth; haldex: BusHealth };
		counters: BridgeCounters;
	};
	frameDiag: { lockTarget: number; haldexGen: HaldexGeneration };
	controller: ControllerStatus & { settings: SettingsLoadReport & { schema: number } };
}

/**
 * The Haldex fields of GET /api/status, written into `out` when given:
 * the status route fills one object per firmware in place, poll after poll,
 * instead of building a new tree twice a second (docs/performance.md). @hot
 */
export function haldexStatusFields(haldex: Haldex, out?: HaldexStatusFields): HaldexStatusFields {
	const { bridge, settings, controller } = haldex;
	const v = bridge.vehicle();
	const c = controller.status(v);
	const health = bridge.health();
	const s = settings.config.settings;
	const state = v.haldexState;
	const lockTarget = c.targetPct ?? 0;
	const o = out ?? blankHaldexStatus();
	o.mode = c.mode;
	o.effectiveMode = c.effectiveMode;
	o.disableController = s.disableController;
	o.haldexGeneration = s.haldexGeneration;
	o.disableThrottle = s.disableThrottle;
	o.disableSpeed = s.disableSpeed;
	o.lockReleaseRatePctPerSec = s.lockReleaseRatePctPerSec;
	// Field by field, not Object.assign: XS's assign makes a key list per object, every poll.
	const du = o.disengageUnderSpeed,
		sdu = s.disengageUnderSpeed;
	du.map = sdu.map;
	du.speed = sdu.speed;
	du.throttle = sdu.throttle;
	du.rpm = sdu.rpm;
	const t = o.telemetry;
	t.speed = v.speedKmh;
	t.rpm = v.rpm;
	t.throttle = v.pedalPct;
	t.spec = lockTarget;
	t.act = v.haldexEngagementPct;
	t.haldexState = state;
	t.haldexEngagement = v.haldexEngagementPct;
	const pq = s.haldexGeneration !== GEN5;
	t.clutch1Report = pq ? (state & 0x01) !== 0 : null;
	t.tempProtection = pq ? (state & 0x02) !== 0 : null;
	t.clutch2Report = pq ? (state & 0x04) !== 0 : null;
	t.couplingOpen = pq ? (state & 0x08) !== 0 : null;
	t.speedLimit = pq ? (state & 0x40) !== 0 : null;
	t.speedAgeMs = v.speedAgeMs;
	t.engineAgeMs = v.engineAgeMs;
	t.haldexAgeMs = v.haldexAgeMs;
	t.coolant = v.coolantC;
	t.coolantAgeMs = v.coolantAgeMs;
	t.boostKpa = v.boostKpa;
	t.boostAgeMs = v.boostAgeMs;
	t.boost = v.boostAgeMs < 0 ? null : Math.max(0, v.boostKpa - S3_AMBIENT_KPA);
	const k = o.can;
	k.ready = health.chassis.started && health.haldex.started;
	k.chassis = health.chassis.started && !health.chassis.silent;
	k.haldex = health.haldex.started && !health.haldex.silent;
	k.busFailure = health.chassis.busOff || health.haldex.busOff;
	// The newer of the two chassis frames' ages; 0 before either was seen.
	const e = v.engineAgeMs,
		sp = v.speedAgeMs;
	k.lastChassisMs = e >= 0 && sp >= 0 ? Math.min(e, sp) : e >= 0 ? e : Math.max(sp, 0);
	k.lastHaldexMs = Math.max(v.haldexAgeMs, 0);
	k.rewriting = c.bridgeRewriting;
	k.health = health;
	k.counters = bridge.counters();
	o.frameDiag.lockTarget = lockTarget;
	o.frameDiag.haldexGen = s.haldexGeneration;
	const co = o.controller;
	co.state = c.state;
	co.mode = c.mode;
	co.effectiveMode = c.effectiveMode;
	co.generation = c.generation;
	co.requestPct = c.requestPct;
	co.targetPct = c.targetPct;
	co.engagementPct = c.engagementPct;
	co.bridgeRewriting = c.bridgeRewriting;
	co.holds = c.holds;
	co.offReason = c.offReason; // undefined while running: the JSON leaves it out
	co.ticks = c.ticks;
	co.maxTickGapMs = c.maxTickGapMs;
	const so = co.settings,
		report = settings.report;
	so.schema = SCHEMA_VERSION;
	so.source = report.source;
	so.storedSchema = report.storedSchema;
	so.migrationPending = report.migrationPending;
	so.damaged = report.damaged;
	return o;
}

function blankHaldexStatus(): HaldexStatusFields {
	// Every key once, in the JSON's order; haldexStatusFields fills the values before anyone reads them.
	const unset = undefined as never;
	return {
		mode: unset,
		effectiveMode: unset,
		disableController: unset,
		haldexGeneration: unset,
		disableThrottle: unset,
		disableSpeed: unset,
		lockReleaseRatePctPerSec: unset,
		disengageUnderSpeed: {} as DisengageUnderSpeed,
		telemetry: {} as HaldexStatusFields["telemetry"],
		can: {} as HaldexStatusFields["can"],
		frameDiag: {} as HaldexStatusFields["frameDiag"],
		controller: {
			state: unset,
			mode: unset,
			effectiveMode: unset,
			generation: unset,
			requestPct: unset,
			targetPct: unset,
			engagementPct: unset,
			bridgeRewriting: unset,
			holds: unset,
			offReason: unset,
			ticks: unset,
			maxTickGapMs: unset,
			settings: {} as HaldexStatusFields["controller"]["settings"],
		},
	};
}
