/* Specification: SemVer precedence and the identity rule (xs_esp32 + <semver>+ohxs). */

import { assert } from "../../support/assert";
import { OtaError } from "ota/errors";
import { checkIdentity, checkUpgrade, compareSemVer, parseSemVer } from "ota/version";

function code(f: () => unknown): string {
	try {
		f();
	} catch (e) {
		if (e instanceof OtaError) return e.code;
		throw e;
	}
	return "accepted";
}
const v = (t: string) => parseSemVer(t)!;

describe("ota/version", () => {
	it("parses SemVer with pre-release and build metadata", () => {
		assert.deepEqual(parseSemVer("1.2.3-rc.1+ohxs"), { major: 1, minor: 2, patch: 3, prerelease: ["rc", "1"], build: ["ohxs"] });
		for (const bad of ["1.2", "01.2.3", "1.2.3-01", "v1.2.3", "1.2.3+", "", "1.2.3-rc..1"]) assert.isUndefined(parseSemVer(bad), bad);
	});
	it("accepts and refuses exactly what SemVer 2.0.0's grammar does", () => {
		assert.deepEqual(parseSemVer("0.0.0"), { major: 0, minor: 0, patch: 0, prerelease: [], build: [] });
		assert.deepEqual(parseSemVer("1.2.3-rc-1.x-y+b-1.0a"), { major: 1, minor: 2, patch: 3, prerelease: ["rc-1", "x-y"], build: ["b-1", "0a"] });
		assert.deepEqual(parseSemVer("1.2.3+001"), { major: 1, minor: 2, patch: 3, prerelease: [], build: ["001"] }, "leading zeros are fine in build metadata");
		assert.deepEqual(parseSemVer("1.2.3-0a.0"), { major: 1, minor: 2, patch: 3, prerelease: ["0a", "0"], build: [] });
		for (const bad of [
			"1.2.3.4",
			"1..3",
			"1.2.3-",
			"1.2.3-rc.",
			"1.2.3-rc_1",
			"1.2.3+b+c",
			"1.2.3 ",
			" 1.2.3",
			"1.2.-3",
			"+1.2.3",
			"1.2.3-+b",
			"9007199254740992.0.0",
			"1.a.3",
			"1.2.3-é",
		])
			assert.isUndefined(parseSemVer(bad), JSON.stringify(bad));
	});
	it("orders versions by SemVer precedence, ignoring build metadata", () => {
		const order = [
			"1.0.0-alpha",
			"1.0.0-alpha.1",
			"1.0.0-alpha.beta",
			"1.0.0-beta",
			"1.0.0-beta.2",
			"1.0.0-beta.11",
			"1.0.0-rc.1",
			"1.0.0",
			"1.0.1",
			"1.1.0",
			"2.0.0",
		];
		for (let i = 1; i < order.length; i++) assert.equal(compareSemVer(v(order[i - 1]), v(order[i])), -1, `${order[i - 1]} < ${order[i]}`);
		assert.equal(compareSemVer(v("1.0.0+ohxs"), v("1.0.0+other")), 0);
	});
	it("accepts xs_esp32 with a <semver>+ohxs version", () => {
		assert.equal(checkIdentity({ projectName: "xs_esp32", version: "0.2.0+ohxs" }).minor, 2);
	});
	it("refuses another ESP-IDF project (the Arduino OpenHaldex firmware) with image_wrong_project", () => {
		assert.equal(
			code(() => checkIdentity({ projectName: "arduino-lib-builder", version: "1.0.0" })),
			"image_wrong_project",
		);
	});
	it("refuses another Moddable app (no +ohxs) with image_not_ohxs", () => {
		assert.equal(
			code(() => checkIdentity({ projectName: "xs_esp32", version: "1.0.0" })),
			"image_not_ohxs",
		);
		assert.equal(
			code(() => checkIdentity({ projectName: "xs_esp32", version: "1" })),
			"image_not_ohxs",
		);
	});
	it("refuses +ohxs without a version before it with image_bad_version", () => {
		assert.equal(
			code(() => checkIdentity({ projectName: "xs_esp32", version: "nightly+ohxs" })),
			"image_bad_version",
		);
		assert.equal(
			code(() => checkIdentity({ projectName: "xs_esp32", version: "1.0.0+x.ohxs" })),
			"image_not_ohxs",
		);
	});
	it("refuses a downgrade or a lower secure_version unless explicitly allowed", () => {
		const policy = { running: "1.2.0+ohxs", runningSecureVersion: 2 };
		assert.equal(
			code(() => checkUpgrade(v("1.1.9+ohxs"), 2, policy)),
			"image_downgrade",
		);
		assert.equal(
			code(() => checkUpgrade(v("1.2.0-rc.1+ohxs"), 2, policy)),
			"image_downgrade",
		);
		assert.equal(
			code(() => checkUpgrade(v("1.2.0+ohxs"), 2, policy)),
			"accepted",
			"the same version may be reinstalled",
		);
		assert.equal(
			code(() => checkUpgrade(v("1.3.0+ohxs"), 1, policy)),
			"image_secure_version_lower",
		);
		assert.equal(
			code(() => checkUpgrade(v("1.1.0+ohxs"), 2, { ...policy, allowDowngrade: true })),
			"accepted",
		);
		assert.equal(
			code(() => checkUpgrade(v("1.3.0+ohxs"), 1, { ...policy, allowLowerSecureVersion: true })),
			"accepted",
		);
	});
});
