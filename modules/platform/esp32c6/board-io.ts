/*
 * Board I/O ports on the OpenHaldex-C6:
 *   DigitalInputs     ECMA-419 embedded:io/digital with edge callbacks
 *                     (mode button GPIO19, external mode GPIO18, both pulled
 *                     up and active low); modules/device/button debounces
 *   LedPort           the SDK's neopixel driver (RMT, esp_driver_rmt) on GPIO8
 *   BrakeMirrorPort   the C mirrors through brake-mirror/native
 *   PartitionPort     the SDK's flash module on the "ohxdata" partition
 *   HardwareWatchdog  esp_task_wdt on the XS task through platform/chip
 */

import Digital from "embedded:io/digital";
import NeoPixel from "neopixel";
import Flash from "flash";
import MirrorNative from "brake-mirror/native";
import { watchdogStart, watchdogFeed } from "platform/chip";
import type { BrakeMirrorPort, DigitalInputs, InputName, LedPort, MirrorChannel, MirrorConfig, MirrorMode, MirrorStatus } from "ports/io";
import type { PartitionPort } from "ports/partition";
import type { HardwareWatchdog } from "ports/watchdog";
import type { BoardPins } from "platform/esp32c6/pins";
import { frozen } from "util/frozen";

export class BoardInputs implements DigitalInputs {
	readonly #pins: Record<InputName, number>;
	readonly #open: Partial<Record<InputName, Digital>> = {};
	constructor(pins: Pick<BoardPins, "modeButton" | "externalMode">) {
		this.#pins = { modeButton: pins.modeButton, externalMode: pins.externalMode };
	}
	watch(name: InputName, onChange: (active: boolean) => void): void {
		this.#open[name]?.close();
		this.#open[name] = new Digital({
			pin: this.#pins[name],
			mode: Digital.InputPullUp,
			edge: Digital.Rising | Digital.Falling,
			onReadable(this: Digital) {
				onChange(this.read() === 0);
			},
		});
	}
	read(name: InputName): boolean {
		const d = this.#open[name];
		return d ? d.read() === 0 : false;
	}
}

export class NeoPixelLed implements LedPort {
	readonly #strip: { setPixel(i: number, c: number): void; update(): void; makeRGB(r: number, g: number, b: number): number; brightness: number };
	constructor(pin: number) {
		this.#strip = new NeoPixel({ length: 1, pin, order: "GRB" }) as never;
		this.#strip.brightness = 48; // bright enough in a cabin, not blinding at night
	}
	show(rgb: number): void {
		this.#strip.setPixel(0, this.#strip.makeRGB((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff));
		this.#strip.update();
	}
}

const MODES: readonly MirrorMode[] = frozen(["off", "follow", "invert"]);
const CHANNEL: Record<MirrorChannel, 0 | 1> = frozen({ brake: 0, handbrake: 1 });

export class NativeMirrors implements BrakeMirrorPort {
	readonly #native = new MirrorNative();
	configure(channel: MirrorChannel, config: MirrorConfig): void {
		this.#native.configure(CHANNEL[channel], MODES.indexOf(config.mode) as 0 | 1 | 2, config.debounceMs);
	}
	status(channel: MirrorChannel): MirrorStatus {
		const s = this.#native.status(CHANNEL[channel]);
		return { mode: MODES[s.mode], debounceMs: s.debounceMs, input: s.input, output: s.output, changes: s.changes };
	}
}

export class FlashPartition implements PartitionPort {
	readonly #flash: Flash;
	readonly size: number;
	readonly sectorSize: number;
	constructor(name = "ohxdata") {
		this.#flash = new Flash(name);
		this.size = this.#flash.byteLength;
		this.sectorSize = this.#flash.blockSize;
	}
	read(offset: number, length: number): Uint8Array {
		return new Uint8Array(this.#flash.read(offset, length) as ArrayBuffer);
	}
	write(offset: number, bytes: Uint8Array): void {
		if (offset < 0 || offset + bytes.length > this.size) throw new RangeError("write outside the partition");
		this.#flash.write(offset, bytes.length, bytes.slice().buffer as ArrayBuffer);
	}
	erase(sector: number): void {
		this.#flash.erase(sector);
	}
}

export const taskWatchdog: HardwareWatchdog = frozen({
	start(timeoutMs) {
		watchdogStart(timeoutMs);
	},
	feed() {
		watchdogFeed();
	},
});
