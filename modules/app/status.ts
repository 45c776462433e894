/*
 * GET /api/status: one object from every part of the firmware, polled by
 * the web app (twice a second on the dashboard). Its type, StatusBody, is
 * the contract: the web app imports it (web/src/ui.ts), so a field renamed
 * here fails the app's type check instead of showing a blank on a phone.
 */

import type { Platform } from "app/platform";
import type { Haldex } from "haldex/haldex";
import { haldexStatusFields, type HaldexStatusFields } from "haldex/routes";
import type { DeviceServices } from "device/services";
import { deviceStatusFields, type DeviceStatusFields } from "device/services";
import type { SigningSummary, UpdateService, UpdateSummary } from "update/service";
import type { TimeSource } from "ports/clock";
import { VERIFYING, type BootConfirmer } from "ota/boot-confirm";
import { jsonLayout } from "util/json-writer";
import { frozen } from "util/frozen";

// Every poll compares with these: constants, not literals (docs/preload-hazards.md).
const NO_TIME: TimeSource = "none";

/** Version, board, uptime, reset reason, memory and clock, written into `out` when given. @hot */
export function systemStatusFields(platform: Platform, out?: SystemStatusFields): SystemStatusFields {
	const uptimeMs = platform.clock.monotonicMs();
	const o = out ?? ({ version: "", board: "", uptimeMs: 0, uptime: 0, resetReason: "", memory: {}, time: {} } as SystemStatusFields);
	o.version = platform.runningVersion();
	o.board = platform.system.board();
	o.uptimeMs = uptimeMs;
	o.uptime = Math.floor(uptimeMs / 1000);
	o.resetReason = platform.system.resetReason();
	o.memory = platform.system.memory();
	o.time.synced = platform.clock.source() !== NO_TIME;
	o.time.source = platform.clock.source();
	o.time.epochMs = platform.clock.wallMs();
	return o;
}

export interface SystemStatusFields {
	version: string;
	board: string;
	uptimeMs: number;
	uptime: number;
	resetReason: ReturnType<Platform["system"]["resetReason"]>;
	memory: ReturnType<Platform["system"]["memory"]>;
	time: { synced: boolean; source: TimeSource; epochMs: number };
}

/** What a client needs after an install to see the board converge, written into `out` when given. @hot */
export function updateStatusFields(update: UpdateService, boot: BootConfirmer, out?: UpdateStatusFields): UpdateStatusFields {
	const o = update.summary(out ?? ({} as UpdateStatusFields));
	o.verifying = boot.phase === VERIFYING;
	o.healthyForMs = boot.healthyForMs;
	// A developer build (its image unsigned) takes unsigned images; a signed one only images its keys signed.
	o.signing = update.signing();
	return o;
}

export type UpdateStatusFields = UpdateSummary & { verifying: boolean; healthyForMs: number; signing: SigningSummary };

export interface StatusSources {
	platform: Platform;
	haldex: Haldex;
	device: DeviceServices;
	update: UpdateService;
	boot: BootConfirmer;
}

/** The body of GET /api/status. */
export type StatusBody = SystemStatusFields & HaldexStatusFields & DeviceStatusFields & { update: UpdateStatusFields };

/**
 * The body of GET /api/status. With `into` (the status route's own object,
 * one per firmware) every part is written in place: a poll then builds no
 * new tree, only what the parts hand over fresh (the bridge's counters, the
 * controller's status).
 */
export function statusBody(s: StatusSources, into?: StatusBody): StatusBody {
	if (!into)
		return {
			...systemStatusFields(s.platform),
			...haldexStatusFields(s.haldex),
			...deviceStatusFields(s.device),
			update: updateStatusFields(s.update, s.boot),
		};
	systemStatusFields(s.platform, into);
	haldexStatusFields(s.haldex, into);
	deviceStatusFields(s.device, into);
	updateStatusFields(s.update, s.boot, into.update);
	return into;
}

/**
 * The order and keys of GET /api/status for util/json-writer, checked
 * against StatusBody by the compiler: a field added to any part of the
 * status fails the build until it is named here.
 */
// biome-ignore format: a key beside its layout reads better than one item a line.
export const STATUS_LAYOUT = frozen(jsonLayout<StatusBody>()([
	"version", 0, "board", 0, "uptimeMs", 0, "uptime", 0, "resetReason", 0,
	"memory", ["xsHeapFree", 0, "nativeHeapFree", 0],
	"time", ["synced", 0, "source", 0, "epochMs", 0],
	"mode", 0, "effectiveMode", 0, "disableController", 0, "haldexGeneration", 0, "disableThrottle", 0, "disableSpeed", 0,
	"lockReleaseRatePctPerSec", 0,
	"disengageUnderSpeed", ["map", 0, "speed", 0, "throttle", 0, "rpm", 0],
	"telemetry", [
		"speed", 0, "rpm", 0, "throttle", 0, "spec", 0, "act", 0, "haldexState", 0, "haldexEngagement", 0,
		"clutch1Report", 0, "tempProtection", 0, "clutch2Report", 0, "couplingOpen", 0, "speedLimit", 0,
		"speedAgeMs", 0, "engineAgeMs", 0, "haldexAgeMs", 0, "coolant", 0, "coolantAgeMs", 0, "boostKpa", 0, "boostAgeMs", 0, "boost", 0,
	],
	"can", [
		"ready", 0, "chassis", 0, "haldex", 0, "busFailure", 0, "lastChassisMs", 0, "lastHaldexMs", 0, "rewriting", 0,
		"health", ["chassis", ["started", 0, "busOff", 0, "silent", 0], "haldex", ["started", 0, "busOff", 0, "silent", 0]],
		"counters", [
			"chassisToHaldex", 0, "haldexToChassis", 0, "rewritten", 0, "dropped", 0, "errors", 0, "busOffRecoveries", 0,
			"watchdogFallbacks", 0, "e2eMismatch", 0,
		],
	],
	"frameDiag", ["lockTarget", 0, "haldexGen", 0],
	"controller", [
		"state", 0, "mode", 0, "effectiveMode", 0, "generation", 0, "requestPct", 0, "targetPct", 0, "engagementPct", 0,
		"bridgeRewriting", 0, "holds", { items: 0 }, "offReason", 0, "ticks", 0, "maxTickGapMs", 0,
		"settings", ["schema", 0, "source", 0, "storedSchema", 0, "migrationPending", 0, "damaged", { items: 0 }],
	],
	"safeMode", 0, "banner", 0,
	"boot", ["count", 0, "resetReason", 0, "crashStreak", 0],
	"led", ["color", 0, "rgb", 0, "pattern", 0, "reason", 0],
	"network", ["addresses", { items: 0 }, "station", 0],
	"update", [
		"state", 0, "stage", 0, "current", 0, "target_version", 0, "available", 0, "verifying", 0, "healthyForMs", 0,
		"signing", ["required", 0, "keys", { items: 0 }, "espIdfVerifies", 0],
	],
]));
