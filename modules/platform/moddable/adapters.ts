/*
 * Moddable adapters for the small ports (board and mcsim): Timer, crypt
 * Digest, trace. (The store is per target: platform/store.) The clock counts from boot with Date.now() deltas;
 * wall time is set by SNTP, the update server or the browser.
 */

import Timer from "timer";
import { Digest } from "crypt";
import type { Timers, TimerHandle } from "ports/timers";
import { mayReplaceTime, type Clock, type TimeSource } from "ports/clock";
import type { DigestFactory } from "ports/digest";
import type { Logger } from "ports/log";
import { frozen } from "util/frozen";

/**
 * The handle is the SDK's Timer: no id, table or wrapping closure per timer. A one-shot
 * Timer that fired has no host data left, so Timer.clear on it does nothing (modTimer.c).
 */
export class ModdableTimers implements Timers {
	after(ms: number, fn: () => void): TimerHandle {
		return Timer.set(fn, ms) as unknown as TimerHandle;
	}
	every(ms: number, fn: () => void): TimerHandle {
		return Timer.repeat(fn, ms) as unknown as TimerHandle;
	}
	cancel(handle: TimerHandle | undefined): void {
		if (handle) Timer.clear(handle as unknown as Timer);
	}
}

// Read on every status poll: a constant, not a literal (docs/preload-hazards.md).
const NO_TIME: TimeSource = "none";

export class ModdableClock implements Clock {
	#boot = Date.now();
	#offset = 0;
	#source: TimeSource = NO_TIME;
	monotonicMs(): number {
		return Date.now() - this.#boot;
	}
	wallMs(): number {
		return this.#source === NO_TIME ? 0 : this.monotonicMs() + this.#offset;
	}
	source(): TimeSource {
		return this.#source;
	}
	setWallMs(epochMs: number, source: Exclude<TimeSource, "none">): boolean {
		if (!mayReplaceTime(this.#source, source)) return false;
		this.#offset = epochMs - this.monotonicMs();
		this.#source = source;
		return true;
	}
}

export const cryptDigests: DigestFactory = frozen({
	sha256() {
		const d = new Digest("SHA256");
		return {
			// The native side reads any buffer view (xsmcGetBufferReadable);
			// the SDK's typing names only ArrayBuffer, hence the cast, not a copy.
			write(chunk: Uint8Array) {
				d.write(chunk as unknown as ArrayBuffer);
			},
			close() {
				return new Uint8Array(d.close());
			},
		};
	},
});

export const traceLogger: Logger = frozen({
	log(level, message) {
		trace(`${level}: ${message}\n`);
	},
});
