/*
 * Composition root on the board and in mcsim. Start-up order matters:
 *   1. the abort hook, so an unhandled exception is logged, not a reboot;
 *   2. the CAN bridge, in STOCK (pass-through): from here on frames flow in
 *      C whatever happens to JS (if its port cannot start, the firmware
 *      still comes up and reports it rather than failing every boot);
 *   3. settings, controller, OTA boot check, update service, HTTP.
 * A failure in step 3 leaves the bridge forwarding (proved in the simulator
 * by host-tests/host/bridge-first.test.ts).
 */

import { startBridge } from "can/can";
import config from "mc/config";
import { makeAbortHook } from "app/abort-hook";
import { createFirmware } from "app/firmware";
import { DEFAULT_CONFIG, type FirmwareConfig } from "app/platform";
import { serveRouter } from "platform/moddable/http-server";
import { httpSelfProbe } from "platform/moddable/http-probe";
import { ModdableClock, ModdableTimers, cryptDigests, traceLogger } from "platform/moddable/adapters";
import { createStore } from "platform/store";
import { boardInfo, chipRandom, systemRestart } from "platform/moddable/system";
import { EspOtaPort } from "platform/moddable/ota-port";
import { runningImage } from "ota/slot-info";
import { resourceAssets } from "platform/moddable/assets";
import { devicePorts } from "platform/device-ports";
import { updateServerClient } from "platform/moddable/update-http";

(globalThis as any).abort = makeAbortHook((line) => trace(`${line}\n`));

const can = startBridge((line) => trace(`${line}\n`));

const ota = new EspOtaPort();
let runningVersion: string | undefined;

const settings: FirmwareConfig = {
	hostName: config.hostName ?? DEFAULT_CONFIG.hostName,
	httpPort: Number(config.httpPort ?? DEFAULT_CONFIG.httpPort),
};
const timers = new ModdableTimers();
const probe = httpSelfProbe(timers, settings.httpPort);

const firmware = createFirmware({
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
	http: updateServerClient(), // the OTA file server; https needs the pinned CA resource (docs/update-client.md)
	httpSelfCheck: probe.answered,
	// The access point's fixed address first (the captive-portal redirect goes there) and loopback
	// (the health self-probe); the home network's address comes from the device services.
	hostAddresses: () => ["192.168.4.1", "127.0.0.1"],
	ota,
	// From the running slot's app descriptor, never from a constant (read once: it is fixed for a boot).
	runningVersion: () => (runningVersion ??= runningImage(ota).version),
}, settings);

serveRouter(firmware.router, settings.httpPort);
probe.start();
trace(`OpenHaldex XS listening on port ${settings.httpPort}\n`);
