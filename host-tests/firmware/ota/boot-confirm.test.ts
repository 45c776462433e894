/*
 * Specification: first-boot confirmation and rollback records, as explicit
 * stages (install, reboot, health window, reboot) over the in-memory board.
 */

import { assert } from "../../support/assert";
import { fakePlatform, type FakePlatform } from "../../support/fakes";
import { BootConfirmer, healthProblems, type CanNodeHealth, type HealthInputs } from "ota/boot-confirm";
import { ImageStager } from "ota/stager";
import { MAX_HISTORY, appendHistory, readHistory, readPending, readResult } from "ota/history";
import { buildEspImage } from "../../support/esp-image";

class Health implements HealthInputs {
	nodes: CanNodeHealth[] = [
		{ name: "chassis", started: true, busOff: false },
		{ name: "haldex", started: true, busOff: false },
	];
	selfTest = true;
	http = true;
	calls = 0;
	canNodes() {
		this.calls++;
		return this.nodes;
	}
	selfTestPassed() {
		return this.selfTest;
	}
	httpAnswered() {
		return this.http;
	}
}

function confirmer(p: FakePlatform, health: HealthInputs, windowMs = 30_000) {
	return new BootConfirmer({ ota: p.board.port, store: p.store, clock: p.clock, timers: p.timers, logger: p.logger, health }, { windowMs, pollMs: 1000 });
}

/** Stage 1: install 1.3.0 from 1.2.3 and reset into it. */
function installAndReboot(p: FakePlatform): void {
	const s = new ImageStager({ ota: p.board.port, digests: p.digests, store: p.store, clock: p.clock });
	const image = buildEspImage({ version: "1.3.0+ohxs", size: 16 * 1024, seed: 5 });
	s.begin();
	s.write(image);
	s.end();
	s.install();
	p.board.boot();
}

describe("ota/boot-confirm", () => {
	it("records the installation as the first history entry on a board's first boot", () => {
		const p = fakePlatform("1.2.3+ohxs");
		p.clock.setWallMs(1_700_000_000_000, "sntp");
		const status = confirmer(p, new Health()).start();
		assert.equal(status.phase, "NORMAL");
		assert.deepEqual(readHistory(p.store), [{ time: 1_700_000_000, version: "1.2.3+ohxs" }]);
	});

	it("confirms a new image after 30 s of continuous health: VALID, history, result", () => {
		const p = fakePlatform("1.2.3+ohxs");
		confirmer(p, new Health()).start();
		installAndReboot(p);
		assert.equal(p.board.port.runningState(), "PENDING_VERIFY");
		const c = confirmer(p, new Health());
		assert.equal(c.start().phase, "VERIFYING");
		assert.isFalse(c.restartAllowed(), "no self-restart while on trial");
		p.time.advance(29_000);
		assert.equal(c.status.phase, "VERIFYING");
		assert.equal(p.board.port.runningState(), "PENDING_VERIFY");
		p.time.advance(1_000);
		assert.equal(c.status.phase, "CONFIRMED");
		assert.equal(p.board.port.runningState(), "VALID");
		assert.isTrue(c.restartAllowed());
		assert.deepEqual(
			readHistory(p.store).map((h) => h.version),
			["1.2.3+ohxs", "1.3.0+ohxs"],
		);
		assert.equal(readResult(p.store)!.state, "CONFIRMED");
		assert.isUndefined(readPending(p.store));
		assert.equal(p.time.pendingTimers, 0, "the poll timer is cancelled");
		assert.equal(p.board.boot().slot, 1, "the confirmed image keeps booting");
	});

	it("restarts the window when any health input fails, and never confirms while unhealthy", () => {
		const p = fakePlatform();
		installAndReboot(p);
		const h = new Health();
		const c = confirmer(p, h);
		c.start();
		p.time.advance(20_000);
		h.nodes[1].busOff = true;
		p.time.advance(1_000);
		assert.deepEqual(c.status.problems, ["CAN node haldex is bus-off"]);
		h.nodes[1].busOff = false;
		p.time.advance(30_000);
		assert.equal(c.status.phase, "VERIFYING", "seen healthy again at the next poll (22 s), so only 29 s so far");
		p.time.advance(1_000);
		assert.equal(c.status.phase, "CONFIRMED");
		assert.deepEqual(p.restart.reasons, [], "the firmware never restarted itself");
	});

	it("names every unhealthy input", () => {
		const h = new Health();
		h.nodes = [{ name: "chassis", started: false, busOff: false }];
		h.selfTest = false;
		h.http = false;
		assert.deepEqual(healthProblems(h), [
			"1 of 2 CAN nodes present",
			"CAN node chassis not started",
			"the CAN core self-test failed",
			"the HTTP server has not answered yet",
		]);
	});

	it("records FAILED_GRACEFUL with the reason after a reset during the trial rolls back", () => {
		const p = fakePlatform("1.2.3+ohxs");
		confirmer(p, new Health()).start();
		installAndReboot(p);
		const h = new Health();
		h.selfTest = false;
		const trial = confirmer(p, h);
		trial.start();
		p.time.advance(60_000);
		assert.equal(trial.status.phase, "VERIFYING");
		trial.stop();
		// Stage 3: the owner resets the board; the bootloader aborts the trial.
		const boot = p.board.boot();
		assert.equal(boot.slot, 0);
		assert.equal(p.board.port.slotState(1), "ABORTED");
		const after = confirmer(p, new Health());
		assert.equal(after.start().phase, "FAILED_GRACEFUL");
		const result = readResult(p.store)!;
		assert.equal(result.state, "FAILED_GRACEFUL");
		assert.equal(result.version, "1.3.0+ohxs");
		assert.match(result.reason!, /reset before it confirmed its health/);
		assert.match(result.reason!, /self-test failed/);
		assert.isUndefined(readPending(p.store));
		assert.deepEqual(
			readHistory(p.store).map((e) => e.version),
			["1.2.3+ohxs"],
			"a rolled-back version is not in the history",
		);
	});

	it("keeps the installation entry and the newest 15 when the history is full", () => {
		const p = fakePlatform();
		for (let i = 0; i < 20; i++) appendHistory(p.store, { time: i, version: `1.0.${i}+ohxs` });
		const h = readHistory(p.store);
		assert.lengthOf(h, MAX_HISTORY);
		assert.equal(h[0].version, "1.0.0+ohxs");
		assert.equal(h[1].version, "1.0.5+ohxs");
		assert.equal(h[15].version, "1.0.19+ohxs");
		assert.isBelow((p.store.get("ota", "history") as string).length, 4000);
	});
});
