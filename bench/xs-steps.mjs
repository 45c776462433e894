// Child process for bench/xs-alloc.ts: loads a bundle into one XS worker,
// then evaluates each step the parent sends on stdin and answers with
// xsnap's meter after it (currentHeapCount: slots in use, which grows by
// every slot allocated until the next collection).
//   node bench/xs-steps.mjs <bundle.js>   (stdin: one JS expression per line)
import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import readline from "node:readline";

const worker = await xsnap({
	os: os.type(),
	spawn,
	fs: { ...fs, ...fs.promises },
	name: "ohx-bench",
	stdout: "inherit",
	stderr: "inherit",
	meteringLimit: 0,
	handleCommand: async () => new Uint8Array(0),
});
await worker.evaluate(fs.readFileSync(process.argv[2], "utf8"));
for await (const line of readline.createInterface({ input: process.stdin })) {
	if (!line.trim()) continue;
	try {
		const { meterUsage } = await worker.evaluate(line);
		process.stdout.write(`${JSON.stringify({ slots: meterUsage.currentHeapCount, compute: meterUsage.compute })}\n`);
	} catch (e) {
		process.stdout.write(`${JSON.stringify({ error: String(e?.message ?? e) })}\n`);
	}
}
await worker.close().catch(() => {});
