/*
 * Recording fakes for the ports. Portable TypeScript (they run inside XS
 * too): they keep state and record calls, so tests can assert on timing,
 * persistence and what the firmware asked of the platform.
 */

import { checkStoreLimits, type KeyValueStore, type StoreValue } from "ports/store";
import { mayReplaceTime, type Clock, type TimeSource } from "ports/clock";
import type { Timers, TimerHandle } from "ports/timers";
import type { Restart } from "ports/restart";
import type { SystemInfo } from "ports/system";
import type { Logger, LogLevel } from "ports/log";
import type { Platform } from "app/platform";
import { pureDigests } from "../../host/portable/sha256";
import { RecordingCanBridge } from "./fake-can";
import { runningImage } from "ota/slot-info";
import type { FlashBoard } from "../../host/adapters/flash/board";
import { memoryBoard } from "./fake-ota";

/** Clock and timers driven by the test: nothing happens until advance(). */
export class ManualTime implements Clock, Timers {
	#now = 0;
	#wallOffset = 0;
	#source: TimeSource = "none";
	#next = 1;
	#pending = new Map<number, { at: number; every: number; fn: () => void }>();

	monotonicMs(): number {
		return this.#now;
	}
	wallMs(): number {
		return this.#source === "none" ? 0 : this.#now + this.#wallOffset;
	}
	source(): TimeSource {
		return this.#source;
	}
	setWallMs(epochMs: number, source: Exclude<TimeSource, "none">): boolean {
		if (!mayReplaceTime(this.#source, source)) return false;
		this.#wallOffset = epochMs - this.#now;
		this.#source = source;
		return true;
	}

	after(ms: number, fn: () => void): TimerHandle {
		const id = this.#next++;
		this.#pending.set(id, { at: this.#now + ms, every: 0, fn });
		return { id };
	}
	every(ms: number, fn: () => void): TimerHandle {
		if (ms <= 0) throw new RangeError("timer period must be positive");
		const id = this.#next++;
		this.#pending.set(id, { at: this.#now + ms, every: ms, fn });
		return { id };
	}
	cancel(handle: TimerHandle | undefined): void {
		if (handle) this.#pending.delete((handle as { id: number }).id);
	}
	get pendingTimers(): number {
		return this.#pending.size;
	}

	/** Move time forward, firing due timers in order. */
	advance(ms: number): void {
		const end = this.#now + ms;
		for (;;) {
			let dueId = -1,
				due: { at: number; every: number; fn: () => void } | undefined;
			for (const [id, t] of this.#pending) {
				if (t.at <= end && (!due || t.at < due.at)) {
					due = t;
					dueId = id;
				}
			}
			if (!due) break;
			this.#now = Math.max(this.#now, due.at);
			if (due.every) due.at += due.every;
			else this.#pending.delete(dueId);
			due.fn();
		}
		this.#now = end;
	}
}

/** In-memory store with the Preference limits and a write log. */
export class MemoryStore implements KeyValueStore {
	readonly writes: { domain: string; key: string; value: StoreValue | undefined }[] = [];
	#data = new Map<string, Map<string, StoreValue>>();

	get(domain: string, key: string): StoreValue | undefined {
		return this.#data.get(domain)?.get(key);
	}
	set(domain: string, key: string, value: StoreValue): void {
		checkStoreLimits(domain, key, value);
		if (!this.#data.has(domain)) this.#data.set(domain, new Map());
		this.#data.get(domain)!.set(key, value instanceof ArrayBuffer ? value.slice(0) : value);
		this.writes.push({ domain, key, value });
	}
	delete(domain: string, key: string): void {
		this.#data.get(domain)?.delete(key);
		this.writes.push({ domain, key, value: undefined });
	}
	keys(domain: string): string[] {
		return [...(this.#data.get(domain)?.keys() ?? [])];
	}
}

export class RecordingRestart implements Restart {
	readonly reasons: string[] = [];
	restart(reason: string): void {
		this.reasons.push(reason);
	}
}

export class RecordingLogger implements Logger {
	readonly lines: { level: LogLevel; message: string }[] = [];
	log(level: LogLevel, message: string): void {
		this.lines.push({ level, message });
	}
	has(fragment: string): boolean {
		return this.lines.some((l) => l.message.includes(fragment));
	}
}

/** Deterministic bytes (xorshift32), recording how many were asked for. */
export class SeededRandom {
	#state: number;
	requested = 0;
	constructor(seed: number) {
		this.#state = seed >>> 0 || 1;
	}
	bytes(length: number): Uint8Array {
		this.requested += length;
		const out = new Uint8Array(length);
		for (let i = 0; i < length; i++) out[i] = this.next() & 255;
		return out;
	}
	next(): number {
		let x = this.#state;
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		this.#state = x;
		return x;
	}
}

export function fakeSystem(board = "test-board"): SystemInfo {
	return { board: () => board, resetReason: () => "power-on", memory: () => ({ xsHeapFree: 100000 }) };
}

export interface FakePlatform extends Platform {
	time: ManualTime;
	store: MemoryStore;
	restart: RecordingRestart;
	logger: RecordingLogger;
	/** The in-memory flash, bootloader and OtaPort (platform.ota is board.port at creation). */
	board: FlashBoard;
	can: RecordingCanBridge;
}

export function fakePlatform(version = "1.2.3+ohxs"): FakePlatform {
	const time = new ManualTime();
	const board = memoryBoard(version);
	let running: { port: unknown; version: string } | undefined;
	return {
		board,
		ota: board.port,
		time,
		clock: time,
		timers: time,
		store: new MemoryStore(),
		restart: new RecordingRestart(),
		digests: pureDigests,
		system: fakeSystem(),
		logger: new RecordingLogger(),
		random: new SeededRandom(1),
		hostAddresses: () => ["192.168.4.1"],
		can: new RecordingCanBridge(time),
		// Read once per boot (each boot makes a new port), as main.ts does on the board.
		runningVersion: () => {
			const port = board.port;
			if (running?.port !== port) running = { port, version: runningImage(port).version };
			return running.version;
		},
	};
}
