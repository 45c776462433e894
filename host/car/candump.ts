/*
 * Replay of a candump log (`candump -l` format) as the chassis bus:
 *   (1436509052.249713) can0 280#0011223344556677
 * Lines of the chosen interface (default can0) are replayed at their
 * recorded spacing, starting when the replay starts; other interfaces,
 * remote frames (R), CAN FD (##) and blank or # comment lines are skipped.
 * Extended IDs (more than 3 hex digits) are kept as written.
 */

import fs from "node:fs";
import type { CanFrame } from "./frames";
import type { ChassisSource } from "./drive-cycle";

export interface LogFrame {
	/** ms since the first frame of the log. */
	atMs: number;
	iface: string;
	frame: CanFrame;
	ext: boolean;
}

const LINE = /^\((\d+(?:\.\d+)?)\)\s+(\S+)\s+([0-9A-Fa-f]{1,8})#([0-9A-Fa-f]*)\s*$/;

/** Parse candump -l text. Throws a SyntaxError naming the first bad line. */
export function parseCandump(text: string): LogFrame[] {
	const out: LogFrame[] = [];
	let t0: number | undefined;
	const lines = text.split(/\r?\n/);
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (!line || line.startsWith("#")) continue;
		if (/#R|##/.test(line)) continue;
		const m = LINE.exec(line);
		if (!m || m[4].length % 2 !== 0 || m[4].length > 16) throw new SyntaxError(`candump line ${i + 1} is not "(seconds) iface ID#DATA": ${line}`);
		const seconds = Number(m[1]);
		t0 ??= seconds;
		const data = new Uint8Array(m[4].length / 2);
		for (let b = 0; b < data.length; b++) data[b] = parseInt(m[4].slice(2 * b, 2 * b + 2), 16);
		out.push({ atMs: Math.round((seconds - t0) * 1000), iface: m[2], frame: { id: parseInt(m[3], 16), data }, ext: m[3].length > 3 });
	}
	return out;
}

export class CandumpReplay implements ChassisSource {
	readonly frames: LogFrame[];
	readonly #startMs: number;
	readonly #loop: boolean;
	readonly #lengthMs: number;
	#index = 0;
	#round = 0;

	constructor(frames: LogFrame[], options: { startMs?: number; iface?: string; loop?: boolean } = {}) {
		const iface = options.iface ?? "can0";
		this.frames = frames.filter((f) => f.iface === iface && !f.ext);
		this.#startMs = options.startMs ?? 0;
		this.#loop = options.loop ?? false;
		this.#lengthMs = this.frames.length ? this.frames[this.frames.length - 1].atMs + 10 : 0;
	}

	static fromFile(file: string, options?: { startMs?: number; iface?: string; loop?: boolean }): CandumpReplay {
		return new CandumpReplay(parseCandump(fs.readFileSync(file, "utf8")), options);
	}

	get finished(): boolean {
		return !this.#loop && this.#index >= this.frames.length;
	}

	poll(nowMs: number): { atMs: number; frame: CanFrame }[] {
		const out: { atMs: number; frame: CanFrame }[] = [];
		if (!this.frames.length) return out;
		for (;;) {
			if (this.#index >= this.frames.length) {
				if (!this.#loop) break;
				this.#index = 0;
				this.#round++;
			}
			const f = this.frames[this.#index];
			const at = this.#startMs + this.#round * this.#lengthMs + f.atMs;
			if (at > nowMs) break;
			out.push({ atMs: at, frame: { id: f.frame.id, data: f.frame.data.slice() } });
			this.#index++;
		}
		return out;
	}
}
