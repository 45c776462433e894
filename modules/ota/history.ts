/*
 * What the firmware remembers about updates, in the KeyValueStore (NVS on
 * the board), domain "ota":
 *   history  JSON [{time, version}], at most 16; entry 0 is the
 *            installation (the first version this board ran), the rest
 *            are confirmed updates, oldest first
 *   pending  JSON {slot, version, from, time, lastProblem?, healthPassed?}:
 *            an install whose first boot is not confirmed yet;
 *            healthPassed is written just before otadata is marked VALID,
 *            so a cut inside that write is told as what it was
 *   result   JSON {state: "CONFIRMED" | "FAILED_GRACEFUL", version, from,
 *            time, reason?}: how the last install ended
 * Every value stays far below the store's 4000-byte limit (16 entries of
 * about 50 bytes).
 */

import type { KeyValueStore } from "ports/store";

export const OTA_DOMAIN = "ota";
export const HISTORY_KEY = "history";
export const PENDING_KEY = "pending";
export const RESULT_KEY = "result";
export const MAX_HISTORY = 16;

export interface HistoryEntry {
	/** Epoch seconds, 0 when the clock was not synced. */
	time: number;
	version: string;
}

export interface PendingInstall {
	slot: number;
	version: string;
	from: string;
	time: number;
	/** The last health problem seen while verifying (why a rollback happened). */
	lastProblem?: string;
	/** Epoch seconds when the health window passed; set right before markValid (then lastProblem is dropped). */
	healthPassed?: number;
}

export type InstallResultState = "CONFIRMED" | "FAILED_GRACEFUL";

export interface InstallResult {
	state: InstallResultState;
	version: string;
	from: string;
	time: number;
	reason?: string;
}

function readJson<T>(store: KeyValueStore, key: string): T | undefined {
	const v = store.get(OTA_DOMAIN, key);
	if (typeof v !== "string") return undefined;
	try {
		return JSON.parse(v) as T;
	} catch {
		return undefined;
	} // a damaged record reads as absent; the next write replaces it
}

export function readHistory(store: KeyValueStore): HistoryEntry[] {
	const h = readJson<HistoryEntry[]>(store, HISTORY_KEY);
	return Array.isArray(h) ? h.filter((e) => e && typeof e.version === "string" && typeof e.time === "number") : [];
}

/** Append, keeping entry 0 (the installation) and the newest others, 16 in all. */
export function appendHistory(store: KeyValueStore, entry: HistoryEntry): HistoryEntry[] {
	const h = readHistory(store);
	h.push({ time: entry.time, version: entry.version });
	while (h.length > MAX_HISTORY) h.splice(1, 1);
	store.set(OTA_DOMAIN, HISTORY_KEY, JSON.stringify(h));
	return h;
}

export function readPending(store: KeyValueStore): PendingInstall | undefined {
	const p = readJson<PendingInstall>(store, PENDING_KEY);
	return p && typeof p.slot === "number" && typeof p.version === "string" ? p : undefined;
}

export function writePending(store: KeyValueStore, p: PendingInstall): void {
	store.set(OTA_DOMAIN, PENDING_KEY, JSON.stringify(p));
}

export function clearPending(store: KeyValueStore): void {
	store.delete(OTA_DOMAIN, PENDING_KEY);
}

export function readResult(store: KeyValueStore): InstallResult | undefined {
	return readJson<InstallResult>(store, RESULT_KEY);
}

export function writeResult(store: KeyValueStore, r: InstallResult): void {
	store.set(OTA_DOMAIN, RESULT_KEY, JSON.stringify(r));
}
