/*
 * The firmware application, independent of where it runs: builds the
 * router from the platform's ports. Both composition roots call this, so
 * the board, mcsim and the Node simulator serve the same routes.
 */

import { Router } from "api/router";
import { jsonResponse } from "api/errors";
import { AdminAuth, type AuthOptions } from "api/auth";
import { corsGuard, corsHeaders, hostGuard } from "api/origin";
import type { FirmwareConfig, Platform } from "app/platform";

export interface Firmware {
	readonly router: Router;
	readonly auth: AdminAuth;
	readonly config: FirmwareConfig;
	/** Stop timers and release resources (simulated reboot, shutdown). */
	stop(): void;
}

export interface FirmwareOptions {
	auth?: Partial<AuthOptions>;
}

export function createFirmware(platform: Platform, config: FirmwareConfig, options: FirmwareOptions = {}): Firmware {
	const router = new Router();
	const allowedHosts = () => [config.hostName, `${config.hostName}.local`, ...platform.hostAddresses()].map((h) => h.toLowerCase());
	const auth = new AdminAuth(platform, options.auth);

	// Order matters: refuse foreign Host names first, then answer CORS
	// preflights (no auth), then demand the password where a route needs it.
	router.guard(hostGuard(allowedHosts)).guard(corsGuard(router, allowedHosts)).guard(auth.guard());
	router.decorate(corsHeaders(allowedHosts));
	auth.routes(router);

	router.add({
		method: "GET",
		path: "/api/status",
		handle: () => jsonResponse(200, statusBody(platform)),
	});

	return {
		router,
		auth,
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
