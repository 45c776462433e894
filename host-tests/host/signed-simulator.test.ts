/*
 * [spec] `npm start -- --signed`: the simulator's factory image is signed
 * with a demo key made in its data folder, so the board accepts only images
 * that key signed, with real RSA, end to end over HTTP; its demo OTA
 * server offers a signed image.
 */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../host/simulator/simulator";
import { startUpdateServerLink } from "../../host/simulator/update-server-link";
import { DEMO_KEY_FILE, demoSigningKey } from "../../host/simulator/demo-signing";
import { packageVersion } from "../../host/simulator/package-info";
import { keyDigest, signImage } from "../../host/cli/signing";
import { ImageValidator } from "ota/validator";
import { nodeDigests } from "../../host/adapters/node-platform";
import { buildEspImage } from "../support/esp-image";

const PASSWORD = "signed-sim-password";

describe("the simulator with signed images (--signed)", function () {
	this.timeout(60_000);
	let dir: string;
	let sim: Simulator;
	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-signed-"));
		sim = await startSimulator({ port: 0, dataDir: dir, logger: { log() {} }, bootDelayMs: 50, healthWindowMs: 400, car: "parked", signed: true });
		await fetch(`${sim.url}/api/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
	});
	after(async () => {
		await sim.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	const upload = async (bytes: Uint8Array) => {
		const res = await fetch(`${sim.url}/api/update/images/upload`, {
			method: "POST",
			headers: { "content-type": "application/octet-stream", authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` },
			body: bytes,
		});
		return { status: res.status, body: (await res.json()) as any };
	};
	const [major, minor] = packageVersion().split(/[.+]/).map(Number);
	const next = `${major}.${minor + 1}.0+ohxs`;

	it("makes the demo key in the data folder, owner-only, and trusts it, as a build for signed releases", async () => {
		const key = path.join(dir, DEMO_KEY_FILE);
		assert.equal((fs.statSync(key).mode & 0o777).toString(8), "600");
		const status = (await (await fetch(`${sim.url}/api/status`)).json()) as any;
		assert.deepEqual(status.update.signing, { required: true, keys: [keyDigest(demoSigningKey(dir))], espIdfVerifies: true });
	});

	it("refuses an unsigned image and one signed by another key, each with its code", async () => {
		const plain = buildEspImage({ version: next, size: 40_000 });
		const unsigned = await upload(plain);
		assert.deepEqual([unsigned.status, unsigned.body.error.code], [422, "image_unsigned"]);
		const { generateKey } = await import("../../host/cli/signing");
		const stranger = await upload(signImage(plain, generateKey()));
		assert.deepEqual([stranger.status, stranger.body.error.code], [422, "image_untrusted_key"]);
	});

	it("accepts an image the demo key signed, names its signer, installs it, and the new firmware keeps trusting the key", async () => {
		const signed = signImage(buildEspImage({ version: next, size: 40_000, seed: 2 }), demoSigningKey(dir));
		const up = await upload(signed);
		assert.equal(up.status, 200, JSON.stringify(up.body));
		assert.deepEqual(up.body.signedBy, [keyDigest(demoSigningKey(dir))]);
		const boots = sim.boots;
		const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` };
		assert.equal((await fetch(`${sim.url}/api/update/install`, { method: "POST", headers: auth })).status, 200);
		for (let i = 0; i < 200 && sim.boots === boots; i++) await new Promise((r) => setTimeout(r, 25));
		for (let i = 0; i < 100; i++) {
			const ok = await fetch(`${sim.url}/api/status`).then(
				(r) => r.ok,
				() => false,
			);
			if (ok) break;
			await new Promise((r) => setTimeout(r, 50));
		}
		const status = (await (await fetch(`${sim.url}/api/status`)).json()) as any;
		assert.equal(status.version, next);
		assert.isTrue(status.update.signing.required, "the signed image it runs now carries the same key");
	});

	it("its demo OTA server offers an image the demo key signed", async () => {
		const link = await startUpdateServerLink({ dataDir: dir, port: 0, signed: true });
		try {
			const file = fs.readdirSync(path.join(dir, "ota-files")).find((f) => f.endsWith(".bin"))!;
			const bytes = new Uint8Array(fs.readFileSync(path.join(dir, "ota-files", file)));
			const v = new ImageValidator({
				digests: nodeDigests,
				slotSize: 1 << 21,
				running: "0.0.1+ohxs",
				runningSecureVersion: 0,
				trustedKeys: [keyDigest(demoSigningKey(dir))],
			});
			v.write(bytes);
			assert.deepEqual(v.end().signedBy, [keyDigest(demoSigningKey(dir))]);
		} finally {
			await link.close();
		}
	});
});
