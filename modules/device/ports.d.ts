/*
 * "device/ports": the board's device adapters, chosen per platform by
 * manifest.json (esp32/esp32c6: moddable/ports-esp32.ts; lin/mac/win:
 * moddable/ports-sim.ts). The composition root passes the result as
 * Platform.device.
 */
import type { DevicePorts } from "device/services";

export declare function devicePorts(): DevicePorts;
