/*
 * Proof that firmware code cannot lean on Node: the firmware type check
 * rejects a Node import or global, and XS has no Node API at run time.
 */

import { assert } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT, bundleForXs, runInXs } from "../xs/xs-engine";

function typecheckAsFirmware(fixture: string): { ok: boolean; output: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-tsc-"));
	const config = path.join(dir, "tsconfig.json");
	fs.writeFileSync(
		config,
		JSON.stringify({
			extends: path.join(PROJECT_ROOT, "tsconfig.firmware.json"),
			include: [path.join(PROJECT_ROOT, "host-tests/fixtures", fixture)],
		}),
	);
	try {
		const output = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", config, "--noEmit"], { encoding: "utf8" });
		return { ok: true, output };
	} catch (e: any) {
		return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

describe("firmware code is portable to XS", function () {
	this.timeout(60_000);

	it("the firmware type check rejects a module importing node:fs and using Buffer and process", () => {
		const r = typecheckAsFirmware("node-api-leak.ts");
		assert.isFalse(r.ok, "tsc accepted a Node import in firmware code");
		assert.match(r.output, /node-api-leak\.ts.*Cannot find name 'node:fs'/);
		assert.match(r.output, /Cannot find name 'Buffer'/);
		assert.match(r.output, /Cannot find name 'process'/);
	});

	it("the same check accepts a portable module (the control)", () => {
		const r = typecheckAsFirmware("portable.ts");
		assert.isTrue(r.ok, r.output);
	});

	it("a module using Node globals fails inside XS with a ReferenceError", async () => {
		const code = await bundleForXs(
			[
				`import { hexOf } from "./host-tests/fixtures/node-api-runtime";`,
				`let outcome;`,
				`try { outcome = "ran: " + hexOf("x"); } catch (e) { outcome = e.name + ": " + e.message; }`,
				`issueCommand(new Uint8Array([...outcome].map((c) => c.charCodeAt(0) & 255)).buffer);`,
			].join("\n"),
		);
		const messages: string[] = [];
		await runInXs(code, (m) => messages.push(m));
		assert.lengthOf(messages, 1);
		assert.match(messages[0], /^ReferenceError: .*Buffer/);
	});

	it("the portable control runs inside XS", async () => {
		const code = await bundleForXs(
			[
				`import { hexOf } from "./host-tests/fixtures/portable";`,
				`const out = hexOf(new Uint8Array([1, 171]));`,
				`issueCommand(new Uint8Array([...out].map((c) => c.charCodeAt(0))).buffer);`,
			].join("\n"),
		);
		const messages: string[] = [];
		await runInXs(code, (m) => messages.push(m));
		assert.deepEqual(messages, ["01ab"]);
	});

	it("bundling firmware for XS refuses a node: import outright", async () => {
		let error: unknown;
		try {
			await bundleForXs(`import { leak } from "./host-tests/fixtures/node-api-leak"; leak();`);
		} catch (e) {
			error = e;
		}
		assert.match(String(error), /node:fs/);
	});
});
