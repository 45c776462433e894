/*
 * /api/update over HTTP: the system-update API's images and lifecycle resources and
 * OpenHaldex-S3's flat status and one-call install (OpenHaldex's update API). Reads are
 * open; every change needs the admin password (auth: true).
 */

import { errorFrom, errorResponse, jsonResponse } from "api/errors";
import type { Response } from "api/http";
import type { Router } from "api/router";
import type { Clock } from "ports/clock";
import { fromHex } from "util/hex";
import type { UpdateService } from "update/service";
import { apiError } from "api/error-codes";
import { MultipartFileSink, boundaryOf } from "api/multipart";

export interface UpdateRouteOptions {
	/** The largest image a slot takes: bigger uploads are refused (413) from their content-length. */
	slotSize: number;
	clock: Clock;
}

const noContent = (afterSend?: () => void): Response => ({ status: 204, afterSend });

/** Room for a form's boundaries and part headers around the file (S3's uploaders send one part). */
const MULTIPART_ENVELOPE = 16 * 1024;

export function registerUpdateRoutes(router: Router, service: UpdateService, options: UpdateRouteOptions): void {
	router.add({ method: "GET", path: "/api/update", handle: () => jsonResponse(200, service.status()) });
	router.add({ method: "GET", path: "/api/update/images", handle: () => jsonResponse(200, { items: service.images() }) });
	router.add({ method: "GET", path: "/api/update/images/{id}", handle: (req) => jsonResponse(200, service.image(imageId(req.params.id))) });
	router.add({
		method: "DELETE",
		path: "/api/update/images/{id}",
		auth: true,
		handle: (req) => {
			service.deleteImage(imageId(req.params.id));
			return noContent();
		},
	});
	router.add({
		method: "POST",
		path: "/api/update/images/upload",
		auth: true,
		body: "stream",
		contentTypes: ["application/octet-stream"],
		maxBody: options.slotSize,
		stream: (req, contentLength) => {
			if (contentLength === undefined || contentLength === 0) throw apiError("length_required", "Send the firmware file with a content-length.");
			const expected = req.headers["x-expected-sha256"] ?? req.query.sha256;
			let expectedSha256: Uint8Array | undefined;
			if (expected !== undefined) {
				expectedSha256 = expected.length === 64 ? fromHex(expected) : undefined;
				if (!expectedSha256)
					throw apiError("invalid_sha256", "The expected SHA-256 must be 64 hex digits (the x-expected-sha256 header or ?sha256=).", {
						field: req.headers["x-expected-sha256"] !== undefined ? "x-expected-sha256" : "sha256",
					});
			}
			const allowDowngrade = req.query.allowDowngrade === "1" || req.query.allowDowngrade === "true";
			return service.beginTransfer("upload", { expectedSha256, total: contentLength, allowDowngrade });
		},
	});
	// OpenHaldex-S3's upload (and a browser form's, curl -F's, ElegantOTA-style uploaders'): the same
	// upload as above, the file being the form's first part with a filename. It stages; it does not install.
	router.add({
		method: "POST",
		path: "/ota/update",
		auth: true,
		body: "stream",
		contentTypes: ["multipart/form-data"],
		maxBody: options.slotSize + MULTIPART_ENVELOPE,
		stream: (req, contentLength) => {
			if (contentLength === undefined || contentLength === 0) throw apiError("length_required", "Send the form with a content-length.");
			const boundary = boundaryOf(req.headers["content-type"]);
			if (!boundary) throw apiError("bad_request", "The multipart/form-data content type has no usable boundary parameter.");
			const allowDowngrade = req.query.allowDowngrade === "1" || req.query.allowDowngrade === "true";
			// The file's own size is not known before its closing boundary: the validator checks the image's structure instead.
			return new MultipartFileSink(boundary, service.beginTransfer("upload", { allowDowngrade }));
		},
	});
	router.add({
		method: "POST",
		path: "/api/update/init",
		auth: true,
		handle: () => {
			service.init();
			return noContent();
		},
	});
	router.add({ method: "POST", path: "/api/update/start", auth: true, handle: () => noContent(service.start()) });
	router.add({
		method: "POST",
		path: "/api/update/reset",
		auth: true,
		handle: () => {
			service.reset();
			return noContent();
		},
	});
	router.add({
		method: "POST",
		path: "/api/update/install",
		auth: true,
		handle: () => {
			try {
				const restart = service.install();
				return { ...jsonResponse(200, { started: true }), afterSend: restart };
			} catch (e) {
				const res = errorFrom(e);
				const body = JSON.parse(res.body as string);
				return errorResponse(res.status, body.error.code, body.error.message, { started: false });
			}
		},
	});
	router.add({
		method: "POST",
		path: "/api/time",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const epochMs = (body as { epochMs?: unknown } | undefined)?.epochMs;
			// 2024-01-01 .. 2100-01-01: anything else is a phone with a broken clock.
			if (typeof epochMs !== "number" || !(epochMs >= 1_704_067_200_000 && epochMs < 4_102_444_800_000))
				throw apiError("invalid_time", "epochMs must be the current time in milliseconds since 1970.", { field: "epochMs" });
			const accepted = options.clock.setWallMs(epochMs, "browser");
			return jsonResponse(200, { accepted, source: options.clock.source(), epochMs: options.clock.wallMs() });
		},
	});
}

function imageId(text: string): number {
	const id = /^\d{1,9}$/.test(text) ? parseInt(text, 10) : NaN;
	if (!(id > 0)) throw apiError("image_not_found", `There is no image ${text}.`);
	return id;
}
