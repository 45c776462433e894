/*
 * One error format for every failure: {"error": {"code", "message"}} with
 * the right status (api/error-codes), plus "field" (and "problems") inside
 * "error" when a value was refused. Codes are stable identifiers clients may switch on;
 * messages are for people.
 */

import type { BodySource, Response } from "api/http";
import { frozen } from "util/frozen";

export class HttpError extends Error {
	// A field (defined, not assigned): preloaded modules freeze Error.prototype, where assigning name would fail.
	override readonly name = "HttpError";
	readonly status: number;
	readonly code: string;
	/** Top-level fields beside "error" (OpenHaldex-S3's {"started": false}). */
	readonly extra?: Record<string, unknown>;
	/** Fields inside "error": "field" names the bad value, "problems" lists every one found. */
	readonly detail?: ErrorDetail;
	constructor(status: number, code: string, message: string, extra?: Record<string, unknown>, detail?: ErrorDetail) {
		super(message);
		this.status = status;
		this.code = code;
		this.extra = extra;
		this.detail = detail;
	}
}

export interface ErrorDetail {
	field?: string;
	problems?: { field: string; message: string }[];
}

// Shared by every JSON answer without headers of its own (frozen: a caller adding one makes a new list).
const JSON_HEADERS = frozen([
	["content-type", "application/json"],
	["cache-control", "no-store"],
]) as unknown as [string, string][];

/** A JSON answer whose body is already written (util/json-writer): the same headers as jsonResponse's. */
export function jsonBodyResponse(status: number, body: BodySource): Response {
	return { status, headers: JSON_HEADERS, body };
}

/** @hot */
export function jsonResponse(status: number, value: unknown, headers?: [string, string][]): Response {
	return { status, headers: headers?.length ? [...JSON_HEADERS, ...headers] : JSON_HEADERS, body: JSON.stringify(value) };
}

export function errorResponse(status: number, code: string, message: string, extra?: Record<string, unknown>, detail?: ErrorDetail): Response {
	return jsonResponse(status, { ...extra, error: { code, message, ...detail } });
}

export function errorFrom(error: unknown): Response {
	if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.extra, error.detail);
	const message = error instanceof Error ? error.message : String(error);
	return errorResponse(500, "internal", `The device hit an unexpected error: ${message}`);
}
