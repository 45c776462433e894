/* The simulator as a user starts it: HTTP on 127.0.0.1, state in a data folder, clean stop. */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { startSimulator } from "../../host/simulator/simulator";
import { FileStore } from "../../host/adapters/file-store";
import { PROJECT_ROOT } from "../xs/xs-engine";

const quiet = { log() {} };

describe("host/simulator", function () {
	this.timeout(30_000);
	let dataDir: string;
	beforeEach(() => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-sim-"));
	});
	afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

	it("answers GET /api/status with the firmware version, uptime and board", async () => {
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet });
		try {
			const res = await fetch(`${sim.url}/api/status`);
			assert.equal(res.status, 200);
			const body: any = await res.json();
			const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
			assert.equal(body.version, `${pkg.version}+ohxs`);
			assert.equal(body.board, "simulator");
			assert.isNumber(body.uptimeMs);
			assert.equal(body.resetReason, "power-on", "the first boot of a fresh data folder");
		} finally {
			await sim.stop();
		}
	});

	it("--generation 5 drives an MQB car with a Gen5 coupling; the car follows the Setup page's choice", async () => {
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet, generation: 5 });
		try {
			await new Promise((r) => setTimeout(r, 300));
			let body: any = await (await fetch(`${sim.url}/api/status`)).json();
			assert.equal(body.haldexGeneration, 5, "saved as the firmware's setting");
			assert.isAtLeast(body.telemetry.boostAgeMs, 0, "MOTOR_04's boost arrives");
			assert.isAbove(body.telemetry.boostKpa, 90);
			assert.isAtLeast(body.telemetry.haldexAgeMs, 0, "the Gen5 Haldex answers on 0x118");
			assert.equal(sim.carLink.haldex.generation, 5);
			sim.firmware.haldex.settings.updateSettings({ haldexGeneration: 4 }); // as the Setup page's POST does
			await new Promise((r) => setTimeout(r, 600));
			assert.equal(sim.carLink.haldex.generation, 4, "the simulated car is now a PQ car");
			body = await (await fetch(`${sim.url}/api/status`)).json();
			assert.equal(body.telemetry.boostAgeMs, -1, "a PQ bridge decodes no boost");
		} finally {
			await sim.stop();
		}
	});

	it("reboots in-process: the server goes away and comes back on the same port", async () => {
		const sim = await startSimulator({ port: 0, dataDir, logger: quiet, bootDelayMs: 200 });
		try {
			const port = sim.port;
			const rebooting = sim.reboot("test");
			await new Promise((r) => setTimeout(r, 100));
			let refused = false;
			try {
				await fetch(`${sim.url}/api/status`);
			} catch {
				refused = true;
			}
			assert.isTrue(refused, "nothing answers during the simulated boot");
			await rebooting;
			assert.equal(sim.port, port);
			assert.equal(sim.boots, 2);
			const body: any = await (await fetch(`${sim.url}/api/status`)).json();
			assert.equal(body.resetReason, "software");
		} finally {
			await sim.stop();
		}
	});

	it("keeps settings in its data folder across a restart of the simulator", async () => {
		const store = new FileStore(path.join(dataDir, "nvs.json"));
		store.set("ohx", "mode", "5050");
		assert.equal(new FileStore(path.join(dataDir, "nvs.json")).get("ohx", "mode"), "5050");
		store.set("ohx", "blob", new Uint8Array([1, 2, 3]).buffer);
		assert.deepEqual([...new Uint8Array(new FileStore(path.join(dataDir, "nvs.json")).get("ohx", "blob") as ArrayBuffer)], [1, 2, 3]);
		assert.throws(() => store.set("ohx", "much-too-long-key", 1), RangeError);
	});

	it("`npm start` prints its URL, serves, and stops cleanly on Ctrl-C", async () => {
		const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "host/simulator/main.ts"), "--port", "0", "--data", dataDir], {
			cwd: PROJECT_ROOT,
			stdio: ["ignore", "pipe", "pipe"],
		});
		let out = "";
		child.stdout.on("data", (c) => (out += c));
		const url = await new Promise<string>((resolve, reject) => {
			const t = setInterval(() => {
				const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
				if (m) {
					clearInterval(t);
					resolve(m[1]);
				}
			}, 50);
			child.on("exit", () => {
				clearInterval(t);
				reject(new Error(`simulator exited early: ${out}`));
			});
		});
		const body: any = await (await fetch(`${url}/api/status`)).json();
		assert.equal(body.board, "simulator");
		const code = await new Promise<number | null>((resolve) => {
			child.on("exit", (c) => resolve(c));
			child.kill("SIGINT");
		});
		assert.equal(code, 0);
		assert.match(out, /stopping simulator/);
	});

	it("rejects a bad --port with a clear message", async () => {
		const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "host/simulator/main.ts"), "--port", "eighty"], {
			cwd: PROJECT_ROOT,
			stdio: ["ignore", "pipe", "pipe"],
		});
		let err = "";
		child.stderr.on("data", (c) => (err += c));
		const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
		assert.equal(code, 2);
		assert.match(err, /--port must be a TCP port number/);
	});
});
