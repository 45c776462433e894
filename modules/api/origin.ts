/*
 * Which names the device answers to, and which pages may call it.
 *
 * DNS rebinding: a page on evil.example can make its own name resolve to
 * the board's address; the browser then sends Host: evil.example. Only the
 * device's own names and addresses reach a route: an API request with
 * another Host is refused with 421 before any route runs. A plain page
 * request with another Host is a phone's captive-portal probe (the access
 * point's DNS answers every name with the board): it is redirected to the
 * board's own address, where the app loads; it never reaches a route.
 *
 * CORS: the web app is served by the device itself, so cross-origin calls
 * are the exception. A preflight (OPTIONS) is answered without auth for
 * origins that are the device's own names; responses name that origin
 * explicitly, never "*".
 */

import { GET, HEAD, OPTIONS, type Response } from "api/http";
import type { Decorator, Guard, Router } from "api/router";
import { apiErrorResponse } from "api/error-codes";

/** The host names and addresses the device answers to (without ports), lower case. `fresh` rebuilds a cached list (a miss may be an address just gained). */
export type AllowedHosts = (fresh?: boolean) => string[];

const allows = (allowed: AllowedHosts, host: string) => allowed().includes(host) || allowed(true).includes(host);

// Every request runs the guards: they compare with these and api/http's method names, never with
// literals (in a preloaded function each string literal is a new copy in the chunk heap every time
// it runs; docs/preload-hazards.md).
const API = "/api",
	API_PREFIX = "/api/";

export function hostOf(value: string): string {
	const v = value.trim().toLowerCase();
	if (v.startsWith("[")) return v.slice(0, v.indexOf("]") + 1); // [::1]:8080
	const colon = v.lastIndexOf(":");
	return colon >= 0 && v.indexOf(":") === colon ? v.slice(0, colon) : v;
}

export function hostGuard(allowed: AllowedHosts, portalUrl?: () => string): Guard {
	// The last Host judged good, and the list it was judged against: a phone polling sends the
	// same Host every time, and hostOf() makes two or three strings to judge it again.
	let goodHost: string | undefined;
	let goodFor: string[] | undefined;
	/** @hot */
	return (req) => {
		const host = req.headers.host;
		if (!host) return apiErrorResponse("host_missing", "The request has no Host header.");
		if (host === goodHost && allowed() === goodFor) return undefined;
		if (allows(allowed, hostOf(host))) {
			goodHost = host;
			goodFor = allowed();
			return undefined;
		}
		const api = req.path === API || req.path.startsWith(API_PREFIX);
		if (portalUrl && !api && (req.method === GET || req.method === HEAD))
			return {
				status: 302,
				headers: [
					["location", portalUrl()],
					["cache-control", "no-store"],
				],
				body: "",
			};
		return apiErrorResponse("host_not_allowed", `This device answers as ${allowed().join(", ")}, not ${host}.`);
	};
}

/**
 * Whether an Origin is one of the device's own pages: http, one of its names
 * or addresses, and its own HTTP port (no port = 80). http://127.0.0.1:9999
 * or http://localhost:3000 is another program's page, not ours.
 */
export function ownOrigin(origin: string, allowed: AllowedHosts, port: number): boolean {
	const m = /^http:\/\/([^/?#@]+)$/i.exec(origin.trim());
	if (!m) return false;
	const authority = m[1].toLowerCase();
	const host = hostOf(authority);
	const rest = authority.slice(host.length);
	if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return false;
	const originPort = rest === "" ? 80 : Number(rest.slice(1));
	return originPort === port && allows(allowed, host);
}

const ALLOWED_HEADERS = "authorization, content-type, x-expected-sha256";

/** Answers preflights and refuses state changes from foreign origins. */
export function corsGuard(router: Router, allowed: AllowedHosts, port: number): Guard {
	/** @hot */
	return (req) => {
		const origin = req.headers.origin;
		const ok = origin !== undefined && ownOrigin(origin, allowed, port);
		if (req.method === OPTIONS) {
			if (!ok)
				return apiErrorResponse(
					"origin_not_allowed",
					`Cross-origin requests are accepted only from the device's own pages, not ${origin ?? "an unnamed origin"}.`,
				);
			const methods = router.methodsFor(req.path);
			if (!methods.length) return apiErrorResponse("not_found", `Nothing at ${req.path}.`);
			const res: Response = {
				status: 204,
				headers: [
					["access-control-allow-origin", origin!],
					["access-control-allow-methods", methods.join(", ")],
					["access-control-allow-headers", ALLOWED_HEADERS],
					["access-control-max-age", "600"],
					["vary", "Origin"],
				],
			};
			return res;
		}
		// A browser always sends Origin on a cross-origin write; refuse foreign ones outright.
		if (origin !== undefined && !ok && req.method !== GET && req.method !== HEAD)
			return apiErrorResponse("origin_not_allowed", `Changes are accepted only from the device's own pages, not ${origin}.`);
		return undefined;
	};
}

/** Adds Access-Control-Allow-Origin for the device's own origins. */
export function corsHeaders(allowed: AllowedHosts, port: number): Decorator {
	/** @hot */
	return (req, res) => {
		const origin = req.headers.origin;
		if (req.method === OPTIONS || origin === undefined || !ownOrigin(origin, allowed, port)) return res;
		return { ...res, headers: [...(res.headers ?? []), ["access-control-allow-origin", origin], ["vary", "Origin"]] };
	};
}
