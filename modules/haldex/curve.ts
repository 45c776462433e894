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

export type CurveKind = "speed" | "throttle" | "rpm";

/** Every curve, in the order the API and the web app list them. */
export const CURVE_KINDS: readonly CurveKind[] = frozen(["speed", "throttle", "rpm"]);

export const CURVE_MAX_POINTS = 12;
/** Largest x per curve: km/h for speed, pedal % for throttle, 1/min for rpm (S3's limits). */
export const CURVE_X_MAX: Readonly<Record<CurveKind, number>> = frozen({ speed: 300, throttle: 100, rpm: 10000 });

export const MAP_THROTTLE_BINS = 7;
export const MAP_SPEED_BINS = 9;
export const MAP_SPEED_MAX = 300;

export interface LockMap {
	speedBins: number[];
	throttleBins: number[];
	lockTable: number[][];
}

/** One thing wrong with a curve or map: `path` names the value ("points[3].x", "lockTable[2][5]"), `message` says it in the owner's words. */
export interface ShapeProblem {
	path: string;
	message: string;
}

/** Why a curve or map was refused: the first problem's path and message, and every problem found. */
export class ShapeError extends Error {
	// A field (defined, not assigned): preloaded modules freeze Error.prototype, where assigning name would fail.
	override readonly name = "ShapeError";
	readonly path: string;
	readonly problems: ShapeProblem[];
	constructor(problems: ShapeProblem[]) {
		super(problems[0].message);
		this.path = problems[0].path;
		this.problems = problems;
	}
}

/** What the curve's x is, in words, and its unit. */
function xWords(kind: CurveKind): { a: string; what: string; unit: string } {
	if (kind === "speed") return { a: "a", what: "speed", unit: "km/h" };
	return kind === "throttle" ? { a: "a", what: "pedal", unit: "% pedal" } : { a: "an", what: "engine speed", unit: "rpm" };
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Every problem of a curve body ({points: [{x, lock}]}), in order; empty
 * when it is good. The board refuses with these (422 invalid_curve) and
 * the web app shows them while the owner types: one rule, one wording.
 */
export function curveProblems(kind: CurveKind, body: unknown): ShapeProblem[] {
	const points = body !== null && typeof body === "object" ? (body as { points?: unknown }).points : undefined;
	if (!Array.isArray(points)) return [{ path: "points", message: "The curve must be a list of points {x, lock}." }];
	const out: ShapeProblem[] = [];
	if (points.length < 1) out.push({ path: "points", message: "The curve needs at least one point." });
	if (points.length > CURVE_MAX_POINTS) out.push({ path: "points", message: `At most ${CURVE_MAX_POINTS} points (this one has ${points.length}).` });
	const { a, what, unit } = xWords(kind);
	const max = CURVE_X_MAX[kind];
	let previous: number | undefined;
	for (let i = 0; i < points.length; i++) {
		const p = points[i];
		const n = i + 1;
		if (p === null || typeof p !== "object" || Array.isArray(p)) {
			out.push({ path: `points[${i}]`, message: `Point ${n}: must be a point {x, lock}.` });
			previous = undefined;
			continue;
		}
		const { x, lock } = p as { x?: unknown; lock?: unknown };
		if (!isNumber(x)) out.push({ path: `points[${i}].x`, message: `Point ${n}: enter ${a} ${what} (0 to ${max} ${unit}).` });
		else if (x < 0 || x > max) out.push({ path: `points[${i}].x`, message: `Point ${n}: the ${what} must be 0 to ${max} ${unit}.` });
		else if (previous !== undefined && !(x > previous))
			out.push({ path: `points[${i}].x`, message: `Point ${n}: the ${what} must be higher than point ${i}'s (${previous} ${unit}).` });
		previous = isNumber(x) ? x : undefined;
		if (!isNumber(lock)) out.push({ path: `points[${i}].lock`, message: `Point ${n}: enter a lock (0 to 100 %).` });
		else if (lock < 0 || lock > 100) out.push({ path: `points[${i}].lock`, message: `Point ${n}: the lock must be 0 to 100 %.` });
	}
	return out;
}

/** A validated copy of a curve body ({points}), or a ShapeError with every problem. */
export function parseCurve(kind: CurveKind, body: unknown): CurvePoint[] {
	const problems = curveProblems(kind, body);
	if (problems.length) throw new ShapeError(problems);
	return (body as { points: CurvePoint[] }).points.map((p) => ({ x: p.x, lock: p.lock }));
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
			return a.lock + ((b.lock - a.lock) * (x - a.x)) / (b.x - a.x);
		}
	}
	return points[n - 1].lock;
}

/** Every problem of a map body ({speedBins, throttleBins, lockTable}), in order; empty when it is good. */
export function mapProblems(body: unknown): ShapeProblem[] {
	if (body === null || typeof body !== "object" || Array.isArray(body))
		return [{ path: "map", message: "The map must be an object {speedBins, throttleBins, lockTable}." }];
	const { speedBins, throttleBins, lockTable } = body as { speedBins?: unknown; throttleBins?: unknown; lockTable?: unknown };
	const out: ShapeProblem[] = [];
	const bins = (value: unknown, count: number, max: number, path: string, name: string, unit: string): number[] | undefined => {
		if (!Array.isArray(value) || value.length !== count) {
			out.push({ path, message: `The map needs ${count} ${name.toLowerCase()} values.` });
			return undefined;
		}
		let previous: number | undefined;
		value.forEach((v: unknown, i: number) => {
			if (!isNumber(v) || v < 0 || v > max) out.push({ path: `${path}[${i}]`, message: `${name} ${i + 1}: must be 0 to ${max} ${unit}.` });
			else if (previous !== undefined && !(v > previous))
				out.push({ path: `${path}[${i}]`, message: `${name} ${i + 1}: must be higher than ${name.toLowerCase()} ${i} (${previous}).` });
			previous = isNumber(v) ? v : undefined;
		});
		return value as number[];
	};
	const speeds = bins(speedBins, MAP_SPEED_BINS, MAP_SPEED_MAX, "speedBins", "Speed column", "km/h");
	const throttles = bins(throttleBins, MAP_THROTTLE_BINS, 100, "throttleBins", "Pedal row", "%");
	if (!Array.isArray(lockTable) || lockTable.length !== MAP_THROTTLE_BINS) {
		out.push({ path: "lockTable", message: `The map needs ${MAP_THROTTLE_BINS} rows of locks, one per pedal row.` });
		return out;
	}
	const label = (v: unknown) => (isNumber(v) ? String(v) : "?");
	lockTable.forEach((row: unknown, t: number) => {
		if (!Array.isArray(row) || row.length !== MAP_SPEED_BINS) {
			out.push({ path: `lockTable[${t}]`, message: `Pedal row ${t + 1}: needs ${MAP_SPEED_BINS} locks, one per speed column.` });
			return;
		}
		row.forEach((v: unknown, sIndex: number) => {
			if (!isNumber(v) || v < 0 || v > 100)
				out.push({
					path: `lockTable[${t}][${sIndex}]`,
					message: `Pedal ${label(throttles?.[t])} % at ${label(speeds?.[sIndex])} km/h: the lock must be 0 to 100 %.`,
				});
		});
	});
	return out;
}

/** A validated copy of a map body, or a ShapeError with every problem. */
export function parseMap(body: unknown): LockMap {
	const problems = mapProblems(body);
	if (problems.length) throw new ShapeError(problems);
	const m = body as LockMap;
	return { speedBins: m.speedBins.slice(), throttleBins: m.throttleBins.slice(), lockTable: m.lockTable.map((row) => row.slice()) };
}

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
	const row0 = map.lockTable[t.i],
		row1 = map.lockTable[t1];
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
	const [xs, locks] =
		kind === "speed"
			? [
					[0, 20, 40, 80, 140],
					[50, 45, 35, 20, 0],
				]
			: kind === "throttle"
				? [
						[0, 10, 25, 50, 80],
						[0, 10, 25, 55, 80],
					]
				: [
						[0, 1000, 2000, 3500, 5000, 6500],
						[0, 10, 30, 55, 80, 100],
					];
	return xs.map((x, i) => ({ x, lock: locks[i] }));
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
