/*
 * The WS2812 status LED as a pure function of the board's state.
 *
 * Colour = the mode the bridge applies (OpenHaldex-C6's colours: STOCK red,
 * FWD green, 5050 blue, 6040 pink, 7525 cyan, the curve and map modes
 * (SPEED, THROTTLE, MAP, RPM) white; S3's 8020 yellow and 9010 magenta, which C6 lacks). Pattern = the most important condition, in this order:
 *   safe mode          amber, fast blink (4 Hz)
 *   update in progress violet, breathing (1 s period)
 *   PENDING_VERIFY     mode colour, double flash every second
 *   bus fault          mode colour, fast blink (4 Hz)
 *   watchdog fallback  mode colour, slow blink (1 Hz)
 *   setup window open  mode colour alternating with white (1 Hz)
 *   otherwise          mode colour, steady
 * ledColorAt(state, t) gives the colour at time t (the driver samples it
 * every LED_FRAME_MS and writes the LED only when the colour changes).
 */

import { frozen } from "util/frozen";

export type LedPattern = "solid" | "blink-fast" | "blink-slow" | "double-flash" | "breathe" | "alternate-white";

export interface LedInputs {
	/** The mode the bridge applies (effective mode), e.g. "STOCK", "5050", "SPEED". */
	mode: string;
	safeMode: boolean;
	updating: boolean;
	pendingVerify: boolean;
	busFault: boolean;
	watchdogFallback: boolean;
	setupOpen: boolean;
}

export interface LedState {
	/** Colour name for people and the web app. */
	color: string;
	rgb: number;
	pattern: LedPattern;
	/** Why this pattern ("mode 5050", "bus fault", ...). */
	reason: string;
}

export const LED_FRAME_MS = 50;

export const MODE_COLORS: Readonly<Record<string, { color: string; rgb: number }>> = frozen({
	STOCK: { color: "red", rgb: 0xff0000 },
	FWD: { color: "green", rgb: 0x00ff00 },
	"5050": { color: "blue", rgb: 0x0000ff },
	"6040": { color: "pink", rgb: 0xff1493 },
	"7525": { color: "cyan", rgb: 0x00ffff },
	"8020": { color: "yellow", rgb: 0xffff00 },
	"9010": { color: "magenta", rgb: 0xff00ff },
	CUSTOM: { color: "white", rgb: 0xffffff },
});
const AMBER = frozen({ color: "amber", rgb: 0xffa000 });
const VIOLET = frozen({ color: "violet", rgb: 0x8000ff });

export function modeColor(mode: string): { color: string; rgb: number } {
	return MODE_COLORS[mode] ?? MODE_COLORS.CUSTOM;
}

/** The LED's state for these inputs, with its colour as "#rrggbb" (made here, once per change, not per status poll). */
export function ledState(s: LedInputs): LedState & { hex: string } {
	const state = ledStateOf(s);
	return { ...state, hex: rgbHex(state.rgb) };
}

function ledStateOf(s: LedInputs): LedState {
	const mode = modeColor(s.mode);
	if (s.safeMode) return { ...AMBER, pattern: "blink-fast", reason: "safe mode" };
	if (s.updating) return { ...VIOLET, pattern: "breathe", reason: "update in progress" };
	if (s.pendingVerify) return { ...mode, pattern: "double-flash", reason: "new firmware being verified (PENDING_VERIFY)" };
	if (s.busFault) return { ...mode, pattern: "blink-fast", reason: "CAN bus fault" };
	if (s.watchdogFallback) return { ...mode, pattern: "blink-slow", reason: "bridge watchdog fallback (pass-through)" };
	if (s.setupOpen) return { ...mode, pattern: "alternate-white", reason: "setup window open" };
	return { ...mode, pattern: "solid", reason: `mode ${s.mode}` };
}

function scale(rgb: number, f: number): number {
	const c = (shift: number) => Math.round(((rgb >> shift) & 0xff) * f) << shift;
	return c(16) | c(8) | c(0);
}

// The frame compares with these, never with literals: in a preloaded function each string
// literal is a new copy in the chunk heap every time it runs (docs/preload-hazards.md).
const SOLID = "solid",
	BLINK_FAST = "blink-fast",
	BLINK_SLOW = "blink-slow",
	DOUBLE_FLASH = "double-flash",
	ALTERNATE_WHITE = "alternate-white",
	BREATHE = "breathe";

/** The colour to show at `tMs` (any monotonic time) for a state; 20 times a second. @hot */
export function ledColorAt(state: LedState, tMs: number): number {
	const t = ((tMs % 1000) + 1000) % 1000;
	switch (state.pattern) {
		case SOLID:
			return state.rgb;
		case BLINK_FAST:
			return t % 250 < 125 ? state.rgb : 0;
		case BLINK_SLOW:
			return t < 500 ? state.rgb : 0;
		case DOUBLE_FLASH:
			return t < 100 || (t >= 200 && t < 300) ? state.rgb : 0;
		case ALTERNATE_WHITE:
			return t < 500 ? state.rgb : 0xffffff;
		case BREATHE: {
			const tri = t < 500 ? t / 500 : (1000 - t) / 500;
			return scale(state.rgb, 0.1 + 0.9 * tri);
		}
	}
}

export function rgbHex(rgb: number): string {
	return `#${(rgb & 0xffffff).toString(16).padStart(6, "0")}`;
}
