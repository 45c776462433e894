/*
 * Composition root on the board and in mcsim: the real steps of the
 * start-up order that app/startup defines and its tests drive (abort hook,
 * then the CAN bridge in STOCK, then the firmware and HTTP, wrapped so a
 * failure there leaves the bridge forwarding).
 */

import { startBridge } from "can/can";
import config from "mc/config";
import { makeAbortHook } from "app/abort-hook";
import { startUp } from "app/startup";
import { createFirmware } from "app/firmware";
import { DEFAULT_CONFIG, type FirmwareConfig } from "app/platform";
import { httpWireBuffers, serveRouter } from "platform/moddable/http-listener";
import { httpSelfProbe } from "platform/moddable/http-probe";
import { ModdableClock, ModdableTimers, cryptDigests, traceLogger } from "platform/moddable/adapters";
import { createStore } from "platform/store";
import { boardInfo, chipRandom, systemRestart } from "platform/moddable/system";
import { EspOtaPort } from "platform/moddable/ota-port";
import { runningImage } from "ota/slot-info";
import { resourceAssets } from "platform/moddable/assets";
import { devicePorts } from "platform/device-ports";
import { registerPlatformRoutes } from "platform/routes";
import { updateServerClient } from "platform/moddable/update-http";
import { moddableTcpServer } from "platform/moddable/tcp-server";
import { nativeJsonText } from "platform/moddable/json-text";

const log = (line: string) => trace(`${line}\n`);
const ota = new EspOtaPort();
let runningVersion: string | undefined;

const settings: FirmwareConfig = {
	hostName: config.hostName ?? DEFAULT_CONFIG.hostName,
	httpPort: Number(config.httpPort ?? DEFAULT_CONFIG.httpPort),
	gvretPort: config.gvretPort ? Number(config.gvretPort) : undefined, // 23 on the board (manifest config), as SavvyCAN expects
};
const timers = new ModdableTimers();
const wire = httpWireBuffers(); // the HTTP server's buffers; /api/status is written into its free head buffer
const probe = httpSelfProbe(timers, settings.httpPort);

startUp({
	installAbortHook: () => {
		(globalThis as { abort?: unknown }).abort = makeAbortHook(log);
	},
	startBridge: () => startBridge(log),
	startApp: (can) =>
		createFirmware(
			{
				clock: new ModdableClock(),
				timers,
				store: createStore(), // Preference (NVS) on the board; a JSON file in mcsim, whose Preference cannot save
				restart: systemRestart(traceLogger),
				digests: cryptDigests,
				system: boardInfo(config.board ?? "openhaldex-c6"),
				logger: traceLogger,
				random: chipRandom,
				can,
				assets: resourceAssets(), // the web app, from the build's resources
				device: devicePorts(), // Wi-Fi, mDNS, DNS, SNTP, button, LED, brake mirrors, ohxdata, watchdog
				tcp: moddableTcpServer(), // GVRET for SavvyCAN (canview/service)
				http: updateServerClient(), // the OTA file server; https needs the pinned CA resource (docs/update-client.md)
				httpSelfCheck: probe.answered,
				// The access point's fixed address first (the captive-portal redirect goes there) and loopback
				// (the health self-probe); the home network's address comes from the device services.
				hostAddresses: () => ["192.168.4.1", "127.0.0.1"],
				ota,
				// From the running slot's app descriptor, never from a constant (read once: it is fixed for a boot).
				runningVersion: () => (runningVersion ??= runningImage(ota).version),
				jsonText: nativeJsonText, // /api/status written without strings (util/json-writer)
				jsonBuffers: wire,
			},
			settings,
		),
	serve: (firmware) => {
		registerPlatformRoutes(firmware.router); // none on the board; mcsim's POST /api/sim/collect
		serveRouter(firmware.router, settings.httpPort, timers, wire);
		probe.start();
		log(`OpenHaldex XS listening on port ${settings.httpPort}`);
	},
	report: log,
});
