/*
 * One error format for every failure: {"error": {"code", "message"}} with
 * the right status. Codes are stable identifiers clients may switch on;
 * messages are for people.
 */

import type { Response } from "api/http";

export class HttpError extends Error {
	// A field (defined, not assigned): preloaded modules freeze Error.prototype, where assigning name would fail.
	override readonly name = "HttpError";
	readonly status: number;
	readonly code: string;
	readonly extra?: Record<string, unknown>;
	constructor(status: number, code: string, message: string, extra?: Record<string, unknown>) {
		super(message);
		this.status = status;
		this.code = code;
		this.extra = extra;
	}
}

export function jsonResponse(status: number, value: unknown, headers: [string, string][] = []): Response {
	return {
		status,
		headers: [["content-type", "application/json"], ["cache-control", "no-store"], ...headers],
		body: JSON.stringify(value),
	};
}

export function errorResponse(status: number, code: string, message: string, extra?: Record<string, unknown>): Response {
	return jsonResponse(status, { ...extra, error: { code, message } });
}

export function errorFrom(error: unknown): Response {
	if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.extra);
	const message = error instanceof Error ? error.message : String(error);
	return errorResponse(500, "internal", `The device hit an unexpected error: ${message}`);
}
