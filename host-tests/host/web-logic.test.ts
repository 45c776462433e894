/*
 * [spec] The web app's reading of the board's answers (web/src/status-view.ts),
 * held against what the firmware itself produces: the safe-mode banner, the
 * log's order, a file refused before it is sent.
 */
import { assert } from "chai";
import { deviceStatusFields, type DeviceServices } from "device/services";
import { EventLog } from "device/event-log";
import { ManualTime } from "../support/fakes";
import { fileProblem, interfaceLabel, lockTargetOf, logOrder, safeModeOf, signingWords } from "../../web/src/status-view";
import { followStep, type FollowMemory, type Observation } from "../../web/src/reboot-follow";
import { curveProblems, parseCurve, type ShapeError } from "haldex/curve";
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
		for (const m of ["first", "second", "third"]) {
			log.record("mode", m);
			time.advance(10);
		}
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

	describe("following an install through the restart (web/src/reboot-follow)", () => {
		const target = { target: "1.3.0+ohxs", from: "1.2.0+ohxs", startedAt: 0 };
		const answer = (current: string, uptimeMs: number, state = "IDLE", stage = "idle"): Observation => ({
			kind: "answer",
			uptimeMs,
			current,
			state,
			stateDescription: `state ${state}`,
			stage,
		});
		const run = (observations: Observation[]) => {
			const memory: FollowMemory = { sawDown: false };
			return observations.map((o, i) => followStep(target, memory, o, (i + 1) * 1000));
		};

		it("before the restart, away, back on trial, then done", () => {
			const views = run([
				answer("1.2.0+ohxs", 50_000),
				{ kind: "unreachable" },
				{ kind: "unreachable" },
				answer("1.3.0+ohxs", 900, "RUNNING", "verifying"),
				answer("1.3.0+ohxs", 31_000, "IDLE"),
			]);
			assert.deepEqual(
				views.map((v) => v && [v.step, v.tone, v.finished]),
				[
					[0, "info", false],
					[1, "info", false],
					[1, "info", false],
					[2, "info", false],
					[4, "ok", true],
				],
			);
			assert.match(views[4]!.note, /now runs 1\.3\.0\+ohxs/);
		});

		it("a restart seen only by the uptime going back (the poll never missed) counts too", () => {
			const views = run([answer("1.2.0+ohxs", 50_000), answer("1.3.0+ohxs", 2_000, "IDLE")]);
			assert.equal(views[1]!.step, 4);
			assert.equal(views[1]!.tone, "ok");
		});

		it("back on the old version after a restart: the new one did not start, said plainly", () => {
			const views = run([answer("1.2.0+ohxs", 50_000), { kind: "unreachable" }, answer("1.2.0+ohxs", 1_500, "FAILED_GRACEFUL")]);
			assert.deepEqual([views[2]!.step, views[2]!.tone, views[2]!.finished], [4, "bad", true]);
			assert.match(views[2]!.note, /went back to 1\.2\.0\+ohxs/);
		});

		it("after three minutes away it tells the owner what to do, without giving up", () => {
			const memory: FollowMemory = { sawDown: false };
			const v = followStep(target, memory, { kind: "unreachable" }, 181_000)!;
			assert.equal(v.tone, "warn");
			assert.match(v.note, /ignition off and on/);
			assert.isFalse(v.finished);
		});

		it("an unknown target version is reached by any version other than the old one", () => {
			const memory: FollowMemory = { sawDown: true };
			const v = followStep({ target: "the new firmware", from: "1.2.0+ohxs", startedAt: 0 }, memory, answer("1.2.1+ohxs", 3_000), 5_000)!;
			assert.equal(v.tone, "ok");
		});
	});

	it("curve editor: the app marks the same problems the board refuses with (haldex/curve)", () => {
		const points = [
			{ x: 0, lock: 10 },
			{ x: NaN, lock: 20 },
			{ x: 20, lock: 120 },
			{ x: 10, lock: 5 },
		];
		const app = curveProblems("speed", { points });
		assert.deepEqual(
			app.map((p) => p.path),
			["points[1].x", "points[2].lock", "points[3].x"],
		);
		assert.equal(app[0].message, "Point 2: enter a speed (0 to 300 km/h).");
		const board = (() => {
			try {
				parseCurve("speed", { points });
			} catch (e) {
				return (e as ShapeError).problems;
			}
			return [];
		})();
		assert.deepEqual(board, app);
	});

	it("says what the board accepts: a developer build takes unsigned files, a release only its keys'", () => {
		assert.match(signingWords({ required: false, keys: [] }), /Developer build: this board accepts unsigned/);
		assert.match(signingWords({ required: true, keys: ["3ca3a62cba0a9a8b00"] }), /only firmware signed with its key \(3ca3a62c…\)\.$/);
		assert.match(
			signingWords({ required: true, keys: ["3ca3a62cba0a9a8b00"], espIdfVerifies: true }),
			/only firmware signed with its key \(3ca3a62c…\), and ESP-IDF checks the signature again when it installs\.$/,
		);
	});
});
