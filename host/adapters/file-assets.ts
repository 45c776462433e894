/*
 * The simulator's asset port: the compressed web app in web/dist/ (written
 * by scripts/build-web.mjs). The index is re-read when it changes, so
 * `npm run build:web` while the simulator runs is picked up on the next
 * page load. When the app has not been built, "/" answers a short page that
 * says how to build it.
 */

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ASSET_INDEX_NAME, parseAssetIndex, type Asset, type AssetIndex, type AssetSource } from "ports/assets";

export function fileAssets(dir: string): AssetSource {
	let loadedMtime = -1;
	let index: AssetIndex = { files: [], totalGzip: 0 };
	const cache = new Map<string, Uint8Array>();
	const missing = zlib.gzipSync(
		Buffer.from(
			"<!doctype html><meta charset=utf-8><title>OpenHaldex</title><p>The web app is not built. Run <code>npm run build:web</code> (npm start does it) and reload.</p>",
		),
	);

	function refresh(): void {
		let mtime: number;
		try {
			mtime = fs.statSync(path.join(dir, ASSET_INDEX_NAME)).mtimeMs;
		} catch {
			mtime = -2;
		}
		if (mtime === loadedMtime) return;
		loadedMtime = mtime;
		cache.clear();
		index = mtime === -2 ? { files: [], totalGzip: 0 } : parseAssetIndex(fs.readFileSync(path.join(dir, ASSET_INDEX_NAME), "utf8"));
	}

	return {
		get(requestPath: string): Asset | undefined {
			refresh();
			const entry = index.files.find((f) => f.path === requestPath);
			if (!entry) {
				if (!index.files.length && requestPath === "/index.html")
					return { bytes: new Uint8Array(missing), contentType: "text/html; charset=utf-8", gzip: true };
				return undefined;
			}
			let bytes = cache.get(entry.file);
			if (!bytes) {
				bytes = new Uint8Array(fs.readFileSync(path.join(dir, entry.file)));
				cache.set(entry.file, bytes);
			}
			return { bytes, contentType: entry.type, gzip: true, etag: entry.etag, immutable: entry.immutable };
		},
		paths(): string[] {
			refresh();
			return index.files.length ? index.files.map((f) => f.path) : ["/index.html"];
		},
	};
}
