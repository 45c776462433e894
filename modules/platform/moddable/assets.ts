/*
 * The board's and mcsim's asset port: the compressed web app stored as
 * resources (manifest.json "resources" takes web/dist/*, which
 * scripts/build-web.mjs writes before mcconfig runs). Resources live in
 * flash (memory-mapped on the ESP32): a response reads them in pieces, so
 * a file never sits whole in RAM.
 */

import Resource from "Resource";
import type { BodySource } from "api/http";
import { ASSET_INDEX_NAME, parseAssetIndex, type Asset, type AssetIndexEntry, type AssetSource } from "ports/assets";
import { utf8Decode } from "util/utf8";

/** An instance (the SDK's typings declare Resource as a constructor value, the npm ones as a class). */
type ResourceBuffer = InstanceType<typeof Resource>;

class ResourceBody implements BodySource {
	readonly #resource: ResourceBuffer;
	#at = 0;
	readonly length: number;
	constructor(resource: ResourceBuffer) {
		this.#resource = resource;
		this.length = resource.byteLength;
	}
	read(max: number): Uint8Array | undefined {
		if (this.#at >= this.length) return undefined;
		const end = Math.min(this.length, this.#at + max);
		const piece = new Uint8Array(this.#resource.slice(this.#at, end));
		this.#at = end;
		return piece;
	}
}

export function resourceAssets(): AssetSource {
	let files: AssetIndexEntry[] = [];
	if (Resource.exists(ASSET_INDEX_NAME)) {
		try {
			files = parseAssetIndex(utf8Decode(new Uint8Array(new Resource(ASSET_INDEX_NAME).slice(0)))).files;
		} catch (e) {
			trace(`web assets: unreadable index: ${e instanceof Error ? e.message : String(e)}\n`);
		}
	} else trace("web assets: no web app in this build (run npm run build:web)\n");
	return {
		get(path: string): Asset | undefined {
			const entry = files.find((f) => f.path === path);
			if (!entry || !Resource.exists(entry.file)) return undefined;
			return { bytes: new ResourceBody(new Resource(entry.file)), contentType: entry.type, gzip: true, etag: entry.etag, immutable: entry.immutable };
		},
		paths: () => files.map((f) => f.path),
	};
}
