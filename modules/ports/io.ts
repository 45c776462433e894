/*
 * Board inputs and outputs around the bridge: the mode button and the
 * external mode input (digital inputs), the WS2812 status LED, and the
 * brake / handbrake mirrors, which run in C beside the CAN bridge
 * (modules/can/core/ohx_mirror.h) so an output follows its input without
 * waiting for JS.
 */

export type InputName = "modeButton" | "externalMode";

export interface DigitalInputs {
	/**
	 * Watch an input. `active` is the logical level (a pressed button is
	 * active whatever the wiring); the adapter calls on every raw edge, and
	 * modules/device/button debounces.
	 */
	watch(name: InputName, onChange: (active: boolean) => void): void;
	read(name: InputName): boolean;
}

export interface LedPort {
	/** Show a colour, 0xRRGGBB (0 = off). Called only when the colour changes. */
	show(rgb: number): void;
}

export type MirrorChannel = "brake" | "handbrake";

/** off: output low; follow: output = input; invert: output = !input. */
export type MirrorMode = "off" | "follow" | "invert";

export interface MirrorConfig {
	mode: MirrorMode;
	/** An input level must be stable this long before the output follows (0..1000 ms). */
	debounceMs: number;
}

export interface MirrorStatus {
	mode: MirrorMode;
	debounceMs: number;
	/** Input level after debouncing. */
	input: boolean;
	/** Level driven on the high-side output. */
	output: boolean;
	/** Output changes since start. */
	changes: number;
}

export interface BrakeMirrorPort {
	configure(channel: MirrorChannel, config: MirrorConfig): void;
	status(channel: MirrorChannel): MirrorStatus;
}
