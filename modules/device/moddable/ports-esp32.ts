/*
 * "device/ports" on the OpenHaldex-C6: every device adapter, pins from the
 * board manifest (boards/openhaldex-c6/manifest.json config.pins).
 */

import config from "mc/config";
import type { DevicePorts } from "device/services";
import { ModdableMdns, ModdableWifi, moddableSntp, moddableUdp } from "device/moddable/network";
import { BoardInputs, FlashPartition, NativeMirrors, NeoPixelLed, taskWatchdog } from "device/moddable/board-io";

export function devicePorts(): DevicePorts {
	const pins = (config as { pins?: { led?: number; modeButton?: number; externalMode?: number } }).pins ?? {};
	return {
		wifi: new ModdableWifi(),
		mdns: new ModdableMdns(),
		udp: moddableUdp,
		sntp: moddableSntp,
		inputs: new BoardInputs({ led: pins.led ?? 8, modeButton: pins.modeButton ?? 19, externalMode: pins.externalMode ?? 18 }),
		led: new NeoPixelLed(pins.led ?? 8),
		mirrors: new NativeMirrors(),
		partition: new FlashPartition("ohxdata"),
		watchdog: taskWatchdog,
	};
}
