/*
 * The event log: what happened to the board, for the owner and for
 * support. Entries go to a RAM ring at once (GET /api/logs sees them
 * immediately) and to flash in small batches (log-flash), so a burst of
 * events costs one write and flash wear stays low:
 *   - a batch is written when FLUSH_COUNT entries are waiting, or
 *     FLUSH_DELAY_MS after the first waiting one;
 *   - flush() writes at once (before a restart; urgent kinds do it too).
 * Each entry carries the boot number, uptime and, once the clock is
 * synced, wall time. Entries of the current boot written before the sync
 * get their wall time filled in from the sync (uptime is exact).
 */

import type { Clock } from "ports/clock";
import type { TimerHandle, Timers } from "ports/timers";
import type { Logger } from "ports/log";
import type { PartitionPort } from "ports/partition";
import { FlashLog } from "device/log-flash";
import { utf8Decode } from "util/utf8";
import { frozen } from "util/frozen";

export type EventKind = "boot" | "safe-mode" | "mode" | "update" | "rollback" | "bus-fault" | "watchdog" | "login" | "setup" | "wifi" | "time" | "log";

export interface LogEntry {
	/** Sequence number, never reused (continues across boots and clears). */
	n: number;
	/** Boot number (from the boot record). */
	boot: number;
	/** Milliseconds since that boot. */
	upMs: number;
	/** Epoch ms, 0 while the clock was not synced. */
	wallMs: number;
	kind: EventKind;
	message: string;
}

export const RAM_ENTRIES = 64;
export const FLUSH_COUNT = 8;
export const FLUSH_DELAY_MS = 30_000;
export const MAX_MESSAGE = 200;
const URGENT: readonly EventKind[] = frozen(["boot", "safe-mode", "rollback", "watchdog"]);

export interface EventLogDeps {
	clock: Clock;
	timers: Timers;
	partition?: PartitionPort;
	logger?: Logger;
	/** This boot's number. */
	boot: number;
}

function encode(e: LogEntry): string {
	return JSON.stringify([e.n, e.boot, e.upMs, e.wallMs, e.kind, e.message]);
}

function decode(text: string): LogEntry | undefined {
	try {
		const a = JSON.parse(text);
		if (!Array.isArray(a) || a.length !== 6 || typeof a[0] !== "number") return undefined;
		return { n: a[0], boot: a[1], upMs: a[2], wallMs: a[3], kind: a[4], message: String(a[5]) };
	} catch {
		return undefined;
	}
}

export class EventLog {
	readonly #d: EventLogDeps;
	readonly #flash: FlashLog | undefined;
	readonly #ram: LogEntry[] = [];
	#pending: LogEntry[] = [];
	#next = 1;
	#timer: TimerHandle | undefined;
	#flushes = 0;
	#failure: string | undefined;

	constructor(deps: EventLogDeps) {
		this.#d = deps;
		let flash: FlashLog | undefined;
		if (deps.partition) {
			try {
				flash = new FlashLog(deps.partition);
				flash.forEach((text) => {
					const e = decode(text);
					if (e && e.n >= this.#next) this.#next = e.n + 1;
				});
			} catch (e) {
				this.#failure = `the log partition is unusable: ${e instanceof Error ? e.message : String(e)}`;
				deps.logger?.log("error", this.#failure);
				flash = undefined;
			}
		}
		this.#flash = flash;
	}

	record(kind: EventKind, message: string): LogEntry {
		const entry: LogEntry = {
			n: this.#next++,
			boot: this.#d.boot,
			upMs: this.#d.clock.monotonicMs(),
			wallMs: this.#d.clock.wallMs(),
			kind,
			message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
		};
		this.#ram.push(entry);
		if (this.#ram.length > RAM_ENTRIES) this.#ram.shift();
		this.#d.logger?.log("info", `event ${kind}: ${entry.message}`);
		if (!this.#flash) return entry;
		this.#pending.push(entry);
		if (URGENT.includes(kind) || this.#pending.length >= FLUSH_COUNT) this.flush();
		else
			this.#timer ??= this.#d.timers.after(FLUSH_DELAY_MS, () => {
				this.#timer = undefined;
				this.flush();
			});
		return entry;
	}

	/** Write waiting entries now. */
	flush(): void {
		this.#d.timers.cancel(this.#timer);
		this.#timer = undefined;
		if (!this.#flash || !this.#pending.length) return;
		const batch = this.#pending;
		this.#pending = [];
		try {
			for (const e of batch) this.#flash.append(encode(this.#withWall(e)));
			this.#flushes++;
		} catch (e) {
			this.#failure = `writing the log failed: ${e instanceof Error ? e.message : String(e)}`;
			this.#d.logger?.log("error", this.#failure);
		}
	}

	/** The newest entries, newest first: this boot's waiting ones, then persisted ones. */
	entries(limit = 100, kind?: string): LogEntry[] {
		const cursor = this.cursor(limit, kind);
		const out: LogEntry[] = [];
		for (let e = cursor.next(); e; e = cursor.next()) out.push(e);
		return out;
	}

	/**
	 * The same entries, read one at a time, so a response can stream them:
	 * it holds their flash locations (4 bytes each), not the entries. A
	 * location whose sector was reused before it was read holds a newer
	 * entry: it is skipped (the list only goes back in time).
	 */
	cursor(limit = 100, kind?: string): { next(): LogEntry | undefined } {
		const flash = this.#flash;
		const at = new Int32Array(Math.max(1, limit)); // ring of the newest matching locations
		let end = 0,
			found = 0;
		flash?.forEachRecord((location, payload) => {
			if (kind && decode(utf8Decode(payload))?.kind !== kind) return;
			at[end] = location;
			end = (end + 1) % at.length;
			found++;
		});
		const recent = (flash ? this.#pending : this.#ram).filter((e) => !kind || e.kind === kind).slice(-limit);
		const total = recent.length + Math.min(found, limit - recent.length);
		let i = 0,
			last = this.#next; // sequence numbers only go down from here
		const older = (e: LogEntry | undefined) => {
			if (!e || e.n >= last) return undefined;
			last = e.n;
			return this.#withWall(e);
		};
		return {
			next: () => {
				while (i < total) {
					const k = i++;
					// k - recent.length < at.length, so one + at.length keeps the index positive
					const text = k < recent.length ? undefined : flash!.readAt(at[(end - 1 - (k - recent.length) + at.length) % at.length]);
					const e = older(k < recent.length ? recent[recent.length - 1 - k] : text === undefined ? undefined : decode(text));
					if (e) return e;
				}
				return undefined;
			},
		};
	}

	/** Erase RAM and flash; the clear itself is the first new entry. */
	clear(by: string): void {
		this.#ram.length = 0;
		this.#pending = [];
		this.#d.timers.cancel(this.#timer);
		this.#timer = undefined;
		this.#flash?.clear();
		this.record("log", `log cleared by ${by}`);
		this.flush();
	}

	status() {
		return {
			persistent: this.#flash !== undefined,
			waiting: this.#pending.length,
			batchesWritten: this.#flushes,
			nextSequence: this.#next,
			...(this.#flash ? { flash: this.#flash.stats() } : {}),
			...(this.#failure ? { failure: this.#failure } : {}),
		};
	}

	stop(): void {
		this.flush();
	}

	#withWall(e: LogEntry): LogEntry {
		if (e.wallMs || e.boot !== this.#d.boot) return e;
		const wall = this.#d.clock.wallMs();
		if (!wall) return e;
		return { ...e, wallMs: wall - (this.#d.clock.monotonicMs() - e.upMs) };
	}
}
