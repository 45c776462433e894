/*
 * Runs the firmware suites (host-tests/firmware) inside XS with the same
 * suite bodies mocha runs on Node, and prints mocha-like results. Exit code
 * 1 on any failure. The last line is "XS: N passing, N failing, N pending".
 */

import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT, bundleForXs, runInXs } from "./xs-engine";

function findSuites(dir: string): string[] {
	const out: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...findSuites(full));
		else if (entry.name.endsWith(".test.ts")) out.push(full);
	}
	return out.sort();
}

export async function runFirmwareSuitesInXs(filter?: string): Promise<{ passes: number; failures: number; pending: number }> {
	const files = findSuites(path.join(PROJECT_ROOT, "host-tests/firmware")).filter((f) => !filter || f.includes(filter));
	const entry = [
		`import { runAll } from "./host-tests/xs/mocha-shim";`,
		`import "./host-tests/support/preloaded-json";`,
		...files.map((f) => `import "./${path.relative(PROJECT_ROOT, f).split(path.sep).join("/")}";`),
		`runAll();`,
	].join("\n");
	const code = await bundleForXs(entry);
	let end: { passes: number; failures: number; pending: number } | undefined;
	const failures: string[] = [];
	await runInXs(code, (text) => {
		const m = JSON.parse(text);
		const indent = "  ".repeat(Math.max(0, (m.depth ?? 0) + 1));
		if (m.type === "suite") console.log(`${indent}${m.title}`);
		else if (m.type === "pass") console.log(`${indent}✔ ${m.title}`);
		else if (m.type === "pending") console.log(`${indent}- ${m.title}`);
		else if (m.type === "fail") {
			failures.push(`${m.title}\n${m.error}`);
			console.log(`${indent}✖ ${m.title}`);
		} else if (m.type === "end") end = { passes: m.passes, failures: m.failures, pending: m.pending };
		else if (m.type === "crash") throw new Error(`XS runner crashed: ${m.error}`);
	});
	if (!end) throw new Error("the XS run ended without reporting its results");
	failures.forEach((f, i) => console.log(`\n  ${i + 1}) ${f}`));
	return end;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const t0 = Date.now();
	runFirmwareSuitesInXs(process.argv[2]).then(
		(r) => {
			console.log(`\nXS: ${r.passes} passing, ${r.failures} failing, ${r.pending} pending (${Date.now() - t0} ms, firmware suites inside @agoric/xsnap)`);
			process.exit(r.failures ? 1 : 0);
		},
		(e) => {
			console.error(e);
			process.exit(1);
		},
	);
}
