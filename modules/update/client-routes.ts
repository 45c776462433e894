/*
 * The update client over HTTP, beside the update service's /api/update routes (update/routes):
 *   GET  /api/update/server          server URL, module, tokenSet (never the token)
 *   POST /api/update/server   auth   {url?, module?, token?}
 *   POST /api/update/check    auth   start a check (?allowDowngrade=1 to accept an older version)
 *   GET  /api/update/remote          the last check, the offer and the download in detail
 *   POST /api/update/images/fetch auth {url, sha256?, size?, allowDowngrade?}
 * and the factory the firmware's composition calls (createUpdateClient).
 */

import { jsonResponse } from "api/errors";
import type { Router } from "api/router";
import { parseHttpUrl, isSafeHeaderValue } from "ports/http-client";
import { fromHex } from "util/hex";
import type { UpdateService } from "update/service";
import { UpdateClient, type UpdateClientDeps, type UpdateClientOptions } from "update/client";
import { apiError } from "api/error-codes";

/** What createUpdateClient needs from the platform (the firmware's Platform plus an HTTP client). */
export type UpdateClientPlatform = Pick<UpdateClientDeps, "http" | "store" | "clock" | "timers" | "logger" | "runningVersion">;

/** Whether the board is online (station joined with an IP) and whether the car is moving. */
export type UpdateClientInputs = Pick<UpdateClientDeps, "online" | "isDriving">;

/** Build the client and arm its daily check. Pass it as UpdateService's `remote`, then call registerUpdateClientRoutes. */
export function createUpdateClient(platform: UpdateClientPlatform, inputs: UpdateClientInputs, options: Partial<UpdateClientOptions> = {}): UpdateClient {
	const client = new UpdateClient(
		{
			http: platform.http,
			store: platform.store,
			clock: platform.clock,
			timers: platform.timers,
			logger: platform.logger,
			runningVersion: () => platform.runningVersion(),
			online: () => inputs.online(),
			isDriving: () => inputs.isDriving(),
		},
		options,
	);
	client.start();
	return client;
}

const MAX_FETCH_URL = 512;

export function registerUpdateClientRoutes(router: Router, client: UpdateClient, service: UpdateService): void {
	router.add({ method: "GET", path: "/api/update/server", handle: () => jsonResponse(200, client.settings()) });
	router.add({
		method: "POST",
		path: "/api/update/server",
		auth: true,
		body: "json",
		handle: (_req, body) => jsonResponse(200, client.configure(body ?? {})),
	});
	router.add({
		method: "POST",
		path: "/api/update/check",
		auth: true,
		handle: (req) => {
			const allowDowngrade = req.query.allowDowngrade === "1" || req.query.allowDowngrade === "true";
			const running = client.check({ allowDowngrade });
			return jsonResponse(running ? 202 : 200, client.summary());
		},
	});
	router.add({ method: "GET", path: "/api/update/remote", handle: () => jsonResponse(200, client.remoteStatus()) });
	router.add({
		method: "POST",
		path: "/api/update/images/fetch",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const b = (typeof body === "object" && body !== null ? body : {}) as { url?: unknown; sha256?: unknown; size?: unknown; allowDowngrade?: unknown };
			if (typeof b.url !== "string" || b.url.length > MAX_FETCH_URL || !isSafeHeaderValue(b.url) || !parseHttpUrl(b.url))
				throw apiError("invalid_url", `"url" must be an http:// or https:// address of at most ${MAX_FETCH_URL} characters.`, { field: "url" });
			let expectedSha256: Uint8Array | undefined;
			if (b.sha256 !== undefined) {
				expectedSha256 = typeof b.sha256 === "string" && b.sha256.length === 64 ? fromHex(b.sha256) : undefined;
				if (!expectedSha256) throw apiError("invalid_sha256", "The expected SHA-256 must be 64 hex digits.", { field: "sha256" });
			}
			if (b.size !== undefined && !(typeof b.size === "number" && Number.isSafeInteger(b.size) && b.size > 0))
				throw apiError("invalid_size", '"size" must be the file\'s length in bytes.', { field: "size" });
			if (b.allowDowngrade !== undefined && typeof b.allowDowngrade !== "boolean")
				throw apiError("invalid_option", '"allowDowngrade" must be true or false.', { field: "allowDowngrade" });
			client.fetch(b.url, (options) => service.beginTransfer("fetch", options), {
				expectedSha256,
				total: b.size as number | undefined,
				allowDowngrade: b.allowDowngrade === true || undefined,
			});
			const image = service.images()[0];
			return jsonResponse(202, { ...image, download: client.downloadStatus() ?? null }, image ? [["location", `/api/update/images/${image.id}`]] : []);
		},
	});
}
