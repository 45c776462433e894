/*
 * Cross-check against Espressif's esptool: our validator accepts an image
 * esptool laid out (the committed fixture, always), and, when $ESPTOOL_PATH
 * points at an esptool checkout, esptool's image-info calls the test
 * helper's images valid (and its corrupted ones invalid). CI has no
 * esptool, so that part skips with a message.
 */

import { assert } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImageValidator } from "ota/validator";
import { pureDigests } from "../../../host/portable/sha256";
import { nodeDigests } from "../../../host/adapters/node-platform";
import { PROJECT_ROOT } from "../../xs/xs-engine";
import { buildEspImage } from "../../support/esp-image";
import { tinyElf } from "../../fixtures/esptool/make-tiny-elf";

const FIXTURE = path.join(PROJECT_ROOT, "host-tests/fixtures/esptool/app-esptool.bin");

function validate(bytes: Uint8Array, chunk: number, digests = nodeDigests) {
	const v = new ImageValidator({ digests, slotSize: 0x1f0000, running: "0.0.1+ohxs", runningSecureVersion: 0, declaredSize: bytes.length });
	for (let i = 0; i < bytes.length; i += chunk) v.write(bytes.subarray(i, i + chunk));
	return v.end();
}

describe("esptool cross-check", function () {
	this.timeout(60_000);

	it("the validator accepts the esptool-made image of ours (committed fixture), in any chunking", () => {
		const bytes = new Uint8Array(fs.readFileSync(FIXTURE));
		for (const chunk of [1, 7, 288, 4096]) {
			const r = validate(bytes, chunk, chunk === 7 ? pureDigests : nodeDigests);
			assert.equal(r.version, "0.1.0+ohxs");
			assert.equal(r.projectName, "xs_esp32");
			assert.equal(r.segments, 2);
			assert.isString(r.appendedHash);
		}
	});

	describe("with esptool ($ESPTOOL_PATH)", () => {
		const esptool = process.env.ESPTOOL_PATH;
		let dir: string;
		before(function () {
			if (!esptool) {
				console.log("      (skipped: set ESPTOOL_PATH to an esptool checkout, e.g. ESPTOOL_PATH=/work/esptool, to run image-info and elf2image)");
				this.skip();
			}
			dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-esptool-"));
		});
		after(() => {
			if (dir) fs.rmSync(dir, { recursive: true, force: true });
		});

		const run = (...args: string[]) =>
			execFileSync("/usr/bin/python3", ["-m", "esptool", ...args], { env: { ...process.env, PYTHONPATH: esptool }, encoding: "utf8", cwd: dir });
		const info = (name: string, bytes: Uint8Array) => {
			const file = path.join(dir, name);
			fs.writeFileSync(file, bytes);
			return run("image-info", file);
		};

		for (const [name, options] of [
			["the default helper image", {}],
			["an image without an appended hash", { hashAppended: false }],
			["a 1.9 MB image with four segments", { size: 1900 * 1024, extraSegments: [1024, 64] }],
		] as const) {
			it(`image-info calls ${name} valid, with our identity`, () => {
				const out = info("a.bin", buildEspImage({ version: "2.0.0-rc.1+ohxs", ...options }));
				assert.match(out, /Checksum: 0x[0-9a-f]{2} \(valid\)/);
				if ((options as any).hashAppended !== false) assert.match(out, /Validation hash: [0-9a-f]{64} \(valid\)/);
				assert.match(out, /Chip ID: 13 \(ESP32-C6\)/);
				assert.match(out, /Project name: xs_esp32/);
				assert.match(out, /App version: 2\.0\.0-rc\.1\+ohxs/);
			});
		}

		it("image-info calls the helper's corrupted checksum and hash invalid", () => {
			assert.match(info("c.bin", buildEspImage({ badChecksum: true })), /Checksum: 0x[0-9a-f]{2} \(invalid/);
			assert.match(info("h.bin", buildEspImage({ badAppendedHash: true })), /Validation hash: [0-9a-f]{64} \(invalid\)/);
		});

		// esptool's image-info lays an image out; it does not judge it by the bootloader's rules. For the
		// four v6.0 rules our validator adds, it reports the fields and calls checksum and hash valid.
		it("image-info does not refuse what the v6.0 load rules refuse; it only shows the fields (our validator refuses them)", () => {
			const base = { version: "1.3.0+ohxs", size: 6000 };
			const rev = info("rev.bin", buildEspImage({ ...base, minChipRevFull: 2 }));
			assert.match(rev, /Minimal chip revision: v0\.2/);
			assert.match(rev, /Checksum: 0x[0-9a-f]{2} \(valid\)/);
			const misaligned = info("mis.bin", buildEspImage({ ...base, segmentAddress: { index: 2, address: 0x42000000 } }));
			assert.match(misaligned, /2\s+0x[0-9a-f]+\s+0x42000000\s+0x00000368\s+DROM, IROM/, "shown as a plain mapped segment");
			const ram = info("ram.bin", buildEspImage({ ...base, segmentAddress: { index: 1, address: 0x3fc88000 } }));
			assert.match(ram, /1\s+0x00200\s+0x3fc88000\s+0x00000160\s*\n/, "no memory type: the address is in none of the C6's regions");
			const nodesc = info("nodesc.bin", buildEspImage({ ...base, descriptorMagic: 0 }));
			assert.notMatch(nodesc, /Application Information/, "no descriptor, so no application section");
			assert.match(nodesc, /Validation hash: [0-9a-f]{64} \(valid\)/);
		});

		it("elf2image of the tiny ELF reproduces the committed fixture byte for byte, and the validator accepts it", () => {
			const elf = path.join(dir, "tiny.elf");
			fs.writeFileSync(elf, tinyElf("0.1.0+ohxs"));
			run("--chip", "esp32c6", "elf2image", "--flash-mode", "dio", "--flash-size", "4MB", "-o", path.join(dir, "app.bin"), elf);
			const made = new Uint8Array(fs.readFileSync(path.join(dir, "app.bin")));
			assert.deepEqual(made, new Uint8Array(fs.readFileSync(FIXTURE)));
			assert.equal(validate(made, 100).version, "0.1.0+ohxs");
		});
	});
});
