/* The web app's build: the size budget, nothing from elsewhere, the simulator's asset port (the factory curves come from the firmware's own haldex/curve). */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { assert } from "chai";
import { BUDGET_BYTES, buildWeb } from "../../scripts/build-web.mjs";
import { fileAssets } from "../../host/adapters/file-assets";
import { ASSET_INDEX_NAME } from "ports/assets";

describe("web app build", function () {
	this.timeout(30_000);
	let dir: string;
	let index: Awaited<ReturnType<typeof buildWeb>>;

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-web-"));
		index = await buildWeb({ outDir: dir, quiet: true });
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it(`stays within ${BUDGET_BYTES / 1024} KB compressed`, () => {
		const onDisk = fs
			.readdirSync(dir)
			.filter((f) => f.endsWith(".gz"))
			.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
		assert.equal(onDisk, index.totalGzip);
		assert.isAtMost(index.totalGzip, BUDGET_BYTES);
		console.log(`      web app: ${(index.totalGzip / 1024).toFixed(1)} KB compressed`);
	});

	it("matches the committed web/dist/ byte for byte (plain mcconfig on a fresh clone builds with it; run npm run build:web after changing web/)", () => {
		const committed = path.join(path.dirname(new URL(import.meta.url).pathname), "../../web/dist");
		assert.sameMembers(fs.readdirSync(committed), fs.readdirSync(dir), "the same files");
		for (const f of fs.readdirSync(dir))
			assert.isTrue(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(committed, f))), `web/dist/${f} is stale: run npm run build:web`);
	});

	it("writes gzip files and an index the firmware can read (not .json: mcconfig takes that for a module)", () => {
		assert.isTrue(fs.existsSync(path.join(dir, ASSET_INDEX_NAME)));
		assert.deepEqual(
			index.files.map((f) => f.path.replace(/\.[0-9a-f]{10}\./, ".HASH.")),
			["/index.html", "/app.HASH.js", "/app.HASH.css"],
		);
		for (const f of index.files) {
			const raw = zlib.gunzipSync(fs.readFileSync(path.join(dir, f.file)));
			assert.equal(raw.length, f.size, f.path);
		}
	});

	it("loads nothing from elsewhere (no CDN, no external fonts)", () => {
		for (const f of index.files) {
			const text = zlib.gunzipSync(fs.readFileSync(path.join(dir, f.file))).toString("utf8");
			assert.notMatch(text, /(src|href)=["']?(https?:)?\/\//i, f.path);
			assert.notMatch(text, /url\(\s*["']?(https?:)?\/\//i, f.path);
			assert.notMatch(text, /@import|fonts\.googleapis|cdn\./i, f.path);
		}
		const html = zlib.gunzipSync(fs.readFileSync(path.join(dir, "index.html.gz"))).toString("utf8");
		assert.match(html, /<script defer src="\/app\.[0-9a-f]{10}\.js"><\/script>/);
	});

	it("is served by the simulator's asset port from the build folder", () => {
		const assets = fileAssets(dir);
		assert.sameMembers(
			assets.paths(),
			index.files.map((f) => f.path),
		);
		const html = assets.get("/index.html")!;
		assert.equal(html.contentType, "text/html; charset=utf-8");
		assert.isTrue(html.gzip);
		assert.match(zlib.gunzipSync(html.bytes as Uint8Array).toString(), /<title>OpenHaldex<\/title>/);
		assert.isUndefined(assets.get("/missing.js"));
		const empty = fileAssets(path.join(dir, "nope"));
		assert.match(zlib.gunzipSync(empty.get("/index.html")!.bytes as Uint8Array).toString(), /npm run build:web/);
	});
});
