/*
 * `npm run bench`: every benchmark, one after another, printing figures for
 * docs/performance.md. Benchmarks are measurements, not tests: they never
 * fail on a number.
 */

import { benchmarks } from "./registry";

const only = process.argv[2];
for (const b of benchmarks) {
	if (only && !b.name.includes(only)) continue;
	console.log(`\n=== ${b.name} ===`);
	await b.run();
}
