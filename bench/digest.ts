/* SHA-256 throughput: node:crypto (the simulator's digest port) against the pure TypeScript digest. */

import { createHash } from "node:crypto";
import { Sha256 } from "../host/portable/sha256";
import type { Benchmark } from "./registry";

export const digestBench: Benchmark = {
	name: "sha256 (host)",
	async run() {
		const data = new Uint8Array(4 * 1024 * 1024);
		for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
		const chunk = 4096;
		const mbps = (ms: number) => (data.length / 1e6 / (ms / 1000)).toFixed(1);

		let t = performance.now();
		const h = createHash("sha256");
		for (let i = 0; i < data.length; i += chunk) h.update(data.subarray(i, i + chunk));
		h.digest();
		const native = performance.now() - t;

		t = performance.now();
		const p = new Sha256();
		for (let i = 0; i < data.length; i += chunk) p.write(data.subarray(i, i + chunk));
		p.close();
		const pure = performance.now() - t;

		console.log(`node:crypto        ${mbps(native)} MB/s`);
		console.log(`util/sha256 (V8)   ${mbps(pure)} MB/s`);
	},
};
