/*
 * Composition root on the board and in mcsim. Start-up order matters:
 *   1. the abort hook, so an unhandled exception is logged, not a reboot;
 *   2. (CAN bridge in STOCK: added with the CAN issue, before any other work);
 *   3. settings, controller, network, HTTP, update service.
 */

import config from "mc/config";
import { makeAbortHook } from "app/abort-hook";
import { createFirmware } from "app/firmware";
import { DEFAULT_CONFIG, type FirmwareConfig } from "app/platform";
import { serveRouter } from "platform/moddable/http-server";
import { ModdableClock, ModdableTimers, cryptDigests, preferenceStore, traceLogger } from "platform/moddable/adapters";
import { boardInfo, chipRandom, systemRestart } from "platform/moddable/system";

(globalThis as any).abort = makeAbortHook((line) => trace(`${line}\n`));

const settings: FirmwareConfig = {
	hostName: config.hostName ?? DEFAULT_CONFIG.hostName,
	httpPort: Number(config.httpPort ?? DEFAULT_CONFIG.httpPort),
};

const firmware = createFirmware({
	clock: new ModdableClock(),
	timers: new ModdableTimers(),
	store: preferenceStore,
	restart: systemRestart(traceLogger),
	digests: cryptDigests,
	system: boardInfo(config.board ?? "openhaldex-c6"),
	logger: traceLogger,
	random: chipRandom,
	// Until the network service lands: the access point's fixed address.
	hostAddresses: () => ["192.168.4.1"],
	runningVersion: () => config.version ?? "0.0.0",
}, settings);

serveRouter(firmware.router, settings.httpPort);
trace(`OpenHaldex XS listening on port ${settings.httpPort}\n`);
