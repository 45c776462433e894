/*
 * The CAN view at full bus load in the simulator: besides the simulated
 * car, both buses get 4,000 frames a second each (a saturated 500 kbit/s
 * bus) through the C core's Node binding, while a GVRET client reads over
 * TCP, a candump download runs and the CAN page's poll comes twice a
 * second. Reports what each consumer got and what the capture dropped.
 * The simulator runs the firmware's JS on V8, not XS: its figures bound
 * the protocol and the drain logic, not the board (see check:mcsim and
 * docs/can-view.md).
 */

import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startSimulator } from "../host/simulator/simulator";
import type { Benchmark } from "./registry";

const RATE = 4000;
const SECONDS = 10;

export const canviewSimBench: Benchmark = {
	name: "CAN view at full bus load (simulator)",
	async run() {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-bench-canview-"));
		const sim = await startSimulator({ port: 0, dataDir, logger: { log() {} }, bootDelayMs: 50, gvretPort: 0 });
		try {
			const bridge = sim.carLink.bridge;
			let sent = 0;
			const t0 = Date.now();
			const data = new Uint8Array(8);
			const load = setInterval(() => {
				const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
				while (sent < due) {
					data[0] = sent & 255;
					bridge.forward(0, { id: 0x123, data });
					bridge.forward(1, { id: 0x124, data });
					sent++;
				}
			}, 2);
			let gvretBytes = 0;
			const gvret = net.connect(sim.gvretPort!, "127.0.0.1", () => gvret.write(Buffer.from([0xe7, 0xe7])));
			gvret.on("data", (d) => {
				gvretBytes += d.length;
			});
			const poll = setInterval(() => void fetch(`${sim.url}/api/can/live`).then((r) => r.arrayBuffer()), 500);
			const dump = await (await fetch(`${sim.url}/api/can/capture.log?seconds=${SECONDS}`)).text();
			const seconds = (Date.now() - t0) / 1000;
			clearInterval(load);
			clearInterval(poll);
			const live = (await (await fetch(`${sim.url}/api/can/live`)).json()) as { dropped: { ring: number[]; budget: number; download: number; gvret: number } };
			const g = (await (await fetch(`${sim.url}/api/can/gvret`)).json()) as { framesOut: number; framesDropped: number };
			gvret.destroy();
			const lines = dump.split("\n").filter((l) => l.startsWith("(")).length;
			const counters = bridge.counters();
			console.log(
				`load               ${RATE} frames/s on each bus + the simulated car, ${seconds.toFixed(1)} s; ${counters.chassisToHaldex + counters.haldexToChassis} frames bridged, ${counters.dropped} dropped`,
			);
			console.log(`candump download   ${lines} lines, ${(lines / seconds).toFixed(0)}/s, ${(dump.length / 1024 / seconds).toFixed(0)} KiB/s`);
			console.log(
				`GVRET client       ${g.framesOut} frames, ${(g.framesOut / seconds).toFixed(0)}/s, ${(gvretBytes / 1024 / seconds).toFixed(0)} KiB/s; ${g.framesDropped} dropped`,
			);
			console.log(
				`capture drops      ring ${live.dropped.ring.join("/")}, drain budget ${live.dropped.budget}, download ${live.dropped.download}, GVRET ${live.dropped.gvret}`,
			);
		} finally {
			await sim.stop();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	},
};
