/*
 * Runs bundled TypeScript inside the real XS engine (@agoric/xsnap). Used by
 * the XS test runner, the XS benchmarks and the test proving that a module
 * leaning on Node fails there. XS has no Node API, no DOM and no timers:
 * only the language, print() and issueCommand().
 */

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Bundle an entry (given as source text) into one script XS can evaluate. */
export async function bundleForXs(entrySource: string, resolveDir = PROJECT_ROOT): Promise<string> {
	const result = await build({
		stdin: { contents: entrySource, resolveDir, loader: "ts", sourcefile: "xs-entry.ts" },
		bundle: true,
		write: false,
		format: "iife",
		platform: "neutral",
		target: "es2022",
		mainFields: ["module", "main"],
		tsconfig: path.join(PROJECT_ROOT, "tsconfig.json"),
		logLevel: "silent",
	});
	return result.outputFiles[0].text;
}

/**
 * Evaluate a script in a fresh XS worker (in a child process, see
 * xs-child.mjs). `onMessage` receives each issueCommand() payload as text,
 * as it arrives. Rejects when the script throws or the worker dies.
 */
export function runInXs(code: string, onMessage: (text: string) => void = () => {}): Promise<void> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-xs-"));
	const script = path.join(dir, "bundle.js");
	fs.writeFileSync(script, code);
	return new Promise<void>((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "host-tests/xs/xs-child.mjs"), script], {
			stdio: ["ignore", "pipe", "inherit"],
		});
		let pending = "";
		let failure: unknown;
		child.stdout.setEncoding("utf8");
		child.stdout.on("data", (text: string) => {
			pending += text;
			let nl: number;
			while ((nl = pending.indexOf("\n")) >= 0) {
				const line = pending.slice(0, nl);
				pending = pending.slice(nl + 1);
				if (!line.startsWith('{"m":')) {
					process.stdout.write(`${line}\n`);
					continue;
				}
				try {
					onMessage(JSON.parse(line).m);
				} catch (e) {
					failure ??= e;
				}
			}
		});
		child.on("exit", (status) => {
			fs.rmSync(dir, { recursive: true, force: true });
			if (failure) reject(failure);
			else if (status !== 0) reject(new Error(`the XS worker exited with status ${status}`));
			else resolve();
		});
	});
}
