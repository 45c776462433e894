/* Specification of the OTA file list parser and the version choice (modules/update/release-list). Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { chooseUpdate, parseOtaFileList, type OtaFile } from "update/release-list";

const f = (version: string, o: Partial<OtaFile> = {}): OtaFile => ({ id: version, version, module: "ohx", isActive: true, ...o });
const SHA = "ab".repeat(32);

describe("update/release-list", () => {
	describe("parseOtaFileList", () => {
		it("reads the seed's example shape, ids as numbers or strings", () => {
			const r = parseOtaFileList(
				JSON.stringify([
					{ id: "12345", version: "1.2.3", module: "display-app", isActive: true, extra: 1 },
					{ id: 67890, version: "1.3.0", module: "display-app", isActive: 1, sha256: SHA.toUpperCase(), size: 4096 },
				]),
			);
			assert.deepEqual(r, {
				ok: true,
				skipped: 0,
				files: [
					{ id: "12345", version: "1.2.3", module: "display-app", isActive: true },
					{ id: "67890", version: "1.3.0", module: "display-app", isActive: true, sha256: SHA, size: 4096 },
				],
			});
		});
		it("calls text that is not JSON malformed", () => {
			const r = parseOtaFileList("<html>502 Bad Gateway</html>");
			assert.isFalse(r.ok);
			assert.match((r as { message: string }).message, /not valid JSON/);
		});
		it("calls JSON that is not an array malformed", () => {
			for (const text of ['{"items":[]}', "null", '"1.2.3"', "42"]) {
				const r = parseOtaFileList(text);
				assert.isFalse(r.ok, text);
				assert.match((r as { message: string }).message, /not a JSON array/, text);
			}
		});
		it("skips and counts entries without an id, a SemVer version, a module, or with a bad sha256 or size", () => {
			const r = parseOtaFileList(
				JSON.stringify([
					null,
					7,
					[],
					{ version: "1.0.0", module: "m" },
					{ id: "a/b", version: "1.0.0", module: "m" },
					{ id: 1, version: "latest", module: "m" },
					{ id: 2, version: "1.0", module: "m" },
					{ id: 3, version: "1.0.0" },
					{ id: 4, version: "1.0.0", module: "m", sha256: "abc" },
					{ id: 5, version: "1.0.0", module: "m", size: -1 },
					{ id: 6, version: "1.0.0", module: "m", size: 1.5 },
					{ id: 7, version: "v1.0.0+ohxs", module: "m", sha256: null },
				]),
			);
			assert.isTrue(r.ok);
			if (!r.ok) return;
			assert.equal(r.skipped, 11);
			assert.deepEqual(
				r.files.map((x) => x.id),
				["7"],
			);
		});
		it('reads isActive as true only for true, 1, "1" and "true"', () => {
			const r = parseOtaFileList(
				JSON.stringify([true, 1, "1", "true", false, 0, "0", "yes", null].map((isActive, i) => ({ id: i, version: "1.0.0", module: "m", isActive }))),
			);
			assert.deepEqual(r.ok && r.files.map((x) => x.isActive), [true, true, true, true, false, false, false, false, false]);
		});
	});

	describe("chooseUpdate", () => {
		it("offers the highest version above the running one", () => {
			const c = chooseUpdate([f("1.2.4"), f("1.10.0"), f("1.9.9")], "ohx", "1.2.3+ohxs");
			assert.equal(c.offer?.version, "1.10.0");
			assert.equal(c.latest?.version, "1.10.0");
			assert.isFalse(c.downgrade);
		});
		it("compares plain versions with +ohxs ones ignoring the build metadata", () => {
			assert.isUndefined(chooseUpdate([f("1.2.3")], "ohx", "1.2.3+ohxs").offer, "same version is no update");
			assert.equal(chooseUpdate([f("1.2.4+ohxs")], "ohx", "1.2.3+ohxs").offer?.version, "1.2.4+ohxs");
		});
		it("ranks a pre-release below its release", () => {
			assert.isUndefined(chooseUpdate([f("1.3.0-rc.1")], "ohx", "1.3.0+ohxs").offer);
			assert.equal(chooseUpdate([f("1.3.0-rc.1"), f("1.3.0-rc.2")], "ohx", "1.2.9+ohxs").offer?.version, "1.3.0-rc.2");
		});
		it("never offers a downgrade unless asked, and then the server's highest", () => {
			const files = [f("1.1.0"), f("1.0.0")];
			const c = chooseUpdate(files, "ohx", "1.2.3+ohxs");
			assert.isUndefined(c.offer);
			assert.equal(c.latest?.version, "1.1.0", "latest still shows what the server has");
			const d = chooseUpdate(files, "ohx", "1.2.3+ohxs", true);
			assert.equal(d.offer?.version, "1.1.0");
			assert.isTrue(d.downgrade);
		});
		it("does not call the running version a downgrade when asked for one", () => {
			assert.isUndefined(chooseUpdate([f("1.2.3")], "ohx", "1.2.3+ohxs", true).offer);
		});
		it("ignores other modules and inactive files", () => {
			const c = chooseUpdate([f("9.0.0", { module: "display-app" }), f("8.0.0", { isActive: false }), f("1.3.0")], "ohx", "1.2.3+ohxs");
			assert.equal(c.offer?.version, "1.3.0");
		});
		it("offers nothing when the server has nothing for the module", () => {
			assert.deepEqual(chooseUpdate([], "ohx", "1.2.3+ohxs"), { downgrade: false });
		});
	});
});
