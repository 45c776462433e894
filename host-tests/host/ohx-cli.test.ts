/*
 * [spec] `ohx`, the command-line tool (host/cli/ohx.ts), against the
 * simulator end to end: push checks locally, shows the upload's progress,
 * installs, follows the restart and reports the confirmed version; every
 * failure has its own exit code, as `ohx --help` lists.
 */

import { assert } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";
import { packageVersion } from "../../host/simulator/package-info";
import { EXIT } from "../../host/cli/board-client";
import { HELP, main } from "../../host/cli/ohx";
import { buildEspImage } from "../support/esp-image";
import { PROJECT_ROOT } from "../xs/xs-engine";

const PASSWORD = "cli-password-1";

function bumped(minor = 1): string {
	const [major, m] = packageVersion().split(/[.+]/).map(Number);
	return `${major}.${m + minor}.0+ohxs`;
}

describe("ohx (the command-line tool)", function () {
	this.timeout(60_000);
	let dir: string;
	let sim: Simulator;
	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-cli-"));
		sim = await startSimulator({ port: 0, dataDir: path.join(dir, "sim"), logger: { log() {} }, bootDelayMs: 100, healthWindowMs: 600, car: "parked" });
		await fetch(`${sim.url}/api/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
	});
	afterEach(async () => {
		await sim.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	async function ohx(args: string[], env: Record<string, string> = { OHX_PASSWORD: PASSWORD }) {
		const out: string[] = [];
		const err: string[] = [];
		const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env, bar: false });
		return { code, out, err };
	}
	const at = () => ["--host", "127.0.0.1", "--port", String(sim.port)];
	const file = (name: string, bytes: Uint8Array) => {
		const f = path.join(dir, name);
		fs.writeFileSync(f, bytes);
		return f;
	};

	it("pushes an image: local check, progress, the board's verdict, install, restart, the confirmed version", async () => {
		const next = bumped();
		const r = await ohx(["push", file("next.bin", buildEspImage({ version: next, size: 200_000, seed: 21 })), ...at(), "--install"]);
		assert.equal(r.code, EXIT.ok, [...r.out, ...r.err].join("\n"));
		assert.match(r.out[0], new RegExp(`OpenHaldex XS ${next.replace(/[.+]/g, "\\$&")}, 200\\d{3} bytes, sha256 [0-9a-f]{64} \\(checked here\\)`));
		const progress = r.out.filter((l) => l.startsWith("uploaded "));
		assert.isAtLeast(progress.length, 5, "progress is shown as the upload goes");
		assert.match(progress[progress.length - 1], /uploaded 100 %/);
		assert.include(r.out.join("\n"), "the board accepted it");
		assert.equal(r.out[r.out.length - 1], `Done: the board now runs ${next}.`);
		assert.equal(sim.platform.runningVersion(), next);
		assert.equal(sim.platform.ota.runningState(), "VALID");
	});

	it("without --install the image stays staged, and status shows it", async () => {
		const next = bumped();
		assert.equal((await ohx(["push", file("n.bin", buildEspImage({ version: next, size: 50_000 })), ...at()])).code, EXIT.ok);
		const s = await ohx(["status", ...at()]);
		assert.equal(s.code, EXIT.ok);
		assert.match(s.out.join("\n"), new RegExp(`staged image \\d+: ${next.replace(/[.+]/g, "\\$&")} VALID`));
	});

	it("refuses a bad image before sending it (exit 4, with the validator's code)", async () => {
		const r = await ohx(["push", file("c3.bin", buildEspImage({ version: bumped(), chipId: 0x05 })), ...at()]);
		assert.equal(r.code, EXIT.refused);
		assert.match(r.err.join("\n"), /refused here, before sending.*image_wrong_chip/);
		const images = (await (await fetch(`${sim.url}/api/update/images`)).json()) as { items: unknown[] };
		assert.deepEqual(images.items, [], "nothing reached the board");
	});

	it("says a wrong password before uploading anything (exit 3)", async () => {
		const r = await ohx(["push", file("n.bin", buildEspImage({ version: bumped() })), ...at()], { OHX_PASSWORD: "wrong password here" });
		assert.equal(r.code, EXIT.auth);
		assert.notInclude(r.out.join("\n"), "uploaded");
		assert.match(r.err.join("\n"), /auth_invalid/);
	});

	it("refuses while the car drives (exit 5, the board's reason)", async () => {
		await fetch(`${sim.url}/api/sim/car`, {
			method: "POST",
			headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` },
			body: JSON.stringify({ scenario: "drive" }),
		});
		await new Promise((r) => setTimeout(r, 1500));
		const r = await ohx(["push", file("n.bin", buildEspImage({ version: bumped(), size: 20_000 })), ...at(), "--install"]);
		assert.equal(r.code, EXIT.notNow, [...r.out, ...r.err].join("\n"));
		assert.match(r.err.join("\n"), /vehicle_moving|engine_running/);
	});

	it("exits 2 when nothing answers, and 1 for a password given as an argument or no host", async () => {
		const closed = await ohx(["status", "--host", "127.0.0.1", "--port", "9"]);
		assert.equal(closed.code, EXIT.unreachable);
		assert.equal((await ohx(["push", "x.bin", ...at(), "--password", "secret"])).code, EXIT.usage);
		assert.equal((await ohx(["status"])).code, EXIT.usage);
	});

	it("keygen, sign and verify: the board's own rules, and espsecure's layout", async () => {
		const key = path.join(dir, "release.pem");
		const k = await ohx(["keygen", key]);
		assert.equal(k.code, EXIT.ok, k.err.join("\n"));
		const digest = /its digest: ([0-9a-f]{64})/.exec(k.out[0])![1];
		assert.equal((fs.statSync(key).mode & 0o777).toString(8), "600", "the key is readable by its owner only");
		assert.equal((await ohx(["keygen", key])).code, EXIT.usage, "never overwrites a key");
		const img = file("rel.bin", buildEspImage({ version: bumped(), size: 30_000 }));
		assert.equal((await ohx(["verify", img])).out[0].endsWith("not signed"), true);
		assert.equal((await ohx(["verify", img, "--key", key])).code, EXIT.refused, "unsigned, and a key was required");
		const s = await ohx(["sign", img, "--key", key]);
		assert.equal(s.code, EXIT.ok, s.err.join("\n"));
		const v = await ohx(["verify", img, "--key", key]);
		assert.equal(v.code, EXIT.ok, v.err.join("\n"));
		assert.include(v.out[0], `signed by ${digest} (verified)`);
		const other = path.join(dir, "other.pem");
		await ohx(["keygen", other]);
		const wrong = await ohx(["verify", img, "--key", other]);
		assert.equal(wrong.code, EXIT.refused);
		assert.match(wrong.err.join("\n"), /image_untrusted_key/);
		// The simulator runs an unsigned (developer) image: it takes the signed one too, and says whose it is.
		const status = (await (await fetch(`${sim.url}/api/status`)).json()) as { update: { signing: { required: boolean } } };
		assert.isFalse(status.update.signing.required);
		assert.equal((await ohx(["push", img, ...at()])).code, EXIT.ok);
	});

	it("runs as `npx ohx` from the clone and lists its exit codes in --help", () => {
		const out = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin/ohx.mjs"), "--help"], { encoding: "utf8" });
		assert.equal(out.trim(), HELP.trim());
		for (const code of Object.values(EXIT)) assert.match(HELP, new RegExp(`^  ${code}  `, "m"), `exit code ${code} is listed`);
	});
});
