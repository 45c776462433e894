/*
 * GET /api/status: one object from every part of the firmware, polled by
 * the web app (twice a second on the dashboard). Its type, StatusBody, is
 * the contract: the web app imports it (web/src/ui.ts), so a field renamed
 * here fails the app's type check instead of showing a blank on a phone.
 */

import type { Platform } from "app/platform";
import type { Haldex } from "haldex/haldex";
import { haldexStatusFields } from "haldex/routes";
import type { DeviceServices } from "device/services";
import { deviceStatusFields } from "device/services";
import type { UpdateService } from "update/service";
import type { BootConfirmer } from "ota/boot-confirm";

/** Version, board, uptime, reset reason, memory and clock. */
export function systemStatusFields(platform: Platform) {
	const uptimeMs = platform.clock.monotonicMs();
	return {
		version: platform.runningVersion(),
		board: platform.system.board(),
		uptimeMs,
		uptime: Math.floor(uptimeMs / 1000),
		resetReason: platform.system.resetReason(),
		memory: platform.system.memory(),
		time: { synced: platform.clock.source() !== "none", source: platform.clock.source(), epochMs: platform.clock.wallMs() },
	};
}

/** What a client needs after an install to see the board converge. */
export function updateStatusFields(update: UpdateService, boot: BootConfirmer) {
	const b = boot.status;
	return {
		...update.summary(),
		verifying: b.phase === "VERIFYING",
		healthyForMs: b.healthyForMs,
		// A developer build (its image unsigned) takes unsigned images; a signed one only images its keys signed.
		signing: update.signing(),
	};
}

export interface StatusSources {
	platform: Platform;
	haldex: Haldex;
	device: DeviceServices;
	update: UpdateService;
	boot: BootConfirmer;
}

export function statusBody(s: StatusSources) {
	return { ...systemStatusFields(s.platform), ...haldexStatusFields(s.haldex), ...deviceStatusFields(s.device), update: updateStatusFields(s.update, s.boot) };
}

/** The body of GET /api/status. */
export type StatusBody = ReturnType<typeof statusBody>;
