/* Specification of the status LED (modules/device/led): colour by mode, pattern by the most important fault. */

import { assert } from "../../support/assert";
import { ledColorAt, ledState, rgbHex, type LedInputs } from "device/led";

const base: LedInputs = { mode: "STOCK", safeMode: false, updating: false, pendingVerify: false, busFault: false, watchdogFallback: false, setupOpen: false };

describe("device/led", () => {
	it("shows each mode in OpenHaldex-C6's colour, steady", () => {
		const expect: Record<string, string> = {
			STOCK: "red",
			FWD: "green",
			"5050": "blue",
			"6040": "pink",
			"7525": "cyan",
			SPEED: "white",
			THROTTLE: "white",
			MAP: "white",
		};
		for (const [mode, color] of Object.entries(expect)) {
			const s = ledState({ ...base, mode });
			assert.equal(s.color, color, mode);
			assert.equal(s.pattern, "solid");
		}
		assert.equal(rgbHex(ledState({ ...base, mode: "5050" }).rgb), "#0000ff");
	});

	it("picks the pattern of the most important condition: safe mode > update > verify > bus > watchdog > setup", () => {
		const all = { ...base, mode: "5050", safeMode: true, updating: true, pendingVerify: true, busFault: true, watchdogFallback: true, setupOpen: true };
		assert.equal(ledState(all).pattern, "blink-fast");
		assert.equal(ledState(all).color, "amber");
		assert.equal(ledState({ ...all, safeMode: false }).pattern, "breathe");
		assert.equal(ledState({ ...all, safeMode: false, updating: false }).pattern, "double-flash");
		assert.equal(ledState({ ...all, safeMode: false, updating: false, pendingVerify: false }).reason, "CAN bus fault");
		assert.equal(ledState({ ...base, watchdogFallback: true, setupOpen: true }).pattern, "blink-slow");
		assert.equal(ledState({ ...base, setupOpen: true }).pattern, "alternate-white");
	});

	it("keeps the mode colour under a fault pattern, so the driver still sees the mode", () => {
		assert.equal(ledState({ ...base, mode: "FWD", busFault: true }).color, "green");
	});

	it("blinks: fast 4 Hz, slow 1 Hz, double flash twice a second's start", () => {
		const fast = ledState({ ...base, busFault: true });
		assert.deepEqual(
			[0, 124, 125, 249, 250].map((t) => ledColorAt(fast, t)),
			[0xff0000, 0xff0000, 0, 0, 0xff0000],
		);
		const slow = ledState({ ...base, watchdogFallback: true });
		assert.deepEqual(
			[0, 499, 500, 999, 1000].map((t) => ledColorAt(slow, t)),
			[0xff0000, 0xff0000, 0, 0, 0xff0000],
		);
		const dbl = ledState({ ...base, pendingVerify: true });
		assert.deepEqual(
			[50, 150, 250, 350].map((t) => ledColorAt(dbl, t)),
			[0xff0000, 0, 0xff0000, 0],
		);
		assert.equal(ledColorAt(ledState({ ...base, setupOpen: true }), 600), 0xffffff);
	});

	it("breathes between 10 % and full brightness", () => {
		const s = ledState({ ...base, updating: true });
		assert.equal(ledColorAt(s, 500), 0x8000ff);
		assert.equal(ledColorAt(s, 0), (13 << 16) | 26);
	});
});
