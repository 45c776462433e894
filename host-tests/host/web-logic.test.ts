/*
 * [spec] The web app's reading of the board's answers (web/src/status-view.ts),
 * held against what the firmware itself produces: the safe-mode banner, the
 * log's order, a file refused before it is sent.
 */
import { assert } from "chai";
import { deviceStatusFields, type DeviceServices } from "device/services";
import { EventLog } from "device/event-log";
import { ManualTime } from "../support/fakes";
import { fileProblem, interfaceLabel, lockTargetOf, logOrder, safeModeOf } from "../../web/src/status-view";
import { choiceLabel, nextChoice, parseChoice, resolveTheme, type ThemeChoice } from "../../web/src/theme-choice";

function deviceFields(active: boolean, reason = "") {
	const device = {
		safeMode: { active, reason },
		boot: { record: { boots: 4, streak: 3 }, reason: "panic" },
		led: () => ({ color: "amber", rgb: 0xffa000, pattern: "blink-fast", reason: "safe mode" }),
		addresses: () => ["192.168.4.1"],
	} as unknown as DeviceServices;
	return deviceStatusFields(device);
}

describe("web app: reading the board's answers (web/src/status-view)", () => {
	it("shows the safe-mode banner with the reason the firmware gives", () => {
		const why = "three crashes in a row within a minute of boot";
		assert.deepEqual(safeModeOf(deviceFields(true, why)), { on: true, reason: why });
		assert.deepEqual(safeModeOf(deviceFields(false)), { on: false, reason: "" });
		assert.deepEqual(safeModeOf(undefined), { on: false, reason: "" });
	});

	it("lists the log newest first, as GET /api/logs sends it (no second reversal)", () => {
		const time = new ManualTime();
		const log = new EventLog({ clock: time, timers: time, boot: 1 });
		for (const m of ["first", "second", "third"]) { log.record("mode", m); time.advance(10); }
		const shown = logOrder(log.entries()).map((e) => e.message);
		assert.deepEqual(shown, ["third", "second", "first"]);
	});

	it("refuses an empty file before sending it, saying so", () => {
		assert.match(fileProblem({ size: 0, name: "xs_esp32.bin" })!, /xs_esp32\.bin is empty/);
		assert.isUndefined(fileProblem({ size: 1_200_000, name: "xs_esp32.bin" }));
	});

	it("theme: follows the phone until the owner picks; the switch goes automatic -> the opposite -> the other -> automatic", () => {
		for (const prefersDark of [false, true]) {
			assert.equal(resolveTheme("auto", prefersDark), prefersDark ? "dark" : "light");
			const seen: ThemeChoice[] = ["auto"];
			for (let i = 0; i < 3; i++) seen.push(nextChoice(seen[seen.length - 1], prefersDark));
			assert.deepEqual(seen, prefersDark ? ["auto", "light", "dark", "auto"] : ["auto", "dark", "light", "auto"]);
			assert.equal(resolveTheme(seen[1], prefersDark), prefersDark ? "light" : "dark", "the first tap always changes what is shown");
		}
		assert.equal(parseChoice("dark"), "dark");
		assert.equal(parseChoice("purple"), "auto");
		assert.equal(parseChoice(null), "auto");
		assert.match(choiceLabel("auto", true).name, /automatic \(dark/);
		assert.equal(choiceLabel("light", true).name, "Theme: light");
	});

	it("shows no lock target in STOCK (the Haldex decides; the firmware's 0 is not what the coupling does)", () => {
		assert.isUndefined(lockTargetOf({ effectiveMode: "STOCK", telemetry: { spec: 0 } }));
		assert.equal(lockTargetOf({ effectiveMode: "5050", telemetry: { spec: 100 } }), 100);
		assert.equal(lockTargetOf({ effectiveMode: "SPEED", telemetry: { spec: 0 } }), 0, "a real 0 % target outside STOCK is shown");
		assert.isUndefined(lockTargetOf(undefined));
	});

	it("names the network interfaces in the owner's words, not the API's keys", () => {
		assert.equal(interfaceLabel("ap"), "Board's own Wi-Fi");
		assert.equal(interfaceLabel("station"), "Home network");
	});
});
