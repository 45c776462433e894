/*
 * Every failure in words a driver understands. The board's error codes
 * are stable (docs/api.md); its messages are good for the technical ones,
 * but the common refusals get a plain sentence and what to do next.
 */

import { ApiError } from "./api";
import { SAY } from "./words";

export function explain(e: unknown): string {
	if (e instanceof ApiError) {
		if (e.code === "auth_locked") return `Too many wrong passwords. Wait ${e.retryAfterS ?? 30} seconds, then try again.`;
		const said = SAY[e.code];
		if (said) return said;
		if (e.code.startsWith("image_")) return `The board refused this file: ${e.message}`;
		return e.message || `Something went wrong (${e.code}).`;
	}
	return e instanceof Error ? e.message : String(e);
}

/** Error code shown small under the sentence, for support. */
export function codeOf(e: unknown): string {
	return e instanceof ApiError ? (e.status ? `${e.code} (${e.status})` : e.code) : "";
}
