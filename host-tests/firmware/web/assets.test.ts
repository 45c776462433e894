/* Specification of web/assets: serving the compressed web app from an asset port. Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { Router } from "api/router";
import { header, type BodySource } from "api/http";
import { registerAssetRoutes, servesApp } from "web/assets";
import type { Asset, AssetSource } from "ports/assets";

const INDEX = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);
const JS = new Uint8Array([0x1f, 0x8b, 9, 9]);

function source(files: Record<string, { bytes: Uint8Array; type: string; immutable?: boolean }>): AssetSource {
	return {
		get(path: string): Asset | undefined {
			const f = files[path];
			if (!f) return undefined;
			let at = 0;
			const body: BodySource = {
				length: f.bytes.length,
				read: (max) => {
					if (at >= f.bytes.length) return undefined;
					const p = f.bytes.subarray(at, at + max);
					at += p.length;
					return p;
				},
			};
			return { bytes: path.endsWith(".js") ? body : f.bytes, contentType: f.type, gzip: true, etag: `e${path.length}`, immutable: f.immutable };
		},
		paths: () => Object.keys(files),
	};
}

describe("web/assets", () => {
	let router: Router;
	const get = (target: string, headers: Record<string, string> = {}) => router.handle({ method: "GET", target, headers });

	beforeEach(() => {
		router = new Router();
		router.add({ method: "GET", path: "/api/status", handle: () => ({ status: 200, body: "{}" }) });
		router.add({ method: "POST", path: "/api/mode", handle: () => ({ status: 200, body: "{}" }) });
		registerAssetRoutes(
			router,
			source({
				"/index.html": { bytes: INDEX, type: "text/html; charset=utf-8" },
				"/app.abc.js": { bytes: JS, type: "text/javascript; charset=utf-8", immutable: true },
			}),
		);
	});

	it("answers / with index.html, gzip-encoded, revalidated on every load", () => {
		const res = get("/");
		assert.equal(res.status, 200);
		assert.deepEqual(res.body, INDEX);
		assert.equal(header(res, "content-encoding"), "gzip");
		assert.equal(header(res, "content-type"), "text/html; charset=utf-8");
		assert.equal(header(res, "cache-control"), "no-cache");
		assert.include(header(res, "content-security-policy")!, "default-src 'self'");
	});

	it("serves a hashed file as immutable, streamed from the port", () => {
		const res = get("/app.abc.js");
		assert.equal(res.status, 200);
		assert.equal(header(res, "cache-control"), "public, max-age=31536000, immutable");
		const body = res.body as BodySource;
		assert.equal(body.length, 4);
		assert.deepEqual(body.read(100), JS);
	});

	it("answers 304 to a matching If-None-Match", () => {
		const res = get("/", { "if-none-match": `"e11"` });
		assert.equal(res.status, 304);
		assert.equal(res.body, undefined);
		assert.equal(header(res, "etag"), `"e11"`);
	});

	it("answers the app for unknown non-API paths (captive-portal probes, deep links)", () => {
		for (const p of ["/generate_204", "/hotspot-detect.html", "/tuning", "/connecttest.txt"]) {
			const res = get(p);
			assert.equal(res.status, 200, p);
			assert.deepEqual(res.body, INDEX, p);
		}
	});

	it("leaves /api paths, missing scripts and other methods to the router", () => {
		assert.equal(get("/api/nothing").status, 404);
		assert.equal(get("/api/mode").status, 405);
		assert.equal(get("/api/status").status, 200);
		assert.equal(get("/app.old.js").status, 404);
		assert.equal(router.handle({ method: "POST", target: "/elsewhere", headers: {} }).status, 404);
		assert.isFalse(servesApp("/api"));
		assert.isFalse(servesApp("/favicon.ico"));
		assert.isTrue(servesApp("/"));
	});

	it("answers 503 web_app_missing when the build has no web app", () => {
		router = new Router();
		registerAssetRoutes(router, source({}));
		const res = get("/");
		assert.equal(res.status, 503);
		assert.include(res.body as string, "web_app_missing");
	});
});
