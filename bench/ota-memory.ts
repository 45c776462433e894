/*
 * Child process of bench/ota.ts (run with --expose-gc): streams an image
 * FILE through the validator in 4 KiB reads (the image is never in memory)
 * and reports the peak JS heap above the post-GC baseline, sampled after
 * every chunk. Prints one JSON line.
 *   node --expose-gc --import tsx bench/ota-memory.ts <image.bin>
 */

import fs from "node:fs";
import { ImageValidator } from "ota/validator";
import { nodeDigests } from "../host/adapters/node-platform";

const file = process.argv[2];
const gc = (globalThis as any).gc as () => void;
const buf = new Uint8Array(4096);
const fd = fs.openSync(file, "r");
gc();
const base = process.memoryUsage().heapUsed;
let peak = 0;
const v = new ImageValidator({ digests: nodeDigests, slotSize: 16 * 1024 * 1024, running: "0.0.1+ohxs", runningSecureVersion: 0 });
const size = fs.statSync(file).size;
const quarters: number[] = [];
let n: number;
let done = 0;
let i = 0;
while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
	v.write(buf.subarray(0, n));
	done += n;
	if ((i++ & 15) === 0) {
		gc();
		peak = Math.max(peak, process.memoryUsage().heapUsed - base);
	}
	if (done * 4 >= size * (quarters.length + 1)) {
		gc();
		quarters.push(process.memoryUsage().heapUsed - base);
	}
}
v.end();
console.log(JSON.stringify({ bytes: size, peakHeapDelta: peak, quarters, retained: ImageValidator.retainedBufferBytes }));
