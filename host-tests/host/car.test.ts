/* The simulated car and Haldex (host/car), read back through the real C core (Node binding). */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DriveCycleCar, SCHEDULE, coolantAt, driveCycle, torqueByteFor } from "../../host/car/drive-cycle";
import { ID, decodeBrakes1Speed, decodeMotor1, encodeBrakes1, encodeBrakes4, encodeMotor1, encodeMotor2 } from "../../host/car/frames";
import { SimulatedHaldex, demandFromTorqueByte, encodeHaldexFeedback } from "../../host/car/haldex-sim";
import { CandumpReplay, parseCandump } from "../../host/car/candump";
import { BUS_CHASSIS, BUS_HALDEX, NodeCanBridge, bindingAvailable } from "../../host/adapters/can-bridge-node";

describe("host/car", () => {
	describe("drive cycle", () => {
		it("goes idle, launch, cruise, braking, stop over 45 s and repeats", () => {
			const phases = [0, 6000, 20000, 30000, 40000, 45000 + 6000].map((t) => driveCycle(t).phase);
			assert.deepEqual(phases, ["idle", "launch", "cruise", "braking", "stop", "launch"]);
			assert.equal(driveCycle(20000).speedKmh, 80);
			assert.equal(driveCycle(2000).speedKmh, 0);
			assert.isTrue(driveCycle(30000).braking);
		});
		it("sends every scheduled ID at its rate: 660 frames per second", () => {
			const car = new DriveCycleCar(0);
			const frames = car.poll(999);
			assert.lengthOf(frames, 660);
			for (const s of SCHEDULE)
				assert.lengthOf(
					frames.filter((f) => f.frame.id === s.id),
					1000 / s.periodMs,
					s.id.toString(16),
				);
			const motor1 = frames.filter((f) => f.frame.id === ID.MOTOR1).map((f) => f.atMs);
			assert.deepEqual(motor1.slice(0, 3), [2, 12, 22], "MOTOR1 every 10 ms");
			assert.lengthOf(car.poll(999), 0, "nothing twice");
		});
		it("counts BRAKES4 by 16 per frame with the XOR of bytes 0..6 in byte 7", () => {
			const d = encodeBrakes4(3, true);
			assert.equal(d[6], 0x30);
			assert.equal(d[7], d[0] ^ d[1] ^ d[2] ^ d[3] ^ d[4] ^ d[5] ^ d[6]);
		});
		it("encodes what the domain scaling decodes", () => {
			assert.deepEqual(decodeMotor1(encodeMotor1({ rpm: 2100.25, pedalPct: 40, torqueByte: 64 })), { rpm: 2100.25, pedalPct: 40, torqueByte: 64 });
			assert.equal(decodeBrakes1Speed(encodeBrakes1(123.45, false)), 123.45);
			assert.equal(encodeMotor2(128)[3], 100);
			assert.equal(encodeMotor2(0, 87.75)[1], 181, "coolant (87.75 + 48) / 0.75");
		});
	});

	describe("simulated Haldex", () => {
		it("reads the lock back from MOTOR1 byte 1 through the lock scaling", () => {
			assert.equal(demandFromTorqueByte(254), 100);
			assert.equal(demandFromTorqueByte(0), 0);
			assert.closeTo(demandFromTorqueByte(101), 39.5, 0.1, "the 40 % rewrite: floor(254 x 80 / 200)");
			assert.equal(demandFromTorqueByte(torqueByteFor(20)), 0, "a stock car at cruise asks for no lock");
			assert.isAbove(demandFromTorqueByte(torqueByteFor(80)), 50, "a stock car at launch asks for some");
		});
		it("engages with a lag and lets go when MOTOR1 stops", () => {
			const h = new SimulatedHaldex(4);
			for (let t = 0; t <= 1000; t += 10) h.receive({ id: ID.MOTOR1, data: encodeMotor1({ rpm: 3000, pedalPct: 50, torqueByte: 254 }) }, t);
			assert.isAbove(h.engagementPct, 99);
			h.poll(2000);
			assert.isBelow(h.engagementPct, 1);
		});
		it("reports 0x2C0 every 20 ms with the state bits", () => {
			const h = new SimulatedHaldex(4, 0);
			const reports = h.poll(100);
			assert.lengthOf(reports, 6);
			assert.isTrue(reports.every((r) => r.frame.id === ID.HALDEX));
			assert.equal(reports[0].frame.data[0] & 0x08, 0x08, "coupling open when not engaged");
		});
	});

	describe("candump replay", () => {
		const log = [
			"# recorded on a Golf 5",
			"(1436509052.249713) can0 280#0011223344556677",
			"(1436509052.259713) can0 1A0#00000C1E",
			"(1436509052.260000) can1 2C0#0080",
			"(1436509052.269713) can0 18FF0001#01",
			"(1436509052.279713) can0 280#R",
			"",
		].join("\n");

		it("parses candump -l lines with times relative to the first", () => {
			const frames = parseCandump(log);
			assert.lengthOf(frames, 4);
			assert.deepEqual(
				{ at: frames[1].atMs, iface: frames[1].iface, id: frames[1].frame.id, data: [...frames[1].frame.data] },
				{ at: 10, iface: "can0", id: 0x1a0, data: [0, 0, 0x0c, 0x1e] },
			);
			assert.isTrue(frames[3].ext);
		});
		it("refuses a malformed line and names it", () => {
			assert.throws(() => parseCandump("(1.0) can0 280#001"), SyntaxError, /line 1/);
			assert.throws(() => parseCandump("280#00"), SyntaxError);
		});
		it("replays the chassis interface at its recorded spacing, from a file", () => {
			const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ohx-candump-")), "drive.log");
			fs.writeFileSync(file, log);
			const replay = CandumpReplay.fromFile(file, { startMs: 1000 });
			assert.lengthOf(replay.frames, 2, "can0, standard IDs only");
			assert.deepEqual(
				replay.poll(1005).map((f) => f.atMs),
				[1000],
			);
			assert.deepEqual(
				replay.poll(1010).map((f) => f.frame.id),
				[0x1a0],
			);
			assert.isTrue(replay.finished);
		});
		it("loops when asked", () => {
			const replay = new CandumpReplay(parseCandump(log), { loop: true });
			assert.lengthOf(replay.poll(99), 10, "a round is 20 ms (10 ms of log + 10), 2 frames each");
		});
	});

	describe("through the C core", () => {
		before(function () {
			if (!bindingAvailable()) this.skip();
		});

		it("the core decodes the car's speed, rpm, pedal and coolant", () => {
			let now = 0;
			const bridge = new NodeCanBridge({ now: () => now });
			const car = new DriveCycleCar(0, (t) => driveCycle(t + 20000)); // cruise
			for (const { atMs, frame } of car.poll(100)) {
				now = atMs;
				bridge.forward(BUS_CHASSIS, frame);
			}
			const v = bridge.vehicle();
			assert.closeTo(v.speedKmh, 80, 0.01);
			assert.equal(v.rpm, 2200);
			assert.equal(v.pedalPct, 20);
			assert.isAtMost(v.engineAgeMs, 10);
			// MOTOR2 byte 1 in 0.75 degC steps: the car's warming coolant, to within a step.
			assert.closeTo(v.coolantC, coolantAt(20_100), 0.75);
			assert.isAbove(v.coolantC, 25);
			assert.isAtMost(v.coolantAgeMs, 20);
		});
		for (const generation of [1, 2, 4] as const) {
			it(`the core decodes the simulated Gen${generation} Haldex's engagement`, () => {
				let now = 0;
				const bridge = new NodeCanBridge({ generation, now: () => now });
				for (const pct of [0, 37, 100]) {
					bridge.forward(BUS_HALDEX, { id: ID.HALDEX, data: encodeHaldexFeedback(generation, pct, 0x01) });
					now += 20;
					assert.closeTo(bridge.vehicle().haldexEngagementPct, pct, 1.5, `Gen${generation} at ${pct} %`);
					assert.equal(bridge.vehicle().haldexState, 0x01);
				}
			});
		}
	});
});
