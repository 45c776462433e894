/*
 * The Gen4 rewrite written in TypeScript, only to compare with the C core
 * (modules/can/core/ohx_bridge.c does the real work). Same bytes as the C
 * core: MOTOR1 b1-b7, BRAKES1 b0/b1/b4/b5, BRAKES2 b4, BRAKES3 per wheel,
 * BRAKES4 with a +16 counter in b6 and the XOR of b0..b6 in b7, mLW_1
 * replaced from a 16-row table. Portable: runs inside XS (no Node API).
 */

const MLW1_ROWS: number[][] = [
	[0x22, 0, 0, 0, 0x80, 0x00, 0xa0, 0xdd],
	[0x22, 0, 0, 0, 0x80, 0x10, 0x85, 0xcd],
	[0x22, 0, 0, 0, 0x80, 0x20, 0xea, 0xbd],
	[0x22, 0, 0, 0, 0x80, 0x30, 0xcf, 0xad],
	[0x22, 0, 0, 0, 0x80, 0x40, 0x34, 0x9d],
	[0x22, 0, 0, 0, 0x80, 0x50, 0x11, 0x8d],
	[0x22, 0, 0, 0, 0x80, 0x60, 0x7e, 0x7d],
	[0x22, 0, 0, 0, 0x80, 0x70, 0x5b, 0x6d],
	[0x22, 0, 0, 0, 0x80, 0x80, 0xa7, 0x5d],
	[0x22, 0, 0, 0, 0x80, 0x90, 0x82, 0x4d],
	[0x22, 0, 0, 0, 0x80, 0xa0, 0xed, 0x3d],
	[0x22, 0, 0, 0, 0x80, 0xb0, 0xc8, 0x2d],
	[0x22, 0, 0, 0, 0x80, 0xc0, 0x33, 0x1d],
	[0x22, 0, 0, 0, 0x80, 0xd0, 0x16, 0x0d],
	[0x22, 0, 0, 0, 0x80, 0xe0, 0x79, 0xfd],
	[0x22, 0, 0, 0, 0x80, 0xf0, 0x5c, 0xed],
];
const MLW1 = MLW1_ROWS.map((r) => Uint8Array.from(r));

export function lockScale(full: number, percent: number): number {
	if (percent >= 100) return full;
	if (percent <= 0) return 0;
	return ((full * (percent + 40)) / 200) | 0;
}

export class Gen4Rewriter {
	percent = 100;
	#row = 0;
	#counter = 0;

	/** Rewrite `d` (8 bytes) of frame `id` in place; true when rewritten. */
	rewrite(id: number, dlc: number, d: Uint8Array): boolean {
		const p = this.percent;
		switch (id) {
			case 0x0c2:
				if (dlc < 8) return false;
				d.set(MLW1[this.#row]);
				this.#row = (this.#row + 1) & 15;
				return true;
			case 0x280:
				if (dlc < 8) return false;
				d[1] = lockScale(0xfe, p);
				d[2] = lockScale(0x20, p);
				d[3] = lockScale(0x4e, p);
				d[4] = lockScale(0xfe, p);
				d[5] = lockScale(0xfe, p);
				d[6] = lockScale(0x16, p);
				d[7] = lockScale(0xfe, p);
				return true;
			case 0x1a0:
				if (dlc < 6) return false;
				d[0] = 0x20;
				d[1] = 0x40;
				d[4] = lockScale(0xfe, p);
				d[5] = lockScale(0xfe, p);
				return true;
			case 0x5a0:
				if (dlc < 5) return false;
				d[4] = lockScale(0x7f, p);
				return true;
			case 0x4a0:
				if (dlc < 8) return false;
				d[0] = lockScale(0xb6, p);
				d[1] = 0x07;
				d[2] = lockScale(0xcc, p);
				d[3] = 0x07;
				d[4] = lockScale(0xd2, p);
				d[5] = 0x07;
				d[6] = lockScale(0xd2, p);
				d[7] = 0x07;
				return true;
			case 0x2a0:
				if (dlc < 8) return false;
				d[0] = lockScale(0xfe, p);
				d[1] = 0;
				d[2] = 0;
				d[3] = 0x64;
				d[4] = 0;
				d[5] = 0;
				d[6] = this.#counter;
				d[7] = d[0] ^ d[3] ^ d[6];
				this.#counter = (this.#counter + 16) & 0xff;
				return true;
			default:
				return false;
		}
	}
}

/** A 100-frame slice of the simulated car's bus (10 ms of each 10 ms ID, ...), as the bench replays it. */
export function benchStream(): { id: number; data: Uint8Array }[] {
	const ids = [0x0c2, 0x1a0, 0x280, 0x380, 0x4a0, 0x288, 0x2a0, 0x5a0, 0x480];
	const weights = [10, 10, 10, 10, 10, 5, 5, 5, 1];
	const out: { id: number; data: Uint8Array }[] = [];
	let seed = 7;
	for (let i = 0; i < ids.length; i++) {
		for (let k = 0; k < weights[i]; k++) {
			const data = new Uint8Array(8);
			for (let b = 0; b < 8; b++) {
				seed = (seed * 1103515245 + 12345) & 0x7fffffff;
				data[b] = seed & 0xff;
			}
			out.push({ id: ids[i], data });
		}
	}
	return out;
}

/**
 * Bridge `frames` frames of the stream (copy in -> out, rewrite) and return
 * the elapsed ms measured with Date.now() by the engine itself.
 */
export function runRewriteBench(frames: number, percent = 100): { ms: number; rewritten: number } {
	const stream = benchStream();
	const r = new Gen4Rewriter();
	r.percent = percent;
	const out = new Uint8Array(8);
	let rewritten = 0;
	const t0 = Date.now();
	for (let i = 0; i < frames; i++) {
		const f = stream[i % stream.length];
		out.set(f.data);
		if (r.rewrite(f.id, 8, out)) rewritten++;
	}
	return { ms: Date.now() - t0, rewritten };
}
