/*
 * Serves the web app (web/, built by scripts/build-web.mjs) from an asset
 * port: every file gzip-compressed as stored, with content-encoding: gzip,
 * a cache policy and an ETag. Runs on XS: no Node, no DOM.
 *
 *   registerAssetRoutes(router, assets)
 *
 * - GET / and GET /index.html: the app (cache-control: no-cache, so a
 *   firmware update brings the new app at once; the ETag makes the
 *   revalidation a 304).
 * - GET of every other file: its content-hashed name never changes, so it
 *   is cached for a year (immutable).
 * - GET of any other path outside /api/ that does not look like a missing
 *   script, style or image: the app's index.html, so a captive-portal probe
 *   (/generate_204, /hotspot-detect.html, ...) or a bookmarked deep link
 *   lands on the app. This is a router guard that runs only when no route
 *   matched, after the Host, CORS and auth guards.
 */

import type { Response } from "api/http";
import type { Guard, Router } from "api/router";
import type { Asset, AssetSource } from "ports/assets";
import { frozen } from "util/frozen";
import { apiErrorResponse } from "api/error-codes";

export const INDEX_PATH = "/index.html";

const SECURITY_HEADERS = frozen<[string, string][]>([
	["x-content-type-options", "nosniff"],
	["referrer-policy", "no-referrer"],
]);

/** The app's own policy: nothing from elsewhere, no framing by other sites. */
export const CONTENT_SECURITY_POLICY =
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function assetResponse(asset: Asset, ifNoneMatch: string | undefined, isIndex: boolean): Response {
	const headers: [string, string][] = [
		["cache-control", asset.immutable && !isIndex ? "public, max-age=31536000, immutable" : "no-cache"],
		...SECURITY_HEADERS.map(([name, value]): [string, string] => [name, value]), // fresh pairs: the response is the caller's to change
	];
	if (asset.etag) headers.push(["etag", `"${asset.etag}"`]);
	if (isIndex) headers.push(["content-security-policy", CONTENT_SECURITY_POLICY], ["x-frame-options", "DENY"]);
	if (asset.etag && ifNoneMatch !== undefined && etagMatches(ifNoneMatch, asset.etag)) return { status: 304, headers };
	headers.push(["content-type", asset.contentType], ["content-encoding", "gzip"], ["vary", "accept-encoding"]);
	return { status: 200, headers, body: asset.bytes };
}

function etagMatches(header: string, etag: string): boolean {
	return header.split(",").some((t) => {
		const v = t.trim().replace(/^W\//, "");
		return v === "*" || v === `"${etag}"`;
	});
}

function notBuilt(): Response {
	return apiErrorResponse("web_app_missing", "The web app is not part of this firmware build (run npm run build:web before building).");
}

/** Whether an unmatched GET path should be answered with the app (paths that look like files get a 404). */
export function servesApp(path: string): boolean {
	// A literal in the function is a new RegExp per call; at module level it would be preloaded (docs/preload-hazards.md).
	const fileLike = /\.(js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|json|webmanifest|wasm|bin|gz)$/i;
	return !(path === "/api" || path.startsWith("/api/")) && !fileLike.test(path);
}

export function registerAssetRoutes(router: Router, assets: AssetSource): void {
	const serveIndex = (ifNoneMatch: string | undefined): Response => {
		const index = assets.get(INDEX_PATH);
		return index ? assetResponse(index, ifNoneMatch, true) : notBuilt();
	};
	router.add({ method: "GET", path: "/", handle: (req) => serveIndex(req.headers["if-none-match"]) });
	for (const path of assets.paths()) {
		if (path === "/") continue;
		router.add({
			method: "GET",
			path,
			handle: (req) => {
				if (path === INDEX_PATH) return serveIndex(req.headers["if-none-match"]);
				const asset = assets.get(path);
				return asset ? assetResponse(asset, req.headers["if-none-match"], false) : apiErrorResponse("not_found", `Nothing at ${path}.`);
			},
		});
	}
	router.guard(appFallback(assets, serveIndex));
}

/** For GETs no route matched: a file added since the routes were registered, or the app. */
function appFallback(assets: AssetSource, serveIndex: (ifNoneMatch: string | undefined) => Response): Guard {
	return (req, route) => {
		if (route || req.method !== "GET") return undefined;
		if (req.path === "/api" || req.path.startsWith("/api/")) return undefined;
		const asset = assets.get(req.path);
		if (asset) return assetResponse(asset, req.headers["if-none-match"], req.path === INDEX_PATH);
		return servesApp(req.path) ? serveIndex(req.headers["if-none-match"]) : undefined;
	};
}
