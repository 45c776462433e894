/* Specification of haldex/modes and haldex/target: mode names, each mode's lock, the gates and the release ramp. Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { MODES, bridgeModeOf, parseModeName } from "haldex/modes";
import { ReleaseRamp, dynamicGateOpen, presetGateOpen, rawTarget, type TargetSettings } from "haldex/target";
import { defaultConfig } from "haldex/settings";

function settings(over: Partial<TargetSettings> = {}): TargetSettings {
	const d = defaultConfig();
	return {
		...d.settings,
		speedCurve: [
			{ x: 0, lock: 80 },
			{ x: 100, lock: 20 },
		],
		throttleCurve: [
			{ x: 0, lock: 0 },
			{ x: 50, lock: 100 },
		],
		rpmCurve: [
			{ x: 1000, lock: 0 },
			{ x: 5000, lock: 80 },
		],
		map: d.map,
		...over,
	};
}

describe("haldex/modes", () => {
	it("accepts our names and OpenHaldex-S3's, in any letter case", () => {
		assert.deepEqual(MODES.map(parseModeName), [...MODES]);
		assert.equal(parseModeName("7030"), "7525");
		assert.equal(parseModeName("70:30"), "7525");
		assert.equal(parseModeName("speed"), "SPEED");
		assert.equal(parseModeName(" map "), "MAP");
		assert.equal(parseModeName("PASSTHRU"), "STOCK");
		assert.equal(parseModeName("50:50"), "5050");
		assert.equal(parseModeName("80:20"), "8020");
		assert.equal(parseModeName("90:10"), "9010");
		assert.equal(parseModeName("rpm"), "RPM");
	});
	it("accepts S3's mode numbers, its enum order: 0 STOCK ... 4 = 70:30 (our 7525) ... 10 RPM", () => {
		assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(parseModeName), [
			"STOCK",
			"FWD",
			"5050",
			"6040",
			"7525",
			"8020",
			"9010",
			"SPEED",
			"THROTTLE",
			"MAP",
			"RPM",
		]);
	});
	it("refuses unknown names and non-strings", () => {
		for (const name of ["CUSTOM", "RPM_MODE", "", "__proto__", "toString"]) assert.isUndefined(parseModeName(name), name);
		for (const n of [5050, 11, -1, 2.5, Number.NaN]) assert.isUndefined(parseModeName(n), String(n));
		assert.isUndefined(parseModeName(undefined));
	});
	it("tells the core the preset for presets, CUSTOM for curves and map, nothing for STOCK", () => {
		assert.isUndefined(bridgeModeOf("STOCK"));
		assert.equal(bridgeModeOf("FWD"), "FWD");
		assert.equal(bridgeModeOf("7525"), "7525");
		// S3's 8020 and 9010 are the 7525 rewrite at their own lock (S3 lock_data.cpp: the same 0x50 base byte).
		assert.equal(bridgeModeOf("8020"), "7525");
		assert.equal(bridgeModeOf("9010"), "7525");
		for (const m of ["SPEED", "THROTTLE", "MAP", "RPM"] as const) assert.equal(bridgeModeOf(m), "CUSTOM");
	});
});

describe("haldex/target", () => {
	const cruise = { speedKmh: 50, pedalPct: 25, rpm: 0 };

	describe("rawTarget per mode", () => {
		it("asks for pass-through (null) in STOCK and 0 % in FWD", () => {
			assert.isNull(rawTarget("STOCK", settings(), cruise));
			assert.equal(rawTarget("FWD", settings(), cruise), 0);
			assert.equal(rawTarget("FWD", settings(), { speedKmh: 0, pedalPct: 100, rpm: 0 }), 0);
		});
		it("asks for 100, 40 and 30 % in 5050, 6040 and 7525", () => {
			assert.equal(rawTarget("5050", settings(), cruise), 100);
			assert.equal(rawTarget("6040", settings(), cruise), 40);
			assert.equal(rawTarget("7525", settings(), cruise), 30);
			assert.equal(rawTarget("8020", settings(), cruise), 20);
			assert.equal(rawTarget("9010", settings(), cruise), 10);
			// The presets' pedal gate applies to them as to 7525.
			assert.equal(rawTarget("8020", settings({ disableThrottle: 30 }), cruise), 0);
			assert.equal(rawTarget("9010", settings({ disableSpeed: 40 }), cruise), 0);
		});
		it("follows the speed curve in SPEED and the throttle curve in THROTTLE", () => {
			assert.equal(rawTarget("SPEED", settings(), { speedKmh: 50, pedalPct: 0, rpm: 0 }), 50);
			assert.equal(rawTarget("SPEED", settings(), { speedKmh: 250, pedalPct: 0, rpm: 0 }), 20);
			assert.equal(rawTarget("THROTTLE", settings(), { speedKmh: 50, pedalPct: 25, rpm: 0 }), 50);
			assert.equal(rawTarget("THROTTLE", settings(), { speedKmh: 50, pedalPct: 140, rpm: 0 }), 100, "pedal clamped to 100 %");
		});
		it("follows the RPM curve at the engine speed in RPM, flat beyond its ends", () => {
			assert.equal(rawTarget("RPM", settings(), { speedKmh: 50, pedalPct: 0, rpm: 3000 }), 40);
			assert.equal(rawTarget("RPM", settings(), { speedKmh: 50, pedalPct: 0, rpm: 800 }), 0);
			assert.equal(rawTarget("RPM", settings(), { speedKmh: 50, pedalPct: 0, rpm: 9000 }), 80);
			assert.equal(rawTarget("RPM", settings(), { speedKmh: 50, pedalPct: 0, rpm: -5 }), 0, "a negative rpm reads as 0");
			// The factory RPM curve is S3's: 3500 rpm asks for 55 %.
			assert.equal(rawTarget("RPM", settings({ rpmCurve: defaultConfig().rpmCurve }), { speedKmh: 50, pedalPct: 0, rpm: 3500 }), 55);
			// Speed and pedal do not move it.
			assert.equal(rawTarget("RPM", settings(), { speedKmh: 250, pedalPct: 100, rpm: 3000 }), 40);
		});
		it("reads the map at (pedal, speed) in MAP", () => {
			// default map: throttle bin 40 % x speed bin 20 km/h = 25
			assert.equal(rawTarget("MAP", settings(), { speedKmh: 20, pedalPct: 40, rpm: 0 }), 25);
			assert.equal(rawTarget("MAP", settings(), { speedKmh: -3, pedalPct: 0, rpm: 0 }), 0);
		});
	});

	describe("gates", () => {
		it("closes a preset below disableThrottle % pedal and opens at exactly that pedal", () => {
			const s = settings({ disableThrottle: 20 });
			assert.equal(rawTarget("5050", s, { speedKmh: 10, pedalPct: 19.9, rpm: 0 }), 0);
			assert.equal(rawTarget("5050", s, { speedKmh: 10, pedalPct: 20, rpm: 0 }), 100);
			assert.isFalse(presetGateOpen(s, { speedKmh: 10, pedalPct: 0, rpm: 0 }));
		});
		it("closes a preset above disableSpeed km/h and keeps it open at exactly that speed", () => {
			const s = settings({ disableSpeed: 80 });
			assert.equal(rawTarget("6040", s, { speedKmh: 80, pedalPct: 0, rpm: 0 }), 40);
			assert.equal(rawTarget("6040", s, { speedKmh: 80.01, pedalPct: 0, rpm: 0 }), 0);
		});
		it("treats 0 as 'no gate' for both preset gates", () => {
			assert.isTrue(presetGateOpen(settings(), { speedKmh: 299, pedalPct: 0, rpm: 0 }));
		});
		it("does not apply the preset gates to the dynamic modes", () => {
			const s = settings({ disableThrottle: 90, disableSpeed: 10 });
			assert.equal(rawTarget("SPEED", s, { speedKmh: 50, pedalPct: 0, rpm: 0 }), 50);
		});
		it("closes a dynamic mode below its disengageUnderSpeed unless the pedal is at 99 % or more", () => {
			const s = settings({ disengageUnderSpeed: { map: 0, speed: 30, throttle: 15, rpm: 40 } });
			assert.equal(rawTarget("SPEED", s, { speedKmh: 29, pedalPct: 50, rpm: 0 }), 0);
			assert.equal(rawTarget("SPEED", s, { speedKmh: 30, pedalPct: 50, rpm: 0 }), 62);
			assert.equal(rawTarget("SPEED", s, { speedKmh: 5, pedalPct: 99, rpm: 0 }), 77);
			assert.equal(rawTarget("THROTTLE", s, { speedKmh: 14, pedalPct: 25, rpm: 0 }), 0);
			assert.equal(rawTarget("MAP", s, { speedKmh: 0, pedalPct: 80, rpm: 0 }), 20, "the map's own limit is 0: open");
			// RPM has its own gate (S3's disengageUnderSpeed.rpm), with the same full-pedal override.
			assert.equal(rawTarget("RPM", s, { speedKmh: 39, pedalPct: 50, rpm: 3000 }), 0);
			assert.equal(rawTarget("RPM", s, { speedKmh: 40, pedalPct: 50, rpm: 3000 }), 40);
			assert.equal(rawTarget("RPM", s, { speedKmh: 10, pedalPct: 99, rpm: 3000 }), 40);
			assert.isTrue(dynamicGateOpen(0, { speedKmh: 0, pedalPct: 0, rpm: 0 }));
		});
	});

	describe("ReleaseRamp", () => {
		it("applies a rising request at once", () => {
			const r = new ReleaseRamp();
			assert.equal(r.step(10, 0, 120), 10);
			assert.equal(r.step(100, 20, 120), 100);
		});
		it("lets a falling request drop by rate x elapsed time: 120 %/s is 2.4 % per 20 ms", () => {
			const r = new ReleaseRamp();
			r.step(100, 1000, 120);
			assert.closeTo(r.step(0, 1020, 120), 97.6, 1e-9);
			assert.closeTo(r.step(0, 1520, 120), 37.6, 1e-9);
			assert.equal(r.step(0, 1900, 120), 0, "never below the request");
		});
		it("takes 100 / rate seconds from full lock to none", () => {
			const r = new ReleaseRamp();
			r.step(100, 0, 50);
			let t = 0,
				v = 100;
			while (v > 0) {
				t += 20;
				v = r.step(0, t, 50);
			}
			assert.equal(t, 2000);
		});
		it("releases at once with rate 0 or after a gap over 5 s", () => {
			const r = new ReleaseRamp();
			r.step(100, 0, 0);
			assert.equal(r.step(0, 20, 0), 0);
			r.step(100, 40, 120);
			assert.equal(r.step(0, 40 + 5001, 120), 0);
		});
		it("steps at least 0.1 % even when no time has passed", () => {
			const r = new ReleaseRamp();
			r.step(50, 100, 120);
			assert.closeTo(r.step(0, 100, 120), 49.9, 1e-9);
		});
		it("starts from the request after reset()", () => {
			const r = new ReleaseRamp();
			r.step(100, 0, 120);
			r.reset();
			assert.equal(r.step(0, 20, 120), 0);
		});
	});
});
