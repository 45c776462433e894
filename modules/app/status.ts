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
import type { SigningSummary, UpdateService } from "update/service";
import type { TimeSource } from "ports/clock";
import type { BootConfirmer } from "ota/boot-confirm";

/** Version, board, uptime, reset reason, memory and clock, written into `out` when given. */
export function systemStatusFields(platform: Platform, out?: SystemStatusFields): SystemStatusFields {
	const uptimeMs = platform.clock.monotonicMs();
	const o = out ?? ({ version: "", board: "", uptimeMs: 0, uptime: 0, resetReason: "", memory: {}, time: {} } as SystemStatusFields);
	o.version = platform.runningVersion();
	o.board = platform.system.board();
	o.uptimeMs = uptimeMs;
	o.uptime = Math.floor(uptimeMs / 1000);
	o.resetReason = platform.system.resetReason();
	o.memory = platform.system.memory();
	o.time.synced = platform.clock.source() !== "none";
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

/** What a client needs after an install to see the board converge, written into `out` when given. */
export function updateStatusFields(update: UpdateService, boot: BootConfirmer, out?: UpdateStatusFields): UpdateStatusFields {
	const o = Object.assign(out ?? ({} as UpdateStatusFields), update.summary());
	o.verifying = boot.phase === "VERIFYING";
	o.healthyForMs = boot.healthyForMs;
	// A developer build (its image unsigned) takes unsigned images; a signed one only images its keys signed.
	o.signing = update.signing();
	return o;
}

export type UpdateStatusFields = ReturnType<UpdateService["summary"]> & { verifying: boolean; healthyForMs: number; signing: SigningSummary };

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
