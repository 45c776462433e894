/*
 * End to end in the simulator: the flash file, the factory image, the
 * simulated bootloader at every reboot, confirmation after the health
 * window, and a rollback shown with the failing-health switch.
 */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../../host/simulator/simulator";
import { packageVersion } from "../../../host/simulator/package-info";
import { ImageStager } from "ota/stager";
import { readHistory, readResult } from "ota/history";
import { buildEspImage } from "../../support/esp-image";

const quiet = { log() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bumped(): string {
	const [major, minor] = packageVersion().split(/[.+]/).map(Number);
	return `${major}.${minor + 1}.0+ohxs`;
}

function stageAndInstall(sim: Simulator, version: string): void {
	const p = sim.platform;
	const s = new ImageStager({ ota: p.ota, digests: p.digests, store: p.store, clock: p.clock, logger: quiet });
	const image = buildEspImage({ version, size: 200 * 1024, seed: 9 });
	s.begin({ declaredSize: image.length });
	for (let i = 0; i < image.length; i += 4096) s.write(image.subarray(i, i + 4096));
	s.end();
	s.install();
}

async function until(f: () => boolean, ms: number): Promise<void> {
	const end = Date.now() + ms;
	while (!f()) {
		if (Date.now() > end) throw new Error("timed out");
		await sleep(20);
	}
}

describe("simulator OTA, end to end", function () {
	this.timeout(30_000);
	let dataDir: string;
	beforeEach(() => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-simota-"));
	});
	afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

	it("writes a factory image of package.json's version into ota_0 and reports the version from it", async () => {
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet, bootDelayMs: 10 });
		try {
			assert.equal(fs.statSync(path.join(dataDir, "flash.bin")).size, 4 * 1024 * 1024);
			assert.equal(sim.lastBoot!.slot, 0);
			assert.equal(sim.platform.runningVersion(), packageVersion());
			const body: any = await (await fetch(`${sim.url}/api/status`)).json();
			assert.equal(body.version, packageVersion());
		} finally {
			await sim.stop();
		}
	});

	it("stage -> install -> reboot -> PENDING_VERIFY -> confirmed after the health window -> history", async () => {
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet, bootDelayMs: 10, healthWindowMs: 300 });
		try {
			const next = bumped();
			stageAndInstall(sim, next);
			assert.equal(sim.platform.ota.running().index, 0, "installing does not switch until the restart");
			await sim.reboot("install");
			assert.equal(sim.lastBoot!.slot, 1);
			assert.equal(sim.platform.ota.runningState(), "PENDING_VERIFY");
			assert.equal(sim.bootStatus().phase, "VERIFYING");
			assert.equal(sim.platform.runningVersion(), next);
			await until(() => sim.bootStatus().phase === "CONFIRMED", 5000);
			assert.equal(sim.platform.ota.runningState(), "VALID");
			assert.deepEqual(
				readHistory(sim.platform.store).map((h) => h.version),
				[packageVersion(), next],
			);
			await sim.reboot("check");
			assert.equal(sim.lastBoot!.slot, 1, "the confirmed image keeps booting");
		} finally {
			await sim.stop();
		}
	});

	it("with the failing-health switch, a reset during the trial rolls back and records FAILED_GRACEFUL", async () => {
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet, bootDelayMs: 10, healthWindowMs: 200 });
		try {
			const next = bumped();
			stageAndInstall(sim, next);
			sim.failNextHealthCheck();
			await sim.reboot("install");
			assert.equal(sim.lastBoot!.slot, 1);
			await sleep(500);
			assert.equal(sim.bootStatus().phase, "VERIFYING", "never confirmed while unhealthy");
			assert.include(sim.bootStatus().problems.join(), "simulated health failure");
			await sim.reboot("the owner resets the board");
			assert.equal(sim.lastBoot!.slot, 0);
			assert.include(sim.lastBoot!.log.join("\n"), "ABORTED");
			assert.equal(sim.platform.runningVersion(), packageVersion());
			assert.equal(sim.bootStatus().phase, "FAILED_GRACEFUL");
			const result = readResult(sim.platform.store)!;
			assert.equal(result.state, "FAILED_GRACEFUL");
			assert.match(result.reason!, /simulated health failure/);
		} finally {
			await sim.stop();
		}
	});
});
