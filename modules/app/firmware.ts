/*
 * The firmware application, independent of where it runs: builds the
 * router from the platform's ports. Both composition roots call this, so
 * the board, mcsim and the Node simulator serve the same routes.
 */

import { Router } from "api/router";
import { jsonResponse } from "api/errors";
import type { FirmwareConfig, Platform } from "app/platform";

export interface Firmware {
	readonly router: Router;
	readonly config: FirmwareConfig;
	/** Stop timers and release resources (simulated reboot, shutdown). */
	stop(): void;
}

export function createFirmware(platform: Platform, config: FirmwareConfig): Firmware {
	const router = new Router();

	router.add({
		method: "GET",
		path: "/api/status",
		handle: () => jsonResponse(200, statusBody(platform)),
	});

	return {
		router,
		config,
		stop() { /* later services register their timers here */ },
	};
}

export function statusBody(platform: Platform) {
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
