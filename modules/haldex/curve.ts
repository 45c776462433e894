/*
 * Lock curves (speed or throttle -> lock %) and the throttle x speed map.
 * Pure functions: validation that names the first bad value, and the
 * interpolation the controller runs 50 times a second.
 *
 * Wire formats are OpenHaldex-S3's:
 *   curve: {"points": [{"x": 0, "lock": 50}, ...]}   (GET adds "count")
 *   map:   {"speedBins": [9], "throttleBins": [7], "lockTable": [7][9]}
 *          lockTable[t][s] is the lock at throttleBins[t] and speedBins[s].
 */

import { frozen } from "util/frozen";

export interface CurvePoint {
	x: number;
	lock: number;
}

export type CurveKind = "speed" | "throttle";

export const CURVE_MAX_POINTS = 12;
/** Largest x per curve: km/h for speed, pedal % for throttle. */
export const CURVE_X_MAX: Readonly<Record<CurveKind, number>> = frozen({ speed: 300, throttle: 100 });

export const MAP_THROTTLE_BINS = 7;
export const MAP_SPEED_BINS = 9;
export const MAP_SPEED_MAX = 300;

export interface LockMap {
	speedBins: number[];
	throttleBins: number[];
	lockTable: number[][];
}

/** Why a curve or map was refused: `path` names the value, e.g. "points[3].x". */
export class ShapeError extends Error {
	// A field (defined, not assigned): preloaded modules freeze Error.prototype, where assigning name would fail.
	override readonly name = "ShapeError";
	readonly path: string;
	constructor(path: string, message: string) {
		super(`${path}: ${message}`);
		this.path = path;
	}
}

function finiteIn(value: unknown, min: number, max: number, path: string): number {
	if (typeof value !== "number" || !Number.isFinite(value))
		throw new ShapeError(path, `must be a number, got ${JSON.stringify(value)}`);
	if (value < min || value > max) throw new ShapeError(path, `must be ${min}..${max}, got ${value}`);
	return value;
}

function ascending(values: number[], path: string): void {
	for (let i = 1; i < values.length; i++) {
		if (!(values[i] > values[i - 1]))
			throw new ShapeError(`${path}[${i}]`, `must be greater than ${path}[${i - 1}] (${values[i - 1]}): x values must strictly ascend`);
	}
}

/** A validated copy of a curve body ({points}), or a ShapeError. */
export function parseCurve(kind: CurveKind, body: unknown): CurvePoint[] {
	const points = (body !== null && typeof body === "object") ? (body as { points?: unknown }).points : undefined;
	if (!Array.isArray(points)) throw new ShapeError("points", "must be an array of {x, lock}");
	if (points.length < 1 || points.length > CURVE_MAX_POINTS)
		throw new ShapeError("points", `must hold 1..${CURVE_MAX_POINTS} points, got ${points.length}`);
	const out: CurvePoint[] = [];
	for (let i = 0; i < points.length; i++) {
		const p = points[i];
		if (p === null || typeof p !== "object" || Array.isArray(p)) throw new ShapeError(`points[${i}]`, "must be an object {x, lock}");
		const { x, lock } = p as { x?: unknown; lock?: unknown };
		out.push({
			x: finiteIn(x, 0, CURVE_X_MAX[kind], `points[${i}].x`),
			lock: finiteIn(lock, 0, 100, `points[${i}].lock`),
		});
	}
	ascending(out.map((p) => p.x), "points.x");
	return out;
}

/**
 * Lock at x: linear between neighbouring points, the first point's lock at
 * or below its x, the last point's lock at or above its x. 0 for no points.
 */
export function interpolateCurve(points: readonly CurvePoint[], x: number): number {
	const n = points.length;
	if (n === 0) return 0;
	if (x <= points[0].x) return points[0].lock;
	if (x >= points[n - 1].x) return points[n - 1].lock;
	for (let i = 1; i < n; i++) {
		const b = points[i];
		if (x <= b.x) {
			const a = points[i - 1];
			return a.lock + (b.lock - a.lock) * (x - a.x) / (b.x - a.x);
		}
	}
	return points[n - 1].lock;
}

/** A validated copy of a map body, or a ShapeError. */
export function parseMap(body: unknown): LockMap {
	if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ShapeError("map", "must be an object {speedBins, throttleBins, lockTable}");
	const { speedBins, throttleBins, lockTable } = body as { speedBins?: unknown; throttleBins?: unknown; lockTable?: unknown };
	const bins = (value: unknown, count: number, max: number, path: string): number[] => {
		if (!Array.isArray(value) || value.length !== count) throw new ShapeError(path, `must be an array of ${count} numbers`);
		const out = value.map((v, i) => finiteIn(v, 0, max, `${path}[${i}]`));
		ascending(out, path);
		return out;
	};
	const speeds = bins(speedBins, MAP_SPEED_BINS, MAP_SPEED_MAX, "speedBins");
	const throttles = bins(throttleBins, MAP_THROTTLE_BINS, 100, "throttleBins");
	if (!Array.isArray(lockTable) || lockTable.length !== MAP_THROTTLE_BINS)
		throw new ShapeError("lockTable", `must be ${MAP_THROTTLE_BINS} rows (one per throttle bin)`);
	const table = lockTable.map((row: unknown, t: number) => {
		if (!Array.isArray(row) || row.length !== MAP_SPEED_BINS)
			throw new ShapeError(`lockTable[${t}]`, `must be ${MAP_SPEED_BINS} numbers (one per speed bin)`);
		return row.map((v, s) => finiteIn(v, 0, 100, `lockTable[${t}][${s}]`));
	});
	return { speedBins: speeds, throttleBins: throttles, lockTable: table };
}

/** Index of the lower bin and the fraction towards the next, clamped at both ends. */
function locate(bins: readonly number[], v: number): { i: number; f: number } {
	const last = bins.length - 1;
	if (v <= bins[0]) return { i: 0, f: 0 };
	if (v >= bins[last]) return { i: last, f: 0 };
	let i = 0;
	while (v > bins[i + 1]) i++;
	return { i, f: (v - bins[i]) / (bins[i + 1] - bins[i]) };
}

/** Bilinear lock at (throttle %, speed km/h), clamped to the map's edges. */
export function interpolateMap(map: LockMap, throttlePct: number, speedKmh: number): number {
	const t = locate(map.throttleBins, throttlePct);
	const s = locate(map.speedBins, speedKmh);
	const t1 = Math.min(t.i + 1, map.throttleBins.length - 1);
	const s1 = Math.min(s.i + 1, map.speedBins.length - 1);
	const row0 = map.lockTable[t.i], row1 = map.lockTable[t1];
	const v0 = row0[s.i] + (row0[s1] - row0[s.i]) * s.f;
	const v1 = row1[s.i] + (row1[s1] - row1[s.i]) * s.f;
	return v0 + (v1 - v0) * t.f;
}

/*
 * The factory curves and map (S3's), one source for the firmware's
 * defaults (haldex/settings) and the web app's "Restore defaults". Fresh
 * copies each call: callers edit them.
 */
export function factoryCurve(kind: CurveKind): CurvePoint[] {
	return kind === "speed"
		? [{ x: 0, lock: 50 }, { x: 20, lock: 45 }, { x: 40, lock: 35 }, { x: 80, lock: 20 }, { x: 140, lock: 0 }]
		: [{ x: 0, lock: 0 }, { x: 10, lock: 10 }, { x: 25, lock: 25 }, { x: 50, lock: 55 }, { x: 80, lock: 80 }];
}

export function factoryMap(): LockMap {
	return {
		speedBins: [0, 5, 10, 20, 40, 60, 80, 100, 140],
		throttleBins: [0, 5, 10, 20, 40, 60, 80],
		lockTable: [
			[0, 0, 0, 0, 0, 0, 0, 0, 0],
			[0, 0, 0, 0, 0, 0, 0, 0, 0],
			[0, 0, 5, 5, 5, 5, 0, 0, 0],
			[0, 5, 10, 15, 15, 10, 5, 0, 0],
			[5, 10, 20, 25, 25, 20, 15, 10, 5],
			[10, 20, 30, 40, 40, 30, 25, 20, 15],
			[20, 30, 45, 60, 60, 50, 40, 30, 20],
		],
	};
}
