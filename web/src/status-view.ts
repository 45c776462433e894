/*
 * What the app shows from the board's answers, as pure functions (no DOM), so
 * host-tests/host/web-logic.test.ts can hold them against the firmware's own
 * answers.
 */

/** The status fields the safe-mode banner reads: the board sends `safeMode` and, when active, `banner`. */
export interface SafeModeFields {
	safeMode?: boolean;
	banner?: string;
}

/** Safe mode on or off, and why (device/services deviceStatusFields). */
export function safeModeOf(s: SafeModeFields | undefined): { on: boolean; reason: string } {
	if (!s?.safeMode) return { on: false, reason: "" };
	return { on: true, reason: typeof s.banner === "string" ? s.banner : "" };
}

/** The log in the order to show it: newest first, as GET /api/logs already sends it. */
export function logOrder<T>(entries: readonly T[]): T[] {
	return entries.slice();
}

/** What is wrong with a chosen file before it is sent, or undefined. */
export function fileProblem(file: { size: number; name: string }): string | undefined {
	if (file.size === 0) return `${file.name || "The file"} is empty (0 bytes): choose the firmware file (xs_esp32.bin) again.`;
	return undefined;
}

/** The fields the lock-target tile reads: the applied mode and the controller's target. */
export interface LockTargetFields {
	effectiveMode?: string;
	telemetry?: { spec?: number };
}

/**
 * The lock target to show, or undefined when there is none: in STOCK the
 * board forwards the car's frames unchanged and the Haldex's own controller
 * decides (the firmware's target then reads 0, which is not what the coupling does).
 */
export function lockTargetOf(s: LockTargetFields | undefined): number | undefined {
	if (!s || s.effectiveMode === "STOCK") return undefined;
	return s.telemetry?.spec;
}

/** A network interface as GET /api/network names it ("ap", "station"), in the owner's words. */
export function interfaceLabel(name: string): string {
	return name === "ap" ? "Board's own Wi-Fi" : name === "station" ? "Home network" : name;
}

/** What the board accepts, in words (GET /api/status update.signing). */
export function signingWords(signing: { required: boolean; keys: readonly string[]; espIdfVerifies?: boolean }): string {
	if (!signing.required) return "Developer build: this board accepts unsigned firmware files. Release builds accept only files signed with their key.";
	const base = `This board accepts only firmware signed with its key${signing.keys.length > 1 ? "s" : ""} (${signing.keys.map((k) => k.slice(0, 8)).join(", ")}…)`;
	return signing.espIdfVerifies ? `${base}, and ESP-IDF checks the signature again when it installs.` : `${base}.`;
}
