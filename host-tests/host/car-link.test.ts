/*
 * End to end on the host: simulated car -> C core (Node binding) ->
 * simulated Haldex, with the firmware's Haldex controller refreshing the
 * core's target. The Haldex's engagement comes only from the frames it
 * receives, so these tests show what the rewrite does and does not do.
 */

import { assert } from "chai";
import { ManualTime, MemoryStore } from "../support/fakes";
import { createHaldex, type Haldex } from "haldex/haldex";
import { createCarLink, type CarLink } from "../../host/simulator/car-link";
import { DriveCycleCar, driveCycle } from "../../host/car/drive-cycle";
import { bindingAvailable } from "../../host/adapters/can-bridge-node";

const CRUISE_MS = 15_000;

describe("simulator CAN link (car -> C core -> Haldex)", () => {
	before(function () {
		if (!bindingAvailable()) this.skip();
	});

	let busTime: number;
	let controllerTime: ManualTime;
	let link: CarLink;
	let haldex: Haldex;

	/** Advance the buses by `ms`; the controller's timers too unless it is stalled. */
	function run(ms: number, controllerRuns = true): void {
		for (let i = 0; i < ms; i += 5) {
			busTime += 5;
			if (controllerRuns) controllerTime.advance(5);
			link.step(busTime);
		}
	}

	function setup(cycleOffsetMs: number, generation: 1 | 2 | 4 | 5 = 4): void {
		busTime = 0;
		controllerTime = new ManualTime();
		const car = new DriveCycleCar(0, (t) => driveCycle(t + cycleOffsetMs), generation === 5 ? "mqb" : "pq");
		link = createCarLink({ generation, now: () => busTime, car });
		haldex = createHaldex({ bridge: link.bridge, store: new MemoryStore(), timers: controllerTime, clock: controllerTime });
		haldex.settings.updateSettings({ haldexGeneration: generation });
		haldex.controller.start();
	}

	it("in STOCK forwards every frame untouched and the cruising car's Haldex stays open", () => {
		setup(CRUISE_MS);
		run(1000);
		assert.equal(link.stats.rewritten, 0);
		assert.equal(link.bridge.counters().chassisToHaldex, link.stats.chassisFrames);
		assert.isAbove(link.stats.chassisFrames, 600);
		assert.isBelow(link.bridge.vehicle().haldexEngagementPct, 2);
		assert.equal(link.chassisReceived.get(0x2c0)!.data[0] & 0x08, 0x08, "the chassis hears 'coupling open'");
	});

	for (const generation of [1, 2, 4, 5] as const) {
		it(`5050 raises the engagement the Gen${generation} Haldex reports to full within a second`, () => {
			setup(CRUISE_MS, generation);
			run(200);
			haldex.settings.setMode("5050");
			run(1000);
			assert.isAbove(link.stats.rewritten, 0);
			assert.isAtLeast(link.bridge.vehicle().haldexEngagementPct, 95);
			const status = haldex.controller.status();
			assert.equal(status.targetPct, 100);
			assert.isAtLeast(status.engagementPct, 95, "target and actual engagement agree");
		});
	}

	describe("Gen5 (an MQB car)", () => {
		it("in STOCK forwards every frame untouched; the coupling, an E2E receiver, finds no bad CRC", () => {
			setup(CRUISE_MS, 5);
			run(1000);
			assert.equal(link.stats.rewritten, 0);
			assert.isAbove(link.stats.chassisFrames, 600);
			assert.equal(link.haldex.crcErrors, 0);
			assert.isBelow(link.bridge.vehicle().haldexEngagementPct, 2);
			assert.isTrue(link.chassisReceived.has(0x118), "the chassis hears the Gen5 Haldex (0x118)");
		});

		it("a mode rewrites the E2E frames with CRCs the coupling accepts: none refused, none mismatched", () => {
			setup(CRUISE_MS, 5);
			haldex.settings.setMode("6040");
			run(2000);
			const c = link.bridge.counters();
			assert.isAbove(c.rewritten, 1000, "ESP_19 and the E2E frames: 520 a second");
			assert.equal(c.e2eMismatch, 0, "every car frame's CRC verified with the core's DataIDs");
			assert.equal(link.haldex.crcErrors, 0, "every rewritten frame's CRC verified at the coupling (polycrc)");
			assert.closeTo(link.bridge.vehicle().haldexEngagementPct, 40, 2);
		});

		it("decodes the MQB car's speed, rpm, pedal, boost and coolant for the controller", () => {
			setup(CRUISE_MS, 5);
			run(500);
			const v = link.bridge.vehicle();
			assert.closeTo(v.speedKmh, 80, 0.1);
			assert.equal(v.rpm, 2200);
			assert.closeTo(v.pedalPct, 20, 0.4);
			assert.equal(v.boostKpa, 120);
			assert.isAtLeast(v.boostAgeMs, 0);
			assert.isAtLeast(v.coolantAgeMs, 0);
			haldex.settings.setMode("SPEED");
			run(1500);
			assert.equal(haldex.controller.status().targetPct, 20, "the speed curve at 80 km/h, from ESP_19");
		});

		it("a PQ-configured bridge on an MQB car rewrites nothing and the coupling stays stock", () => {
			setup(CRUISE_MS, 5);
			haldex.settings.updateSettings({ haldexGeneration: 4 });
			haldex.settings.setMode("5050");
			run(1500);
			assert.equal(link.bridge.counters().rewritten, 0);
			assert.isBelow(link.haldex.engagementPct, 2);
		});
	});

	it("6040 brings the engagement to about 40 %", () => {
		setup(CRUISE_MS);
		haldex.settings.setMode("6040");
		run(1500);
		assert.closeTo(link.bridge.vehicle().haldexEngagementPct, 40, 2);
	});

	it("the controller stopped -> the core falls back to pass-through within 500 ms and 5050 no longer holds the lock", () => {
		setup(CRUISE_MS);
		haldex.settings.setMode("5050");
		run(1000);
		assert.equal(link.bridge.state(), "ACTIVE");
		const lastRefresh = busTime;
		// JS stalls: its timers no longer run, the buses and the core go on.
		let fellBackAt = -1;
		for (let t = 0; t < 1000 && fellBackAt < 0; t += 5) {
			run(5, false);
			if (link.bridge.state() === "FALLBACK") fellBackAt = busTime - lastRefresh;
		}
		assert.isAbove(fellBackAt, 0);
		assert.isAtMost(fellBackAt, 505, "the 500 ms watchdog, at 5 ms resolution");
		const rewrittenBefore = link.bridge.counters().rewritten;
		run(1500, false);
		assert.equal(link.bridge.counters().rewritten, rewrittenBefore, "nothing rewritten after the fallback");
		assert.isBelow(link.bridge.vehicle().haldexEngagementPct, 2, "the Haldex is back to what the stock car asks");
		assert.equal(link.bridge.counters().watchdogFallbacks, 1);
		run(100);
		assert.equal(link.bridge.state(), "ACTIVE", "resumes on the next refresh");
	});

	it("with the rewrite disabled (core hold), a refreshed 5050 cannot raise the engagement", () => {
		setup(CRUISE_MS);
		link.bridge.holdPassthrough(true);
		haldex.settings.setMode("5050");
		run(1500);
		assert.equal(link.bridge.state(), "HELD");
		assert.equal(haldex.controller.status().targetPct, 100, "the controller keeps asking");
		assert.equal(link.stats.rewritten, 0);
		assert.isBelow(link.bridge.vehicle().haldexEngagementPct, 2);
	});

	it("holdStock() (OTA install) drops the Haldex back to stock behaviour", () => {
		setup(CRUISE_MS);
		haldex.settings.setMode("5050");
		run(1000);
		haldex.controller.holdStock("ota-install");
		run(1000);
		assert.equal(link.bridge.state(), "STOCK");
		assert.isBelow(link.bridge.vehicle().haldexEngagementPct, 2);
	});

	it("a stock car at launch gets some lock from its own Haldex, and FWD takes it away", () => {
		setup(6_000);
		run(1000);
		const stock = link.bridge.vehicle().haldexEngagementPct;
		assert.isAbove(stock, 30);
		haldex.settings.setMode("FWD");
		run(2000);
		assert.isBelow(link.bridge.vehicle().haldexEngagementPct, 2);
	});

	it("the controller reads the car's speed and pedal from the core: SPEED mode follows the speed curve", () => {
		setup(CRUISE_MS);
		haldex.settings.setMode("SPEED");
		run(1500);
		// default speed curve at 80 km/h: 20 %
		assert.equal(haldex.controller.status().targetPct, 20);
		assert.closeTo(link.bridge.vehicle().haldexEngagementPct, 20, 2);
	});
});

describe("startCarLink (the simulator's real-time loop)", () => {
	before(function () {
		if (!bindingAvailable()) this.skip();
	});

	it("carries frames in real time until stopped", async () => {
		const { startCarLink } = await import("../../host/simulator/car-link");
		const link = startCarLink()!;
		try {
			await new Promise((r) => setTimeout(r, 150));
			assert.isAbove(link.stats.chassisFrames, 40);
			assert.isAbove(link.stats.haldexFrames, 3);
			assert.equal(link.bridge.state(), "STOCK", "no controller: the core stays in pass-through");
			assert.isFalse(link.bridge.health().chassis.silent);
		} finally {
			link.stop();
		}
		const n = link.stats.chassisFrames;
		await new Promise((r) => setTimeout(r, 30));
		assert.equal(link.stats.chassisFrames, n);
	});
});
