/*
 * "platform/device-ports" in mcsim: the SDK's simulated Wi-Fi and SNTP. No
 * mdns and no UDP: on lin the SDK's mdns throws or aborts, and a unicast UDP
 * socket is never bound (docs/device.md); no pins, no flash partition (the
 * event log then lives in RAM), no hardware watchdog.
 */

import type { DevicePorts } from "device/services";
import { ModdableWifi, moddableSntp } from "platform/moddable/network";

export function devicePorts(): DevicePorts {
	return { wifi: new ModdableWifi(), sntp: moddableSntp };
}
