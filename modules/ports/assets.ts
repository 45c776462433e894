/*
 * The web app's files, as the firmware serves them: compressed at build
 * time (scripts/build-web.mjs writes web/dist/), stored in the firmware's
 * resources on the board and in mcsim (platform/moddable/assets) and read
 * from web/dist/ by the simulator (host/adapters/file-assets).
 */

import type { BodySource } from "api/http";

export interface Asset {
	/** The gzip-compressed bytes. A BodySource is read once: get() returns a fresh one each time. */
	bytes: Uint8Array | BodySource;
	/** Content type of the uncompressed file, e.g. "text/html; charset=utf-8". */
	contentType: string;
	/** Always true: every file is stored gzip-compressed and sent with content-encoding: gzip. */
	gzip: true;
	/** Strong validator of the content (a digest), for ETag / If-None-Match. */
	etag?: string;
	/** The name carries a content hash: the file never changes under this path. */
	immutable?: boolean;
}

export interface AssetSource {
	/** The file at a request path ("/index.html", "/app.1a2b3c4d.js"), or undefined. */
	get(path: string): Asset | undefined;
	/** Every request path this source serves (for route registration). */
	paths(): string[];
}

/** The entry in web/dist/asset-index.txt (JSON) for one file. */
export interface AssetIndexEntry {
	/** Request path, starting with "/". */
	path: string;
	/** File name of the compressed bytes in web/dist/ (and the resource name on the device). */
	file: string;
	type: string;
	/** Uncompressed size in bytes. */
	size: number;
	/** Compressed size in bytes. */
	gzipSize: number;
	etag: string;
	immutable: boolean;
}

export interface AssetIndex {
	files: AssetIndexEntry[];
	/** Sum of gzipSize over files. */
	totalGzip: number;
}

/** The name of the index among the compressed files. Not .json: mcconfig would take that for a module. */
export const ASSET_INDEX_NAME = "asset-index.txt";

/** Parse the index text; throws on a malformed one. */
export function parseAssetIndex(text: string): AssetIndex {
	const value = JSON.parse(text) as AssetIndex;
	if (!value || !Array.isArray(value.files)) throw new TypeError("asset index: no files");
	for (const f of value.files) {
		if (typeof f.path !== "string" || !f.path.startsWith("/") || typeof f.file !== "string" || typeof f.type !== "string")
			throw new TypeError("asset index: bad entry");
	}
	return value;
}
