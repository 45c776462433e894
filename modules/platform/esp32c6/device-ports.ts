/*
 * "platform/device-ports" on the board: every device adapter, with the pins
 * the board's manifest wrote (platform/esp32c6/pins).
 */

import type { DevicePorts } from "device/services";
import { ModdableMdns, ModdableWifi, moddableSntp, moddableUdp } from "platform/moddable/network";
import { BoardInputs, FlashPartition, NativeMirrors, NeoPixelLed, taskWatchdog } from "platform/esp32c6/board-io";
import { boardPins } from "platform/esp32c6/pins";

export function devicePorts(): DevicePorts {
	const pins = boardPins();
	return {
		wifi: new ModdableWifi(),
		mdns: new ModdableMdns(),
		udp: moddableUdp,
		sntp: moddableSntp,
		inputs: new BoardInputs(pins),
		led: new NeoPixelLed(pins.led),
		mirrors: new NativeMirrors(),
		partition: new FlashPartition("ohxdata"),
		watchdog: taskWatchdog,
	};
}
