/*
 * The CAN view's per-entry work inside XS (@agoric/xsnap, the firmware's
 * engine): a capture entry written as a candump line, as a GVRET frame,
 * and into the live table, each timed over many entries of the simulated
 * car's ID mix. With the board's figures unknown, this bounds what one
 * drain can pass on: the C6 runs XS several times slower than this host.
 * Host figures, not the board's.
 */

import { bundleForXs, runInXs } from "../host-tests/xs/xs-engine";
import type { Benchmark } from "./registry";

const ENTRIES = 400_000;

export const canviewXsBench: Benchmark = {
	name: "CAN view per capture entry (XS)",
	async run() {
		const entry = `
import { CandumpWriter } from "canview/candump";
import { GvretSession } from "canview/gvret";
import { LiveTable } from "canview/live";
import { ENTRY_SIZE } from "canview/entries";
declare const issueCommand: (msg: ArrayBuffer) => ArrayBuffer;
const IDS = [0x1a0, 0x280, 0x288, 0x380, 0x4a0, 0x5a0, 0x2a0, 0x0c2, 0x2c0];
const batch = new Uint8Array(64 * ENTRY_SIZE);
for (let i = 0; i < 64; i++) {
	const o = i * ENTRY_SIZE, id = IDS[i % IDS.length];
	batch[o] = i; batch[o + 4] = id & 255; batch[o + 5] = id >> 8; batch[o + 8] = id === 0x2c0 ? 1 : 0; batch[o + 10] = 8;
	for (let b = 0; b < 8; b++) { batch[o + 12 + b] = (i * 7 + b) & 255; batch[o + 20 + b] = (i * 7 + b) & 255; }
	if (id === 0x280) { batch[o + 9] = 4; batch[o + 21] = 0xfe; }
}
function time(fn) { const t0 = Date.now(); fn(); return Date.now() - t0; }
const N = ${ENTRIES};
const out = new Uint8Array(8192);
const w = new CandumpWriter(1700000000);
let at = 0;
const candump = time(() => { for (let k = 0; k < N; k++) { at = w.write(batch, k & 63, out, at); if (at < 0 || at > 8000) at = 0; } });
const host = { nowUs: () => 0, bitrate: 500000, build: 1, sendingAllowed: () => false, transmit: () => false };
const s = new GvretSession(host, 8192);
s.receive(new Uint8Array([0xe7]));
const gvret = time(() => { for (let k = 0; k < N; k++) { s.frame(batch, k & 63); if (s.length > 8000) s.consumed(s.length); } });
const t = new LiveTable();
const live = time(() => { for (let k = 0; k < N; k++) t.add(batch, k & 63); });
const text = JSON.stringify({ candump, gvret, live });
const bytes = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
issueCommand(bytes.buffer);
`;
		let r: { candump: number; gvret: number; live: number } | undefined;
		await runInXs(await bundleForXs(entry), (text) => {
			r = JSON.parse(text);
		});
		if (!r) throw new Error("the XS bench reported nothing");
		const line = (what: string, ms: number) =>
			console.log(
				`${what.padEnd(34)} ${((ms * 1e6) / ENTRIES).toFixed(0).padStart(5)} ns/entry  ${Math.round(ENTRIES / (ms / 1000)).toLocaleString("en-US")} entries/s`,
			);
		console.log(`entries            ${ENTRIES.toLocaleString("en-US")} (the simulated car's IDs; 1 in 9 rewritten: two lines/frames)`);
		line("candump -l line(s)", r.candump);
		line("GVRET frame(s)", r.gvret);
		line("live table row", r.live);
	},
};
