// `npm test`: every check in one go, failing on any failure.
//   0. format and lint: Biome for the TypeScript and scripts (biome.json), clang-format for the C (.clang-format)
//   1. type check: host + tests (tsconfig.json), firmware without Node types (tsconfig.firmware.json)
//   2. mocha on Node: firmware suites, then host suites
//   3. the same firmware suites inside XS (@agoric/xsnap); the counts must match step 2
//   4. C tests under ASan+UBSan and a bounded fuzz run (modules/can), when C exists
//   5. the web app in chromium (host-tests/browser), skipped loudly without /usr/bin/chromium
// The last line is "N passed, N failed" over all steps.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(ROOT, "node_modules/.bin", name);
const results = [];

function run(title, command, args, options = {}) {
	console.log(`\n=== ${title} ===`);
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" }, ...options });
		let out = "";
		child.stdout.on("data", (c) => {
			out += c;
			process.stdout.write(c);
		});
		child.stderr.on("data", (c) => {
			out += c;
			process.stderr.write(c);
		});
		child.on("exit", (code) => resolve({ code, out }));
	});
}

function count(out, re) {
	const m = re.exec(out);
	return m ? Number(m[1]) : 0;
}

function record(step, code, passed, failed, pending = 0) {
	// A step that exits non-zero counts as at least one failure, even if it printed no count.
	const failures = code === 0 ? failed : Math.max(1, failed);
	results.push({ step, passed, failed: failures, pending });
	return failures === 0;
}

const mochaArgs = ["--no-config", "--node-option", "import=tsx", "--extension", "ts", "--recursive", "--timeout", "30000"];

// 0. Formatting and lint: `npx biome check --write .` and `clang-format -i` fix what these report.
const biome = await run("format and lint TypeScript (biome ci)", bin("biome"), ["ci", "--colors=off", "--error-on-warnings", "."]);
record("biome (format + lint)", biome.code, biome.code === 0 ? 1 : 0, biome.code === 0 ? 0 : 1);
const cFiles = (await run("C files", "git", ["ls-files", "*.c", "*.h"])).out.split("\n").filter(Boolean);
const clang = await run("format C (clang-format --dry-run --Werror)", "clang-format", ["--dry-run", "--Werror", ...cFiles]);
record("clang-format", clang.code, clang.code === 0 ? 1 : 0, clang.code === 0 ? 0 : 1);

const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
for (const config of ["tsconfig.json", "tsconfig.firmware.json", "web/tsconfig.json"]) {
	const r = await run(`type check (${config})`, process.execPath, [tsc, "-p", config, "--noEmit"]);
	record(`tsc ${config}`, r.code, r.code === 0 ? 1 : 0, r.code === 0 ? 0 : 1);
}

// The board's JSON.stringify refuses flash (module-level) objects; so do the firmware suites (host-tests/support/preloaded-json.ts).
const fw = await run("firmware suites on Node (mocha)", bin("mocha"), [
	...mochaArgs,
	"--require",
	"host-tests/support/preloaded-json.ts",
	"host-tests/firmware",
]);
const fwNode = { passed: count(fw.out, /(\d+) passing/), failed: count(fw.out, /(\d+) failing/), pending: count(fw.out, /(\d+) pending/) };
record("firmware suites (Node)", fw.code, fwNode.passed, fwNode.failed, fwNode.pending);

const host = await run("host suites on Node (mocha)", bin("mocha"), [...mochaArgs, "host-tests/host"]);
record("host suites (Node)", host.code, count(host.out, /(\d+) passing/), count(host.out, /(\d+) failing/), count(host.out, /(\d+) pending/));

const xs = await run("firmware suites inside XS (@agoric/xsnap)", process.execPath, ["--import", "tsx", "host-tests/xs/run-xs.ts"]);
const fwXs = { passed: count(xs.out, /XS: (\d+) passing/), failed: count(xs.out, /(\d+) failing/), pending: count(xs.out, /(\d+) pending/) };
record("firmware suites (XS)", xs.code, fwXs.passed, fwXs.failed, fwXs.pending);
const same = fwXs.passed + fwXs.failed + fwXs.pending === fwNode.passed + fwNode.failed + fwNode.pending;
console.log(
	`\nfirmware suites: Node ran ${fwNode.passed + fwNode.failed + fwNode.pending}, XS ran ${fwXs.passed + fwXs.failed + fwXs.pending}${same ? " (same)" : " (MISMATCH)"}`,
);
record("Node and XS ran the same firmware tests", same ? 0 : 1, same ? 1 : 0, same ? 0 : 1);

if (fs.existsSync(path.join(ROOT, "host-tests/c/Makefile"))) {
	const c = await run("C tests (ASan+UBSan, fuzz)", "make", ["-s", "--no-print-directory", "-C", "host-tests/c", "test"]);
	const lines = [...c.out.matchAll(/^(\d+) passed, (\d+) failed/gm)];
	const passed = lines.reduce((n, m) => n + Number(m[1]), 0);
	const failed = lines.reduce((n, m) => n + Number(m[2]), 0);
	record("C tests", c.code, passed, failed);
}

// 5. the web app in Debian's chromium (playwright-core) against the simulator: never a downloaded browser.
if (fs.existsSync("/usr/bin/chromium") || process.env.OHX_CHROMIUM) {
	const web = await run("web app in chromium (playwright-core)", bin("mocha"), [...mochaArgs, "--timeout", "120000", "host-tests/browser"]);
	record("browser tests", web.code, count(web.out, /(\d+) passing/), count(web.out, /(\d+) failing/), count(web.out, /(\d+) pending/));
} else {
	console.log("\n!!! SKIPPED: browser tests need /usr/bin/chromium (apt-get install -y chromium; .ci/run installs it) !!!");
	results.push({ step: "browser tests SKIPPED (no /usr/bin/chromium)", passed: 0, failed: 0, pending: 0 });
}

console.log("\n=== summary ===");
for (const r of results)
	console.log(`${r.failed ? "FAIL" : "ok  "} ${r.step}: ${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} pending` : ""}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
