/*
 * Driver-selectable modes and the names POST /api/mode accepts.
 *
 * Presets ask for a fixed lock; the dynamic modes read it from a curve or
 * the map. STOCK is not a lock of 0 %: it is pure pass-through (the bridge
 * forwards every frame untouched), whereas FWD rewrites the frames so the
 * coupling is told "no lock".
 *
 * OpenHaldex-S3 names are accepted as aliases. S3 has a 70:30 preset that
 * asks for 30 % lock and treats "7525" as another name for it; our 7525
 * asks for the same 30 % (the originals' code, not the label, decides), so
 * "7030" (and "70:30") select 7525. S3's 8020, 9010 and RPM modes do not
 * exist here and are refused.
 */

import type { BridgeMode } from "ports/can";
import { frozen } from "util/frozen";

export type HaldexMode = "STOCK" | "FWD" | "5050" | "6040" | "7525" | "SPEED" | "THROTTLE" | "MAP";

export const MODES: readonly HaldexMode[] = frozen(["STOCK", "FWD", "5050", "6040", "7525", "SPEED", "THROTTLE", "MAP"]);

/** Lock asked for by each preset, in percent. */
export const PRESET_LOCK: Readonly<Record<"FWD" | "5050" | "6040" | "7525", number>> = frozen({
	FWD: 0,
	"5050": 100,
	"6040": 40,
	"7525": 30,
});

const ALIASES: Readonly<Record<string, HaldexMode>> = frozen({
	STOCK: "STOCK",
	PASSTHRU: "STOCK",
	FWD: "FWD",
	"100:0": "FWD",
	"5050": "5050",
	"50:50": "5050",
	LOCK: "5050",
	"6040": "6040",
	"60:40": "6040",
	"7525": "7525",
	"75:25": "7525",
	"7030": "7525",
	"70:30": "7525",
	SPEED: "SPEED",
	THROTTLE: "THROTTLE",
	MAP: "MAP",
	EXPERT: "MAP",
});

/** Our mode for a name (ours or S3's, any letter case), or undefined. */
export function parseModeName(name: unknown): HaldexMode | undefined {
	if (typeof name !== "string") return undefined;
	const key = name.trim().toUpperCase();
	return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}

// Mode names for the 50 Hz path: a string literal in a preloaded function is
// copied into the chunk heap every time it runs (docs/preload-hazards.md).
export const STOCK = "STOCK",
	FWD = "FWD",
	P5050 = "5050",
	P6040 = "6040",
	P7525 = "7525",
	SPEED = "SPEED",
	THROTTLE = "THROTTLE",
	MAP = "MAP";
const CUSTOM = "CUSTOM";

/** @hot */
export function isDynamicMode(mode: HaldexMode): mode is "SPEED" | "THROTTLE" | "MAP" {
	return mode === SPEED || mode === THROTTLE || mode === MAP;
}

/** The core's mode for one of ours; undefined for STOCK (pass-through). @hot */
export function bridgeModeOf(mode: HaldexMode): BridgeMode | undefined {
	if (mode === STOCK) return undefined;
	return isDynamicMode(mode) ? CUSTOM : mode;
}
