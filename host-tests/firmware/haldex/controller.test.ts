/* Specification of haldex/controller: the 50 Hz loop, target vs engagement, forced STOCK and safe mode. Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { ManualTime, MemoryStore, RecordingLogger } from "../../support/fakes";
import { RecordingCanBridge } from "../../support/fake-can";
import { createHaldex, type Haldex } from "haldex/haldex";
import { TICK_MS } from "haldex/controller";

function setup(mode?: string): { time: ManualTime; bridge: RecordingCanBridge; haldex: Haldex; logger: RecordingLogger } {
	const time = new ManualTime();
	const bridge = new RecordingCanBridge(time);
	const logger = new RecordingLogger();
	const haldex = createHaldex({ bridge, store: new MemoryStore(), timers: time, clock: time, logger });
	if (mode) haldex.settings.setMode(mode);
	return { time, bridge, haldex, logger };
}

describe("haldex/controller", () => {
	it("refreshes the bridge every 20 ms (50 Hz) once started, ticking at once", () => {
		const { time, bridge, haldex } = setup("5050");
		haldex.controller.start();
		assert.lengthOf(bridge.calls, 1);
		time.advance(1000);
		assert.lengthOf(bridge.calls, 51);
		const gaps = bridge.calls.slice(1).map((c, i) => c.atMs - bridge.calls[i].atMs);
		assert.isTrue(
			gaps.every((g) => g === TICK_MS),
			"every refresh 20 ms after the previous one",
		);
		assert.isTrue(bridge.rewriting(), "fresh enough for the core's 500 ms watchdog");
	});

	it("hands the bridge the generation, whole-percent lock and the core's mode", () => {
		const { bridge, haldex } = setup("6040");
		haldex.settings.updateSettings({ haldexGeneration: 1, lockReleaseRatePctPerSec: 0 });
		haldex.controller.start();
		assert.deepEqual(bridge.last, { atMs: 0, generation: 1, lockPct: 40, mode: "6040" });
		haldex.settings.setMode("MAP");
		bridge.inputs = { ...bridge.inputs, pedalPct: 30, speedKmh: 30 };
		haldex.controller.tick();
		assert.equal(bridge.last!.mode, "CUSTOM");
		assert.equal(bridge.last!.lockPct, 20, "default map between (20 %, 20 km/h)=15 and (40 %, 40 km/h)=25, rounded");
	});

	it("sends pass-through (null) in STOCK, every tick", () => {
		const { time, bridge, haldex } = setup();
		haldex.controller.start();
		time.advance(100);
		assert.isTrue(bridge.calls.every((c) => c.lockPct === null));
		assert.isFalse(bridge.rewriting());
		assert.equal(haldex.controller.effectiveMode(), "STOCK");
	});

	it("sends each mode's lock for the latest inputs", () => {
		const { bridge, haldex } = setup();
		haldex.controller.start();
		bridge.inputs = { ...bridge.inputs, speedKmh: 40, pedalPct: 50 };
		const expect: [string, number][] = [
			["FWD", 0],
			["5050", 100],
			["6040", 40],
			["7525", 30],
			["SPEED", 35],
			["THROTTLE", 55],
			["MAP", 33],
		];
		for (const [mode, lock] of expect) {
			haldex.settings.setMode(mode);
			haldex.settings.updateSettings({ lockReleaseRatePctPerSec: 0 });
			haldex.controller.tick();
			assert.equal(bridge.last!.lockPct, lock, mode);
		}
	});

	it("follows the inputs as they change: the gate closes above disableSpeed", () => {
		const { time, bridge, haldex } = setup("5050");
		haldex.settings.updateSettings({ disableSpeed: 100, lockReleaseRatePctPerSec: 0 });
		haldex.controller.start();
		bridge.inputs = { ...bridge.inputs, speedKmh: 100 };
		time.advance(20);
		assert.equal(bridge.last!.lockPct, 100);
		bridge.inputs = { ...bridge.inputs, speedKmh: 101 };
		time.advance(20);
		assert.equal(bridge.last!.lockPct, 0);
	});

	it("ramps the lock down at 120 %/s by default: 5050 to FWD takes 840 ms in 20 ms steps", () => {
		const { time, bridge, haldex } = setup("5050");
		haldex.controller.start();
		time.advance(100);
		haldex.settings.setMode("FWD");
		const from = time.monotonicMs();
		time.advance(20);
		assert.equal(bridge.last!.lockPct, 98, "97.6 rounded");
		time.advance(480);
		assert.equal(bridge.last!.lockPct, 40, "100 - 500 ms x 120 %/s");
		while (bridge.last!.lockPct! > 0) time.advance(20);
		assert.equal(time.monotonicMs() - from, 840);
	});

	it("raises the lock at once", () => {
		const { time, bridge, haldex } = setup("FWD");
		haldex.controller.start();
		time.advance(100);
		haldex.settings.setMode("5050");
		time.advance(20);
		assert.equal(bridge.last!.lockPct, 100);
	});

	it("shows target against the engagement the Haldex reports", () => {
		const { time, bridge, haldex } = setup("6040");
		haldex.controller.start();
		bridge.inputs = { ...bridge.inputs, haldexEngagementPct: 37, haldexAgeMs: 15 };
		time.advance(20);
		const s = haldex.controller.status();
		assert.equal(s.state, "running");
		assert.equal(s.targetPct, 40);
		assert.equal(s.requestPct, 40);
		assert.equal(s.engagementPct, 37);
		assert.isTrue(s.bridgeRewriting);
	});

	it("reports the curve's request to one decimal (interpolation leaves long binary fractions)", () => {
		const { time, bridge, haldex } = setup("SPEED");
		haldex.controller.start();
		for (const speedKmh of [1.7, 13.3, 37.3, 61.9, 88.8]) {
			bridge.inputs = { ...bridge.inputs, speedKmh, pedalPct: 50 };
			time.advance(20);
			const request = haldex.controller.status().requestPct!;
			assert.isNumber(request);
			assert.equal(String(request), String(Math.round(request * 10) / 10), `speed ${speedKmh}: ${request}`);
			assert.isAtMost(String(request).split(".")[1]?.length ?? 0, 1, `speed ${speedKmh}: ${request}`);
		}
	});

	describe("forced STOCK", () => {
		it("holdStock() puts the bridge in pass-through before it returns, and keeps it there every tick", () => {
			const { time, bridge, haldex } = setup("5050");
			haldex.controller.start();
			time.advance(5);
			haldex.controller.holdStock("ota-install");
			assert.isNull(bridge.last!.lockPct);
			assert.equal(bridge.last!.atMs, 5, "not at the next tick");
			time.advance(200);
			assert.isTrue(bridge.calls.filter((c) => c.atMs >= 5).every((c) => c.lockPct === null));
			assert.equal(haldex.controller.state(), "held");
			assert.equal(haldex.controller.effectiveMode(), "STOCK");
			assert.equal(haldex.controller.status().mode, "5050", "the selected mode is kept");
		});
		it("resumes the mode only when every hold is released", () => {
			const { time, bridge, haldex } = setup("5050");
			haldex.controller.start();
			const trial = haldex.controller.holdStock("pending-verify");
			const install = haldex.controller.holdStock("ota-install");
			install.release();
			time.advance(20);
			assert.isNull(bridge.last!.lockPct);
			assert.deepEqual(haldex.controller.holds(), ["pending-verify"]);
			trial.release();
			time.advance(20);
			assert.equal(bridge.last!.lockPct, 100);
		});
		it("ends a hold only through its own handle: the same reason from someone else, or a second release, changes nothing", () => {
			const { time, bridge, haldex } = setup("5050");
			haldex.controller.start();
			const a = haldex.controller.holdStock("the new firmware is on trial");
			const b = haldex.controller.holdStock("the new firmware is on trial");
			a.release();
			a.release(); // twice: must not end b
			time.advance(20);
			assert.isNull(bridge.last!.lockPct, "b still holds");
			assert.deepEqual(haldex.controller.holds(), ["the new firmware is on trial"]);
			b.release();
			time.advance(20);
			assert.equal(bridge.last!.lockPct, 100);
		});
		it("stays in pass-through while disableController is set", () => {
			const { time, bridge, haldex } = setup("5050");
			haldex.settings.updateSettings({ disableController: true });
			haldex.controller.start();
			time.advance(40);
			assert.isTrue(bridge.calls.every((c) => c.lockPct === null));
			assert.equal(haldex.controller.state(), "disabled");
		});
	});

	describe("off and stopped", () => {
		it("turnOff() (safe mode) stops the loop, leaves pass-through and logs why", () => {
			const { time, bridge, haldex, logger } = setup("5050");
			haldex.controller.start();
			haldex.controller.turnOff("3 crashes in a row");
			const n = bridge.calls.length;
			assert.isNull(bridge.last!.lockPct);
			time.advance(1000);
			assert.lengthOf(bridge.calls, n, "no refresh: even a stale target would be dropped by the core");
			assert.equal(time.pendingTimers, 0);
			assert.equal(haldex.controller.state(), "off");
			assert.equal(haldex.controller.status().offReason, "3 crashes in a row");
			haldex.controller.start();
			assert.equal(time.pendingTimers, 0, "start() does not leave safe mode");
			assert.isTrue(logger.has("3 crashes in a row"));
		});
		it("stop() cancels the timer and sends pass-through", () => {
			const { time, bridge, haldex } = setup("5050");
			haldex.controller.start();
			haldex.controller.stop();
			assert.equal(time.pendingTimers, 0);
			assert.isNull(bridge.last!.lockPct);
			assert.equal(haldex.controller.state(), "stopped");
		});
		it("notes the longest gap between ticks, so a stalled loop shows in the status", () => {
			const { time, haldex } = setup("5050");
			haldex.controller.tick();
			time.advance(20);
			haldex.controller.tick();
			time.advance(300);
			haldex.controller.tick();
			assert.equal(haldex.controller.status().maxTickGapMs, 300);
		});
	});
});
