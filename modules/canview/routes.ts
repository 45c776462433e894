/*
 * The CAN view's endpoints (docs/api.md "CAN view"):
 *   GET  /api/can/live             the live table: one row per bus and ID, counts and drops
 *   POST /api/can/live             {paused?: boolean, filter?: ["280", ...]} (filter [] = every ID) (auth)
 *   GET  /api/can/signal?since=N   the watched signal's samples after sequence N
 *   POST /api/can/signal           {bus, id, startBit, length, scale?, offset?, forwarded?} or {} to stop (auth)
 *   GET  /api/can/capture.log      candump -l of the next ?seconds=1..600 (default 60), streamed
 *   GET  /api/can/gvret            the GVRET (SavvyCAN) server: port, clients, sending, counts
 *   POST /api/can/gvret            {sending: boolean} (auth): let GVRET clients send onto the buses
 * Reading is open to the access point like every other status; changing
 * what is captured (filter, pause, the watched signal) needs the password,
 * as every change does, and so does letting a client send onto the buses.
 */

import { jsonResponse } from "api/errors";
import { apiError } from "api/error-codes";
import type { Router } from "api/router";
import { CAPTURE_DEFAULT_SECONDS, CAPTURE_MAX_SECONDS, type CanView } from "canview/service";
import type { SignalSpec } from "canview/live";

export interface GvretInfo {
	/** The TCP port it listens on, or undefined when this build or platform serves none. */
	port: number | undefined;
}

/**
 * `view` makes the CanView on first use (or is undefined when the bridge
 * has no capture ring): a firmware whose CAN page nobody opens keeps none.
 */
export function registerCanViewRoutes(router: Router, view: (() => CanView) | undefined, gvret: GvretInfo): void {
	const need = (): CanView => {
		if (!view) throw apiError("no_capture", "The CAN bridge did not start, so there is nothing to capture.");
		return view();
	};
	router.add({
		method: "GET",
		path: "/api/can/live",
		handle: () => {
			const v = need();
			v.touchLive();
			return jsonResponse(200, liveBody(v), [["cache-control", "no-store"]]);
		},
	});
	router.add({
		method: "POST",
		path: "/api/can/live",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const v = need();
			const b = body as { paused?: unknown; filter?: unknown };
			for (const key of Object.keys(b))
				if (key !== "paused" && key !== "filter") throw apiError("invalid_can_filter", `Unknown field "${key}".`, { field: key });
			if (b.paused !== undefined && typeof b.paused !== "boolean") throw apiError("invalid_can_filter", "paused must be true or false.", { field: "paused" });
			const ids = b.filter === undefined ? undefined : parseIds(b.filter);
			if (b.paused !== undefined) v.setPaused(b.paused);
			if (ids) v.setFilter(ids);
			v.touchLive();
			return jsonResponse(200, liveBody(v));
		},
	});
	router.add({
		method: "GET",
		path: "/api/can/signal",
		handle: (req) => {
			const v = need();
			const since = req.query.since === undefined ? 0 : Number(req.query.since);
			if (!Number.isInteger(since) || since < 0) throw apiError("invalid_signal", "since must be a sample number (0 or more).", { field: "since" });
			v.touchLive();
			const s = v.live.signal;
			return jsonResponse(200, signalBody(s, v.live.samples(since)), [["cache-control", "no-store"]]);
		},
	});
	router.add({
		method: "POST",
		path: "/api/can/signal",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const v = need();
			const spec = parseSignal(body as Record<string, unknown>);
			v.live.watch(spec);
			v.touchLive();
			return jsonResponse(200, signalBody(spec, { next: 0, t: [], v: [] }));
		},
	});
	router.add({
		method: "GET",
		path: "/api/can/capture.log",
		handle: (req) => {
			const v = need();
			const seconds = req.query.seconds === undefined ? CAPTURE_DEFAULT_SECONDS : Number(req.query.seconds);
			if (!Number.isInteger(seconds) || seconds < 1 || seconds > CAPTURE_MAX_SECONDS)
				throw apiError("invalid_seconds", `seconds must be a whole number from 1 to ${CAPTURE_MAX_SECONDS}.`, { field: "seconds" });
			const source = v.openDownload(seconds);
			if (!source) throw apiError("capture_busy", "A capture download is already running; wait for it to end.");
			return {
				status: 200,
				headers: [
					["content-type", "text/plain; charset=utf-8"],
					["content-disposition", `attachment; filename="openhaldex-${seconds}s.log"`],
					["cache-control", "no-store"],
				],
				body: source,
			};
		},
	});
	router.add({ method: "GET", path: "/api/can/gvret", handle: () => jsonResponse(200, gvretBody(view?.(), gvret)) });
	router.add({
		method: "POST",
		path: "/api/can/gvret",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const v = need();
			const b = body as { sending?: unknown };
			if (Object.keys(b).length !== 1 || typeof b.sending !== "boolean")
				throw apiError("invalid_option", 'Send {"sending": true} or {"sending": false}.', { field: "sending" });
			v.setSending(b.sending);
			return jsonResponse(200, gvretBody(v, gvret));
		},
	});
}

/** GET /api/can/live */
export function liveBody(v: CanView) {
	const c = v.counts();
	return {
		capturing: v.capturing,
		paused: v.paused,
		filter: v.filter.map(hexId),
		rows: v.live.snapshot(),
		overflow: v.live.overflow,
		dropped: { ring: c.ringDropped, budget: c.budgetDropped, download: c.downloadDropped, gvret: c.gvretDropped },
	};
}

/** GET /api/can/gvret */
export function gvretBody(v: CanView | undefined, gvret: GvretInfo) {
	const c = v?.counts();
	return {
		port: gvret.port ?? null,
		clients: v?.gvretClients ?? 0,
		sending: v?.sendingEnabled ?? false,
		sendingAllowedNow: v?.sendingAllowed() ?? false,
		framesOut: c?.gvretOut ?? 0,
		framesDropped: c?.gvretDropped ?? 0,
		framesIn: c?.gvretIn ?? 0,
		framesRefused: c?.gvretRefused ?? 0,
	};
}

/** GET /api/can/signal: the watched signal and its samples (t in ms of capture time). */
export function signalBody(s: SignalSpec | undefined, samples: { next: number; t: number[]; v: number[] }) {
	return { signal: s ? signalJson(s) : null, ...samples };
}

function hexId(id: number): string {
	return id.toString(16).toUpperCase().padStart(3, "0");
}

/** ["280", "0x1A0", 1440] -> numbers; every entry a standard ID. */
function parseIds(value: unknown): number[] {
	if (!Array.isArray(value) || value.length > 2048)
		throw apiError("invalid_can_filter", "filter must be a list of up to 2048 standard IDs.", { field: "filter" });
	const ids: number[] = [];
	for (let i = 0; i < value.length; i++) {
		const item = value[i];
		const id = typeof item === "number" ? item : typeof item === "string" ? parseHex(item) : Number.NaN;
		if (!Number.isInteger(id) || id < 0 || id > 0x7ff)
			throw apiError("invalid_can_filter", `filter[${i}] is not a standard CAN ID (hex 000 to 7FF).`, { field: `filter[${i}]` });
		ids.push(id);
	}
	return ids;
}

function parseHex(text: string): number {
	const t = text.trim().toLowerCase();
	const digits = t.startsWith("0x") ? t.slice(2) : t;
	if (digits.length === 0 || digits.length > 3) return Number.NaN;
	for (let i = 0; i < digits.length; i++) {
		const c = digits.charCodeAt(i);
		if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return Number.NaN;
	}
	return parseInt(digits, 16);
}

function parseSignal(b: Record<string, unknown>): SignalSpec | undefined {
	if (Object.keys(b).length === 0) return undefined;
	const known = ["bus", "id", "startBit", "length", "scale", "offset", "forwarded"];
	for (const key of Object.keys(b)) if (!known.includes(key)) throw apiError("invalid_signal", `Unknown field "${key}".`, { field: key });
	const int = (key: string, lo: number, hi: number, fallback?: number): number => {
		const v = b[key] === undefined ? fallback : typeof b[key] === "string" && key === "id" ? parseHex(b[key] as string) : b[key];
		if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
			throw apiError("invalid_signal", `${key} must be a whole number from ${lo} to ${hi}.`, { field: key });
		return v;
	};
	const num = (key: string, fallback: number): number => {
		const v = b[key] === undefined ? fallback : b[key];
		if (typeof v !== "number" || !Number.isFinite(v)) throw apiError("invalid_signal", `${key} must be a number.`, { field: key });
		return v;
	};
	const startBit = int("startBit", 0, 63);
	const length = int("length", 1, 32);
	if (startBit + length > 64) throw apiError("invalid_signal", "startBit + length must stay inside the 64 data bits.", { field: "length" });
	if (b.forwarded !== undefined && typeof b.forwarded !== "boolean")
		throw apiError("invalid_signal", "forwarded must be true or false.", { field: "forwarded" });
	return {
		bus: int("bus", 0, 1, 0),
		id: int("id", 0, 0x7ff),
		startBit,
		length,
		scale: num("scale", 1),
		offset: num("offset", 0),
		forwarded: b.forwarded === true,
	};
}

function signalJson(s: SignalSpec) {
	return { bus: s.bus, id: hexId(s.id), startBit: s.startBit, length: s.length, scale: s.scale, offset: s.offset, forwarded: s.forwarded };
}
