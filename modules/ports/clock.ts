/*
 * Clock port. The board has no RTC: wall time is unknown until a source
 * supplies it (SNTP, an update server's Date header, or the browser).
 * Monotonic time is always available and is what timeouts use.
 */

import { frozen } from "util/frozen";

export type TimeSource = "none" | "sntp" | "server" | "browser";

export interface Clock {
	/** Milliseconds since boot; never goes backwards. */
	monotonicMs(): number;
	/** Unix epoch milliseconds, or 0 while no source has set the time. */
	wallMs(): number;
	/** Where the wall time came from; "none" until synced. */
	source(): TimeSource;
	/**
	 * Set the wall time. A source only replaces one of equal or lower trust
	 * (sntp > server > browser), so a phone cannot override SNTP.
	 */
	setWallMs(epochMs: number, source: Exclude<TimeSource, "none">): boolean;
}

const TRUST: Record<TimeSource, number> = frozen({ none: 0, browser: 1, server: 2, sntp: 3 });

/** True when `next` may replace the wall time that `current` provided. */
export function mayReplaceTime(current: TimeSource, next: TimeSource): boolean {
	return TRUST[next] >= TRUST[current];
}

/** Epoch seconds for API fields: 0 when not synced (the system-update API uses integers). */
export function epochSeconds(clock: Clock): number {
	const ms = clock.wallMs();
	return ms > 0 ? Math.floor(ms / 1000) : 0;
}
