/*
 * The Gen4 rewrite in TypeScript inside XS (@agoric/xsnap, the engine the
 * firmware runs on), for comparison with the C core. XS has no timers: the
 * bundle times itself with Date.now() over many frames and reports back.
 * V8 runs the same code for reference. Host figures, not the board's.
 */

import { bundleForXs, runInXs } from "../host-tests/xs/xs-engine";
import { runRewriteBench } from "./gen4-rewrite";
import type { Benchmark } from "./registry";

const FRAMES = 2_000_000;

export const haldexXsBench: Benchmark = {
	name: "Gen4 rewrite in TypeScript (XS and V8)",
	async run() {
		const entry = [
			`import { runRewriteBench } from "./bench/gen4-rewrite";`,
			`declare const issueCommand: (msg: ArrayBuffer) => ArrayBuffer;`,
			`runRewriteBench(20000);`,
			`const r = runRewriteBench(${FRAMES});`,
			`const text = JSON.stringify(r);`,
			`const bytes = new Uint8Array(text.length);`,
			`for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);`,
			`issueCommand(bytes.buffer);`,
		].join("\n");
		let xs: { ms: number; rewritten: number } | undefined;
		await runInXs(await bundleForXs(entry), (text) => {
			xs = JSON.parse(text);
		});
		if (!xs) throw new Error("the XS bench reported nothing");
		runRewriteBench(200_000);
		const v8 = runRewriteBench(FRAMES);
		const ns = (r: { ms: number }) => ((r.ms * 1e6) / FRAMES).toFixed(0);
		const fps = (r: { ms: number }) => Math.round(FRAMES / (r.ms / 1000)).toLocaleString("en-US");
		console.log(`frames             ${FRAMES.toLocaleString("en-US")} (${((xs.rewritten / FRAMES) * 100).toFixed(0)} % rewritten: the simulated car's ID mix)`);
		console.log(`XS  (xsnap)        ${ns(xs)} ns/frame  ${fps(xs)} frames/s`);
		console.log(`V8  (Node)         ${ns(v8)} ns/frame  ${fps(v8)} frames/s`);
	},
};
