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

export class ModdableTimers implements Timers {
	#next = 1;
	#live = new Map<number, Timer>();
	after(ms: number, fn: () => void): TimerHandle {
		const id = this.#next++;
		this.#live.set(
			id,
			Timer.set(() => {
				this.#live.delete(id);
				fn();
			}, ms),
		);
		return { id };
	}
	every(ms: number, fn: () => void): TimerHandle {
		const id = this.#next++;
		this.#live.set(
			id,
			Timer.repeat(() => fn(), ms),
		);
		return { id };
	}
	cancel(handle: TimerHandle | undefined): void {
		const t = handle && this.#live.get(handle.id);
		if (t) {
			Timer.clear(t);
			this.#live.delete(handle!.id);
		}
	}
}

export class ModdableClock implements Clock {
	#boot = Date.now();
	#offset = 0;
	#source: TimeSource = "none";
	monotonicMs(): number {
		return Date.now() - this.#boot;
	}
	wallMs(): number {
		return this.#source === "none" ? 0 : this.monotonicMs() + this.#offset;
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
