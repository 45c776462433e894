/*
 * Node adapters for the small ports: clock, timers, digest, logger. The
 * store and the flash live in files under the simulator's data folder.
 */

import { createHash } from "node:crypto";
import { mayReplaceTime, type Clock, type TimeSource } from "ports/clock";
import type { Timers, TimerHandle } from "ports/timers";
import type { DigestFactory } from "ports/digest";
import type { Logger, LogLevel } from "ports/log";

export class NodeClock implements Clock {
	#start = performance.now();
	#offsetMs = 0;
	#source: TimeSource = "none";

	monotonicMs(): number {
		return Math.floor(performance.now() - this.#start);
	}
	wallMs(): number {
		return this.#source === "none" ? 0 : this.monotonicMs() + this.#offsetMs;
	}
	source(): TimeSource {
		return this.#source;
	}
	setWallMs(epochMs: number, source: Exclude<TimeSource, "none">): boolean {
		if (!mayReplaceTime(this.#source, source)) return false;
		this.#offsetMs = epochMs - this.monotonicMs();
		this.#source = source;
		return true;
	}
}

/** The handles NodeTimers gives out (opaque to the firmware). */
type IdHandle = { readonly id: number };

export class NodeTimers implements Timers {
	#next = 1;
	#live = new Map<number, NodeJS.Timeout>();

	after(ms: number, fn: () => void): TimerHandle {
		const id = this.#next++;
		this.#live.set(
			id,
			setTimeout(() => {
				this.#live.delete(id);
				fn();
			}, ms),
		);
		return { id };
	}
	every(ms: number, fn: () => void): TimerHandle {
		const id = this.#next++;
		this.#live.set(id, setInterval(fn, ms));
		return { id };
	}
	cancel(handle: TimerHandle | undefined): void {
		if (!handle) return;
		const id = (handle as IdHandle).id;
		const t = this.#live.get(id);
		if (t) {
			clearTimeout(t);
			clearInterval(t);
			this.#live.delete(id);
		}
	}
	/** Stop everything (simulated reboot or shutdown). */
	cancelAll(): void {
		for (const t of this.#live.values()) {
			clearTimeout(t);
			clearInterval(t);
		}
		this.#live.clear();
	}
}

export const nodeDigests: DigestFactory = {
	sha256() {
		const hash = createHash("sha256");
		return {
			write(chunk: Uint8Array) {
				hash.update(chunk);
			},
			close() {
				return new Uint8Array(hash.digest());
			},
		};
	},
};

export function consoleLogger(prefix = "", quiet = false): Logger {
	return {
		log(level: LogLevel, message: string) {
			if (quiet && level === "debug") return;
			const line = `${prefix}${level.toUpperCase().padEnd(5)} ${message}`;
			if (level === "error" || level === "warn") console.error(line);
			else console.log(line);
		},
	};
}
