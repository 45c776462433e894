// exec() on the preloaded RegExp while the fixed chunk heap is nearly full, so
// the allocations exec makes for its result trigger collections (and compaction).
import Timer from "timer";
import { PATTERN } from "pattern";

const keep = [];
let round = 0, bad = 0;
function fill() {
	// Live strings of varied sizes keep the chunk heap close to full.
	for (let i = 0; i < 40; i++) keep[i] = "x".repeat(40 + ((i * 37 + round) % 200));
}
Timer.repeat(() => {
	round++;
	fill();
	for (let i = 0; i < 200; i++) {
		const text = `${i % 10}.${round % 100}.${i}-rc.${i}+build.${round}`;
		const m = PATTERN.exec(text);
		if (!m || m[3] !== String(i) || m[5] !== `build.${round}`) bad++;
		keep[i % 40] = text + "y".repeat(i % 64); // churn
	}
	if (round % 10 === 0) trace(`round ${round}, wrong results ${bad}\n`);
}, 1);
