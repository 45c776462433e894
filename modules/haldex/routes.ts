/*
 * HTTP routes of the Haldex controller, with OpenHaldex-S3's paths and
 * field names, and the fields it adds to GET /api/status.
 *
 *   POST /api/mode            {"mode": "5050"}            auth
 *   GET  /api/settings        flat settings object
 *   POST /api/settings        {fields to change}          auth
 *   GET  /api/curve/{kind}    kind speed | throttle
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
import { settingsRecord } from "haldex/settings";
import type { CurveKind } from "haldex/curve";
import { SCHEMA_VERSION } from "haldex/settings";
import { apiError } from "api/error-codes";

function curveKind(name: string | undefined): CurveKind {
	if (name === "speed" || name === "throttle") return name;
	throw apiError("unknown_curve", `There is no ${JSON.stringify(name)} curve; use speed or throttle.`);
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
			const points = kind === "speed" ? settings.config.speedCurve : settings.config.throttleCurve;
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
export function haldexStatusFields(haldex: Haldex) {
	const { bridge, settings, controller } = haldex;
	const v = bridge.vehicle();
	const c = controller.status(v);
	const health = bridge.health();
	const s = settings.config.settings;
	const age = (ms: number) => Math.max(ms, 0);
	const lastChassis = [v.engineAgeMs, v.speedAgeMs].filter((a) => a >= 0);
	const state = v.haldexState;
	const lockTarget = c.targetPct ?? 0;
	return {
		mode: c.mode,
		effectiveMode: c.effectiveMode,
		disableController: s.disableController,
		haldexGeneration: s.haldexGeneration,
		disableThrottle: s.disableThrottle,
		disableSpeed: s.disableSpeed,
		lockReleaseRatePctPerSec: s.lockReleaseRatePctPerSec,
		disengageUnderSpeed: { ...s.disengageUnderSpeed },
		telemetry: {
			speed: v.speedKmh,
			rpm: v.rpm,
			throttle: v.pedalPct,
			spec: lockTarget,
			act: v.haldexEngagementPct,
			haldexState: state,
			haldexEngagement: v.haldexEngagementPct,
			clutch1Report: (state & 0x01) !== 0,
			tempProtection: (state & 0x02) !== 0,
			clutch2Report: (state & 0x04) !== 0,
			couplingOpen: (state & 0x08) !== 0,
			speedLimit: (state & 0x40) !== 0,
			speedAgeMs: v.speedAgeMs,
			engineAgeMs: v.engineAgeMs,
			haldexAgeMs: v.haldexAgeMs,
		},
		can: {
			ready: health.chassis.started && health.haldex.started,
			chassis: health.chassis.started && !health.chassis.silent,
			haldex: health.haldex.started && !health.haldex.silent,
			busFailure: health.chassis.busOff || health.haldex.busOff,
			lastChassisMs: lastChassis.length ? Math.min(...lastChassis) : 0,
			lastHaldexMs: age(v.haldexAgeMs),
			rewriting: c.bridgeRewriting,
			health,
			counters: bridge.counters(),
		},
		frameDiag: { lockTarget, haldexGen: s.haldexGeneration },
		controller: {
			...c,
			settings: { schema: SCHEMA_VERSION, ...settings.report },
		},
	};
}
