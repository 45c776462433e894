/*
 * The Haldex service as a composition root wires it: settings (loaded from
 * the store, never written at boot) and the controller over the CAN bridge.
 *
 *   const haldex = createHaldex({ bridge, store, timers, clock, logger });
 *   haldex.controller.start();                 // after the bridge is up, in STOCK
 *   registerHaldexRoutes(router, haldex);       // haldex/routes
 *   status = { ...status, ...haldexStatusFields(haldex) };
 *   haldex.settings.migrateIfConfirmed(ota.runningState());   // at boot and after markValid()
 *   const hold = haldex.controller.holdStock("ota-install"); ... hold.release()
 */

import type { CanBridge } from "ports/can";
import type { KeyValueStore } from "ports/store";
import type { Timers } from "ports/timers";
import type { Clock } from "ports/clock";
import type { Logger } from "ports/log";
import { HaldexSettingsStore } from "haldex/settings";
import { HaldexController } from "haldex/controller";

export interface HaldexDeps {
	bridge: CanBridge;
	store: KeyValueStore;
	timers: Timers;
	clock: Clock;
	logger?: Logger;
}

export interface Haldex {
	readonly bridge: CanBridge;
	readonly settings: HaldexSettingsStore;
	readonly controller: HaldexController;
}

export function createHaldex(deps: HaldexDeps): Haldex {
	const settings = new HaldexSettingsStore(deps.store, deps.logger);
	const controller = new HaldexController({ bridge: deps.bridge, timers: deps.timers, clock: deps.clock, settings, logger: deps.logger });
	return { bridge: deps.bridge, settings, controller };
}
