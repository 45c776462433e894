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
