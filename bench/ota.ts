/*
 * OTA pipeline throughput and memory (docs/performance.md):
 *  - a 1.9 MB image through the validator, and through validator + slot
 *    writer (ImageStager over FlashOtaPort: NOR model in memory and over the
 *    simulator's flash file), as MB/s beside `sha256sum` of the same file;
 *  - the validator inside XS (@agoric/xsnap, pure-TS SHA-256);
 *  - peak JS heap while validating a 1 MB and a 4 MB image streamed from a
 *    file (child process with --expose-gc): must not grow with size.
 * Host figures, not the board's.
 */

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImageValidator } from "ota/validator";
import { ImageStager } from "ota/stager";
import { nodeDigests } from "../host/adapters/node-platform";
import { buildEspImage } from "../host/adapters/flash/esp-image";
import { MemoryFlashStorage, NorFlash, type FlashStorage } from "../host/adapters/flash/nor-flash";
import { FileFlashStorage } from "../host/adapters/flash/file-storage";
import { FlashBoard } from "../host/adapters/flash/board";
import { layoutFromCsv } from "../host/adapters/flash/layout";
import { ManualTime, MemoryStore } from "../host-tests/support/fakes";
import { PROJECT_ROOT, bundleForXs, runInXs } from "../host-tests/xs/xs-engine";
import type { Benchmark } from "./registry";

const MB = 1e6;
const CHUNK = 4096;

function time(f: () => void): number {
	const t = performance.now();
	f();
	return performance.now() - t;
}

function board(storage: FlashStorage): FlashBoard {
	const layout = layoutFromCsv(fs.readFileSync(path.join(PROJECT_ROOT, "partitions.csv"), "utf8"));
	const b = new FlashBoard(new NorFlash(storage, { logOps: false }), layout, nodeDigests);
	b.flashImage(0, buildEspImage({ version: "0.0.1+ohxs", size: 8192 }));
	b.boot();
	return b;
}

function stage(b: FlashBoard, image: Uint8Array): void {
	const time = new ManualTime();
	const s = new ImageStager({ ota: b.port, digests: nodeDigests, store: new MemoryStore(), clock: time });
	s.begin({ declaredSize: image.length });
	for (let i = 0; i < image.length; i += CHUNK) s.write(image.subarray(i, i + CHUNK));
	s.end();
}

export const otaBench: Benchmark = {
	name: "OTA image pipeline (host, XS, memory)",
	async run() {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-bench-ota-"));
		try {
			const image = buildEspImage({ version: "1.0.0+ohxs", size: 1900 * 1024, seed: 3 });
			const file = path.join(dir, "app.bin");
			fs.writeFileSync(file, image);
			const mbps = (ms: number) => (image.length / MB / (ms / 1000)).toFixed(0).padStart(5);

			const sha = time(() => execFileSync("sha256sum", [file]));
			const validate = () => {
				const v = new ImageValidator({ digests: nodeDigests, slotSize: 0x1f0000, running: "0.0.1+ohxs", runningSecureVersion: 0 });
				for (let i = 0; i < image.length; i += CHUNK) v.write(image.subarray(i, i + CHUNK));
				v.end();
			};
			validate();
			const val = Math.min(time(validate), time(validate), time(validate));
			const mem = board(new MemoryFlashStorage(4 * 1024 * 1024));
			stage(mem, image);
			const memMs = Math.min(
				time(() => stage(mem, image)),
				time(() => stage(mem, image)),
			);
			const fileBoard = board(new FileFlashStorage(path.join(dir, "flash.bin"), 4 * 1024 * 1024));
			const fileMs = time(() => stage(fileBoard, image));

			console.log(`image              ${(image.length / 1024).toFixed(0)} KiB, ${CHUNK}-byte chunks`);
			console.log(`sha256sum          ${mbps(sha)} MB/s  (${sha.toFixed(1)} ms, includes starting the process)`);
			console.log(`validator          ${mbps(val)} MB/s  (${val.toFixed(1)} ms: header, checksum, 2x SHA-256 via node:crypto)`);
			console.log(`validator + writer ${mbps(memMs)} MB/s  (${memMs.toFixed(1)} ms: + NOR model in memory, erase-ahead, read-back verify)`);
			console.log(`  over flash file  ${mbps(fileMs)} MB/s  (${fileMs.toFixed(1)} ms: the simulator's flash.bin)`);

			// Inside XS: the validator with the pure TypeScript SHA-256.
			const entry = [
				`import { ImageValidator } from "ota/validator";`,
				`import { pureDigests } from "./host/portable/sha256";`,
				`import { buildEspImage } from "./host/adapters/flash/esp-image";`,
				`declare const issueCommand: (msg: ArrayBuffer) => ArrayBuffer;`,
				`const image = buildEspImage({ version: "1.0.0+ohxs", size: 512 * 1024, seed: 3 });`,
				`const t = Date.now();`,
				`const v = new ImageValidator({ digests: pureDigests, slotSize: 0x1f0000, running: "0.0.1+ohxs", runningSecureVersion: 0 });`,
				`for (let i = 0; i < image.length; i += ${CHUNK}) v.write(image.subarray(i, i + ${CHUNK}));`,
				`v.end();`,
				`const text = JSON.stringify({ ms: Date.now() - t, bytes: image.length });`,
				`const b = new Uint8Array(text.length); for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);`,
				`issueCommand(b.buffer);`,
			].join("\n");
			let xs: { ms: number; bytes: number } | undefined;
			await runInXs(await bundleForXs(entry), (t) => {
				xs = JSON.parse(t);
			});
			if (xs)
				console.log(
					`validator in XS    ${(xs.bytes / MB / (xs.ms / 1000)).toFixed(1).padStart(5)} MB/s  (${xs.bytes / 1024} KiB in ${xs.ms} ms, pure-TS SHA-256; the board uses crypt)`,
				);

			for (const size of [1024 * 1024, 4 * 1024 * 1024]) {
				const f = path.join(dir, `m${size}.bin`);
				fs.writeFileSync(f, buildEspImage({ version: "1.0.0+ohxs", size, seed: 5 }));
				const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(PROJECT_ROOT, "bench/ota-memory.ts"), f], {
					cwd: PROJECT_ROOT,
					encoding: "utf8",
				});
				const r = JSON.parse(out.trim().split("\n").at(-1)!);
				const q = (r.quarters as number[]).map((x) => `${(x / 1024).toFixed(0)}`).join(" / ");
				console.log(
					`memory ${String(size / 1024 / 1024)} MB image   peak heap +${(r.peakHeapDelta / 1024).toFixed(0)} KiB over the post-GC baseline; after GC at 25/50/75/100 %: ${q} KiB; validator buffers ${r.retained} B`,
				);
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	},
};
