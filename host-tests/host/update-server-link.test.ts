/*
 * Specification: the simulator's update-server link (host/simulator/
 * update-server-link): the demo image, the seeded settings, and, once the
 * firmware serves the update client's routes, the whole demo: check,
 * install, reboot into the new version. All on 127.0.0.1, bounded in time.
 */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImageValidator } from "ota/validator";
import { UPDATE_SERVER_DOMAIN } from "update/server-settings";
import { FileStore } from "../../host/adapters/file-store";
import { nodeDigests } from "../../host/adapters/node-platform";
import { packageVersion } from "../../host/simulator/package-info";
import { DEMO_TOKEN, nextMinor, seedServerSettings, startUpdateServerLink, type UpdateServerLink } from "../../host/simulator/update-server-link";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";

describe("host/simulator/update-server-link", function () {
	this.timeout(30000);
	let dir: string;
	let link: UpdateServerLink | undefined;
	let sim: Simulator | undefined;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-link-"));
	});
	afterEach(async () => {
		await sim?.stop();
		await link?.close();
		sim = undefined;
		link = undefined;
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it("computes the next minor version", () => {
		assert.equal(nextMinor("0.1.0+ohxs"), "0.2.0");
		assert.equal(nextMinor("1.9.3-rc.1"), "1.10.0");
	});

	it("serves a demo image of our format one minor version above the running one", async () => {
		link = await startUpdateServerLink({ dataDir: dir, port: 0 });
		assert.equal(link.demoVersion, nextMinor(packageVersion()));
		const list = (await (
			await fetch(`${link.server.url}/api/v2/ota-files?module=openhaldex-xs&isActive=1`, { headers: { "x-access-token": DEMO_TOKEN } })
		).json()) as any[];
		assert.lengthOf(list, 1);
		const file = link.server.files[0];
		const v = new ImageValidator({
			digests: nodeDigests,
			slotSize: 0x1f0000,
			running: packageVersion(),
			runningSecureVersion: 0,
			expectedSha256: Buffer.from(list[0].sha256, "hex"),
		});
		v.write(file.data);
		assert.equal(v.end().version, `${link.demoVersion}+ohxs`);
		assert.isTrue(fs.existsSync(path.join(dir, "ota-files", `demo-${link.demoVersion}.json`)));
	});

	it("points the board at the demo server unless the owner set another server", () => {
		const nvs = path.join(dir, "nvs.json");
		assert.isTrue(seedServerSettings(nvs, "http://127.0.0.1:8070"));
		assert.equal(new FileStore(nvs).get(UPDATE_SERVER_DOMAIN, "token"), DEMO_TOKEN);
		assert.isTrue(seedServerSettings(nvs, "http://127.0.0.1:9999"), "an earlier demo's port is replaced");
		new FileStore(nvs).set(UPDATE_SERVER_DOMAIN, "url", "https://ota.example.com");
		assert.isFalse(seedServerSettings(nvs, "http://127.0.0.1:8070"));
		assert.equal(new FileStore(nvs).get(UPDATE_SERVER_DOMAIN, "url"), "https://ota.example.com");
	});

	it("lets a new user check, install, and see the simulator reboot into the new version", async () => {
		link = await startUpdateServerLink({ dataDir: dir, port: 0 });
		sim = await startSimulator({ port: 0, dataDir: dir, bootDelayMs: 50, healthWindowMs: 200, logger: { log() {} }, car: "parked" });
		const call = async (method: string, p: string, body?: unknown, auth = true) => {
			const res = await fetch(sim!.url + p, {
				method,
				headers: {
					...(auth ? { authorization: `Basic ${Buffer.from("admin:demo-password-1").toString("base64")}` } : {}),
					...(body ? { "content-type": "application/json" } : {}),
				},
				body: body ? JSON.stringify(body) : undefined,
			});
			return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
		};
		assert.equal((await call("POST", "/api/setup", { password: "demo-password-1" }, false)).status, 200);
		assert.include([200, 202], (await call("POST", "/api/update/check")).status);
		const until = async (what: string, cond: () => Promise<boolean>) => {
			const end = Date.now() + 20000;
			while (!(await cond())) {
				if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
				await new Promise((r) => setTimeout(r, 50));
			}
		};
		await until("the check", async () => (await call("GET", "/api/update")).json?.available === true);
		assert.equal((await call("GET", "/api/update")).json.latest, link.demoVersion);
		const install = await call("POST", "/api/update/install");
		assert.equal(install.status, 200, JSON.stringify(install.json));
		await until("the reboot into the new version", async () => {
			try {
				return (await call("GET", "/api/status", undefined, false)).json?.version === `${link!.demoVersion}+ohxs`;
			} catch {
				return false;
			}
		});
		assert.isAtLeast(sim.boots, 2);
	});
});
