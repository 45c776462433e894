/*
 * Reset reasons and the crash-loop rule.
 *
 * Every boot reads why the chip reset (esp_reset_reason on the board, the
 * simulated reason in the simulator) and updates a small record in the
 * store. A boot counts as "early" until it has run STABLE_AFTER_MS; a crash
 * (panic or a watchdog reset) of an early boot extends the streak. After
 * SAFE_MODE_STREAK crashes in a row, each within a minute of its boot, the
 * board starts in safe mode: bridge in STOCK, controller off, web server
 * and update endpoints up, a banner saying why. Any boot that reaches
 * STABLE_AFTER_MS, and any reset that is not a crash (power-on, software
 * restart, brown-out), ends the streak; safe mode therefore lasts until the
 * next restart, which is what an owner (or an update) does to leave it.
 */

import type { KeyValueStore } from "ports/store";
import { frozen } from "util/frozen";

export type ResetReason =
	| "power-on"
	| "software"
	| "panic"
	| "int-watchdog"
	| "task-watchdog"
	| "watchdog"
	| "brownout"
	| "deep-sleep"
	| "external"
	| "unknown";

export const RESET_REASONS: readonly ResetReason[] = frozen([
	"power-on",
	"software",
	"panic",
	"int-watchdog",
	"task-watchdog",
	"watchdog",
	"brownout",
	"deep-sleep",
	"external",
	"unknown",
]);

/** Resets that mean the firmware crashed or hung. */
export const CRASH_REASONS: readonly ResetReason[] = frozen(["panic", "int-watchdog", "task-watchdog", "watchdog"]);

export const SAFE_MODE_STREAK = 3;
export const STABLE_AFTER_MS = 60_000;
export const BOOT_DOMAIN = "boot";
const KEY = "record";

export function normalizeResetReason(text: string): ResetReason {
	const t = text.trim().toLowerCase().replace(/_/g, "-");
	if ((RESET_REASONS as readonly string[]).includes(t)) return t as ResetReason;
	if (t === "poweron") return "power-on";
	if (t === "sw") return "software";
	if (t === "int-wdt") return "int-watchdog";
	if (t === "task-wdt") return "task-watchdog";
	if (t === "wdt") return "watchdog";
	return "unknown";
}

export interface BootRecord {
	/** Boots counted since the record was first written (1 = this is the first). */
	boots: number;
	/** Crashes in a row, each within STABLE_AFTER_MS of its boot. */
	streak: number;
	/** The last boot ran for STABLE_AFTER_MS. */
	stable: boolean;
	/** Reset reasons of the current streak, oldest first (at most SAFE_MODE_STREAK). */
	reasons: ResetReason[];
}

export interface BootDecision {
	record: BootRecord;
	reason: ResetReason;
	safeMode: boolean;
	/** Why safe mode is on (for the banner), else undefined. */
	safeModeReason?: string;
}

/** The rule as a pure function: the previous record and this boot's reset reason. */
export function decideBoot(previous: BootRecord | undefined, reason: ResetReason): BootDecision {
	const prev = previous ?? { boots: 0, streak: 0, stable: true, reasons: [] };
	const early = !prev.stable;
	const crashed = (CRASH_REASONS as readonly string[]).includes(reason);
	const streak = crashed && early ? prev.streak + 1 : crashed && previous === undefined ? 1 : 0;
	const reasons = streak ? [...prev.reasons, reason].slice(-SAFE_MODE_STREAK) : [];
	const record: BootRecord = { boots: prev.boots + 1, streak, stable: false, reasons };
	const safeMode = streak >= SAFE_MODE_STREAK;
	return {
		record,
		reason,
		safeMode,
		safeModeReason: safeMode
			? `Safe mode: the firmware crashed ${streak} times in a row, each within a minute of starting (${reasons.join(", ")}). The Haldex controller is off and the bridge passes every frame through unchanged. Install a fixed firmware or restart the board to try again.`
			: undefined,
	};
}

export function readBootRecord(store: KeyValueStore): BootRecord | undefined {
	const raw = store.get(BOOT_DOMAIN, KEY);
	if (typeof raw !== "string") return undefined;
	try {
		const r = JSON.parse(raw) as BootRecord;
		if (typeof r.boots !== "number" || typeof r.streak !== "number" || typeof r.stable !== "boolean" || !Array.isArray(r.reasons)) return undefined;
		return { boots: r.boots, streak: r.streak, stable: r.stable, reasons: r.reasons.map((x) => normalizeResetReason(String(x))) };
	} catch {
		return undefined; // an unreadable record counts as none: the boot is not held against the board
	}
}

export function writeBootRecord(store: KeyValueStore, record: BootRecord): void {
	store.set(BOOT_DOMAIN, KEY, JSON.stringify(record));
}
