/*
 * Compile-time check, never built into an image: mcsim's stand-ins offer
 * exactly what the board's natives declare, so main.ts type-checks the same
 * for both targets. (tsconfig.firmware.json includes this file; no manifest
 * names it.)
 */
import type * as boardChip from "./esp32c6/chip";
import type * as boardOta from "./esp32c6/ota-native";
import type * as boardDevice from "./esp32c6/device-ports";
import type * as boardStore from "./esp32c6/store";
import type * as boardRoutes from "./esp32c6/routes";
import * as mcsimChip from "./mcsim/chip";
import * as mcsimOta from "./mcsim/ota-native";
import * as mcsimDevice from "./mcsim/device-ports";
import * as mcsimStore from "./mcsim/store";
import * as mcsimRoutes from "./mcsim/routes";

export const chipAgrees: typeof boardChip = mcsimChip;
export const otaAgrees: typeof boardOta = mcsimOta;
export const devicePortsAgree: typeof boardDevice = mcsimDevice;
export const routesAgree: typeof boardRoutes = mcsimRoutes;
export const storeAgrees: Pick<typeof mcsimStore, keyof typeof boardStore> = mcsimStore;
