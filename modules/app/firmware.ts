/*
 * The firmware application, independent of where it runs: builds every
 * service and route from the platform's ports. Both composition roots call
 * this (main.ts on the board and in mcsim, host/simulator on Node), so they
 * serve the same API with the same rules.
 *
 * Order inside: the CAN bridge is already forwarding in STOCK (the
 * composition root started it first); then settings and the controller,
 * the OTA boot confirmation (a new image on trial keeps the controller in
 * STOCK), the update service, and the routes behind the guards.
 */

import { Router } from "api/router";
import { jsonBodyResponse } from "api/errors";
import { AdminAuth, type AuthOptions } from "api/auth";
import { corsGuard, corsHeaders, hostGuard } from "api/origin";
import type { FirmwareConfig, Platform } from "app/platform";
import { createHaldex, type Haldex } from "haldex/haldex";
import { registerHaldexRoutes } from "haldex/routes";
import { STATUS_LAYOUT, statusBody, type StatusBody } from "app/status";
import { JsonWriter, portableJsonText } from "util/json-writer";
import { ImageStager } from "ota/stager";
import { BootConfirmer, healthFromBridge, type BootConfirmOptions } from "ota/boot-confirm";
import { UpdateService, isMoving, type RemoteUpdates, type UpdateServiceOptions } from "update/service";
import { registerUpdateRoutes } from "update/routes";
import { registerAssetRoutes } from "web/assets";
import { createDeviceServices, type DeviceServices } from "device/services";
import { registerDeviceRoutes } from "device/routes";
import { createUpdateClient, registerUpdateClientRoutes } from "update/client-routes";
import type { UpdateClient } from "update/client";
import { STOCK } from "haldex/modes";
import { CanView, serveGvret } from "canview/service";
import { registerCanViewRoutes } from "canview/routes";

const PENDING_VERIFY = "PENDING_VERIFY";
/** How long the Host names and addresses are kept before they are read again (a miss reads them at once). */
export const HOSTS_REFRESH_MS = 30_000;

export interface Firmware {
	readonly router: Router;
	readonly auth: AdminAuth;
	readonly haldex: Haldex;
	readonly boot: BootConfirmer;
	readonly update: UpdateService;
	/** The update server client, when the platform has an HTTP client. */
	readonly updateClient: UpdateClient | undefined;
	readonly device: DeviceServices;
	/** The CAN page, candump downloads and GVRET; undefined until first used, or when the bridge has no capture ring. */
	readonly canView: CanView | undefined;
	/** The GVRET server's port, when it listens. */
	readonly gvretPort: number | undefined;
	readonly config: FirmwareConfig;
	/** Stop timers and release resources (simulated reboot, shutdown). */
	stop(): void;
}

export interface FirmwareOptions {
	auth?: Partial<AuthOptions>;
	bootConfirm?: BootConfirmOptions;
	update?: Partial<UpdateServiceOptions>;
	/** The remote update server client, when one is configured. */
	remote?: RemoteUpdates;
	/**
	 * Extra health problems for the first-boot check (the simulator's
	 * failing switch); undefined when healthy.
	 */
	healthExtra?: () => string | undefined;
	/** UDP port of the access point's DNS responder (53 on the board; 0 = any, in tests). */
	dnsPort?: number;
}

export function createFirmware(platform: Platform, config: FirmwareConfig, options: FirmwareOptions = {}): Firmware {
	const { ota, store, clock, timers, logger, can } = platform;
	const router = new Router();
	let device: DeviceServices | undefined;
	// Every request checks its Host against these. A name not found makes api/origin ask again
	// with fresh = true (an address just gained is found at once); otherwise the list is rebuilt
	// every HOSTS_REFRESH_MS, so an address given up stops counting by then. Building it costs
	// ~1.4 KB of strings and arrays on the board: once a second, that was a quarter of what the
	// dashboard's polls made during an upload. An unchanged rebuild keeps the same array, so the
	// Host guard's remembered good Host stays good.
	let hostsAt = -Infinity;
	let hosts: string[] = [];
	const allowedHosts = (fresh = false) => {
		const now = clock.monotonicMs();
		if (fresh || now - hostsAt >= HOSTS_REFRESH_MS || now < hostsAt) {
			hostsAt = now;
			const next = [config.hostName, `${config.hostName}.local`, ...platform.hostAddresses(), ...(device?.addresses() ?? [])].map((h) => h.toLowerCase());
			if (next.length !== hosts.length || next.some((h, i) => h !== hosts[i])) hosts = next;
		}
		return hosts;
	};
	const auth = new AdminAuth({ ...platform, onEvent: (event, detail) => device?.authEvent(event, detail) }, options.auth);

	// "The HTTP server answered": any request answered since boot (the web
	// app polls after an install) or the composition root's own probe.
	let answered = false;

	// Order matters: refuse foreign Host names first, then answer CORS
	// preflights (no auth), then demand the password where a route needs it.
	const portal = () => {
		const address = platform.hostAddresses()[0] ?? `${config.hostName}.local`;
		return `http://${address}${config.httpPort === 80 ? "" : `:${config.httpPort}`}/`;
	};
	router
		.guard(hostGuard(allowedHosts, portal))
		.guard(corsGuard(router, allowedHosts, config.httpPort))
		.guard(auth.guard());
	router.decorate(corsHeaders(allowedHosts, config.httpPort));
	router.decorate((_req, res) => {
		answered = true;
		return res;
	});

	const haldex = createHaldex({ bridge: can, store, timers, clock, logger });
	haldex.settings.migrateIfConfirmed(ota.runningState());

	// Boot record and safe mode come first: after a crash loop the controller stays off.
	let update: UpdateService | undefined;
	const services = createDeviceServices({
		...platform,
		ports: platform.device ?? {},
		config: { ...config, dnsPort: options.dnsPort },
		signals: {
			effectiveMode: () => haldex.controller.effectiveMode(),
			busFault: () => {
				const h = can.health();
				return h.chassis.busOff || h.haldex.busOff;
			},
			// Sampled five times a second for the LED: constants, not literals (docs/preload-hazards.md).
			watchdogFallback: () => haldex.controller.effectiveMode() !== STOCK && !can.rewriting(),
			updating: () => update?.busy() ?? false,
			pendingVerify: () => ota.runningState() === PENDING_VERIFY,
		},
		modes: {
			current: () => haldex.settings.config.mode,
			select: (mode) => {
				haldex.settings.setMode(mode);
			},
		},
		physicalPresence: () => auth.physicalPresence(),
		setupOpen: () => auth.setupWindow().open,
		controller: haldex.controller,
	});
	device = services;

	const health = healthFromBridge(can, () => answered || (platform.httpSelfCheck?.() ?? false));
	const boot = new BootConfirmer({ ota, store, clock, timers, logger, health: { ...health, extra: options.healthExtra } }, options.bootConfirm);
	const client =
		!options.remote && platform.http
			? createUpdateClient(
					{ ...platform, http: platform.http },
					{
						// Online = joined to a home network; the access point alone has no internet.
						online: () => platform.online?.() ?? (services.network ? services.network.stationState === "connected" : true),
						isDriving: () => isMoving(can.vehicle()),
					},
				)
			: undefined;
	const stager = new ImageStager({ ota, digests: platform.digests, store, clock, logger });
	update = new UpdateService(
		{
			ota,
			stager,
			boot,
			store,
			clock,
			timers,
			logger,
			restart: platform.restart,
			vehicle: () => can.vehicle(),
			hold: {
				hold: (reason) => {
					const held = haldex.controller.holdStock(reason);
					can.holdPassthrough?.(true);
					return {
						release: () => {
							can.holdPassthrough?.(false);
							held.release();
						},
					};
				},
			},
			remote: options.remote ?? client,
			onConfirmed: () => {
				haldex.settings.migrateIfConfirmed(ota.runningState());
			},
			onEvent: (kind, message) => services.record(kind, message),
		},
		options.update,
	);

	// A new image on trial must keep the controller in STOCK from its first
	// tick: the boot check and the update service's hold come first.
	boot.start();
	update.resume();
	haldex.controller.start();
	services.start();

	auth.routes(router);
	// One object per firmware, refilled by every poll (app/status statusBody), written by its layout into
	// the HTTP server's free head buffer (util/json-writer, platform.jsonBuffers): no new tree, no JSON
	// text, no copy of it, no key lists, no buffer.
	const statusSources = { platform, haldex, device: services, update: update!, boot };
	let status: StatusBody | undefined;
	let statusJson: JsonWriter | undefined;
	router.add({
		method: "GET",
		path: "/api/status",
		handle: () => {
			status = status ? statusBody(statusSources, status) : statusBody(statusSources);
			statusJson ??= new JsonWriter(platform.jsonText ?? portableJsonText, 2048, 16_384, platform.jsonBuffers);
			return jsonBodyResponse(200, statusJson.body(status, STATUS_LAYOUT));
		},
	});
	registerHaldexRoutes(router, haldex);
	registerDeviceRoutes(router, services);
	// Made on first use (the CAN page, a download, a GVRET client): nobody watching, it costs no heap.
	const capture = can.capture;
	let canView: CanView | undefined;
	const view = capture ? () => (canView ??= new CanView({ capture, timers, clock, vehicle: () => can.vehicle() })) : undefined;
	let gvret: { close(): void; port: number } | undefined;
	if (view && platform.tcp && config.gvretPort !== undefined) {
		try {
			gvret = serveGvret(platform.tcp, config.gvretPort, view);
		} catch (e) {
			logger.log("warn", `GVRET server not started on port ${config.gvretPort}: ${e instanceof Error ? e.message : String(e)}`);
		}
	}
	// A getter: in the simulator the OS picks the port (0) and the listener learns it after binding.
	registerCanViewRoutes(router, view, {
		get port() {
			return gvret?.port;
		},
	});
	registerUpdateRoutes(router, update, { slotSize: Math.max(...ota.slots().map((s) => s.size)), clock });
	if (client) registerUpdateClientRoutes(router, client, update);
	if (platform.assets) registerAssetRoutes(router, platform.assets);

	return {
		router,
		auth,
		haldex,
		boot,
		update,
		updateClient: client,
		device: services,
		get canView() {
			return canView;
		},
		get gvretPort() {
			return gvret?.port;
		},
		config,
		stop() {
			services.stop(); // first: it flushes the event log
			canView?.stop();
			gvret?.close();
			client?.stop();
			update.stop();
			boot.stop();
			haldex.controller.stop();
		},
	};
}
