/*
 * The C core on the host: frames per second and, with valgrind's callgrind,
 * instructions per bridged frame for STOCK and each generation's rewrite (modules/can
 * Makefile, host-tests/c/bench_bridge.c). Instruction counts do not drift
 * with machine load; frames/s does.
 */

import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Benchmark } from "./registry";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const canCoreBench: Benchmark = {
	name: "CAN core (C, host)",
	async run() {
		const r = spawnSync("make", ["-s", "--no-print-directory", "-C", path.join(ROOT, "host-tests/c"), "bench"], { encoding: "utf8" });
		process.stdout.write(r.stdout);
		if (r.status !== 0) process.stdout.write(`(the C bench did not run: ${r.stderr.trim() || `exit ${r.status}`})\n`);
	},
};
