// Child process that owns the XS worker. @agoric/xsnap needs SES
// (@endo/init locks down the realm), which must not happen inside mocha's
// process, so the worker lives here. Usage: node xs-child.mjs <script.js>
// Each issueCommand() payload is written to stdout as one JSON line {"m": text}.
import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

const decoder = new TextDecoder();
const code = fs.readFileSync(process.argv[2], "utf8");
const worker = await xsnap({
	os: os.type(),
	spawn,
	fs: { ...fs, ...fs.promises },
	name: "openhaldex-xs",
	stdout: "inherit",
	stderr: "inherit",
	meteringLimit: 0,
	handleCommand: async (message) => {
		process.stdout.write(JSON.stringify({ m: decoder.decode(message) }) + "\n");
		return new Uint8Array(0);
	},
});
let status = 0;
try {
	await worker.evaluate(code);
}
catch (e) {
	process.stderr.write(`XS evaluation failed: ${e?.message ?? e}\n`);
	status = 1;
}
await worker.close().catch(() => {});
process.exit(status);
