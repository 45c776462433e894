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
 * "7030" (and "70:30") select 7525. S3's 8020 and 9010 presets ask for 20 %
 * and 10 % with 7525's rewrite (on Gen1 the same base bytes, scaled by the
 * lock: S3 src/functions/can/lock_data.cpp and core/calcs.cpp). RPM is
 * S3's fourth dynamic mode: the lock read from the RPM curve at the engine
 * speed, behind its own under-speed gate (S3 core/calcs.cpp
 * get_rpm_lock_target).
 */

import type { BridgeMode } from "ports/can";
import { frozen } from "util/frozen";

export type HaldexMode = "STOCK" | "FWD" | "5050" | "6040" | "7525" | "8020" | "9010" | "SPEED" | "THROTTLE" | "MAP" | "RPM";

export const MODES: readonly HaldexMode[] = frozen(["STOCK", "FWD", "5050", "6040", "7525", "8020", "9010", "SPEED", "THROTTLE", "MAP", "RPM"]);

/** The modes that read their lock from a curve or the map, each behind its own under-speed gate. */
export type DynamicMode = "SPEED" | "THROTTLE" | "MAP" | "RPM";

export type PresetMode = "FWD" | "5050" | "6040" | "7525" | "8020" | "9010";

/** Lock asked for by each preset, in percent. */
export const PRESET_LOCK: Readonly<Record<PresetMode, number>> = frozen({
	FWD: 0,
	"5050": 100,
	"6040": 40,
	"7525": 30,
	"8020": 20,
	"9010": 10,
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
	"8020": "8020",
	"80:20": "8020",
	"9010": "9010",
	"90:10": "9010",
	SPEED: "SPEED",
	THROTTLE: "THROTTLE",
	MAP: "MAP",
	EXPERT: "MAP",
	RPM: "RPM",
});

/**
 * S3's mode numbers (its openhaldex_mode_t, include/functions/core/state.h,
 * as its CAN broadcast and other clients carry them): index = number.
 */
export const S3_MODE_NUMBERS: readonly HaldexMode[] = frozen(["STOCK", "FWD", "5050", "6040", "7525", "8020", "9010", "SPEED", "THROTTLE", "MAP", "RPM"]);

/** Our mode for a name (ours or S3's, any letter case) or one of S3's mode numbers (0..10), or undefined. */
export function parseModeName(name: unknown): HaldexMode | undefined {
	if (typeof name === "number") return Number.isInteger(name) && name >= 0 && name < S3_MODE_NUMBERS.length ? S3_MODE_NUMBERS[name] : undefined;
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
	P8020 = "8020",
	P9010 = "9010",
	SPEED = "SPEED",
	THROTTLE = "THROTTLE",
	MAP = "MAP",
	RPM = "RPM";
const CUSTOM = "CUSTOM";

/** @hot */
export function isDynamicMode(mode: HaldexMode): mode is DynamicMode {
	return mode === SPEED || mode === THROTTLE || mode === MAP || mode === RPM;
}

/**
 * The core's mode for one of ours; undefined for STOCK (pass-through).
 * 8020 and 9010 are the core's 7525 rewrite at their own lock. @hot
 */
export function bridgeModeOf(mode: HaldexMode): BridgeMode | undefined {
	if (mode === STOCK) return undefined;
	if (mode === P8020 || mode === P9010) return P7525;
	return isDynamicMode(mode) ? CUSTOM : mode;
}
