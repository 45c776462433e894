/* Specification of haldex/curve: curve and map validation and interpolation. Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { CURVE_MAX_POINTS, ShapeError, interpolateCurve, interpolateMap, parseCurve, parseMap, type LockMap } from "haldex/curve";

const curve = [
	{ x: 10, lock: 20 },
	{ x: 30, lock: 60 },
	{ x: 50, lock: 0 },
];

function shapeError(fn: () => unknown): ShapeError {
	try {
		fn();
	} catch (e) {
		assert.instanceOf(e, ShapeError);
		return e as ShapeError;
	}
	throw new Error("expected a ShapeError");
}

function flatMap(): LockMap {
	return {
		speedBins: [0, 10, 20, 30, 40, 50, 60, 70, 80],
		throttleBins: [0, 10, 20, 30, 40, 50, 60],
		lockTable: [0, 1, 2, 3, 4, 5, 6].map((t) => [0, 1, 2, 3, 4, 5, 6, 7, 8].map((s) => t * 10 + s)),
	};
}

describe("haldex/curve", () => {
	describe("interpolateCurve", () => {
		it("returns a point's own lock exactly at its x", () => {
			assert.equal(interpolateCurve(curve, 10), 20);
			assert.equal(interpolateCurve(curve, 30), 60);
			assert.equal(interpolateCurve(curve, 50), 0);
		});
		it("interpolates linearly between neighbouring points", () => {
			assert.equal(interpolateCurve(curve, 20), 40);
			assert.equal(interpolateCurve(curve, 40), 30);
			assert.closeTo(interpolateCurve(curve, 10.5), 21, 1e-9);
		});
		it("holds the first lock below the first x and the last lock above the last x", () => {
			assert.equal(interpolateCurve(curve, 0), 20);
			assert.equal(interpolateCurve(curve, -5), 20);
			assert.equal(interpolateCurve(curve, 51), 0);
			assert.equal(interpolateCurve(curve, 300), 0);
		});
		it("is flat for a single point and 0 for none", () => {
			assert.equal(interpolateCurve([{ x: 40, lock: 33 }], 0), 33);
			assert.equal(interpolateCurve([{ x: 40, lock: 33 }], 200), 33);
			assert.equal(interpolateCurve([], 10), 0);
		});
	});

	describe("parseCurve", () => {
		it("accepts 1 to 12 strictly ascending points within range", () => {
			const twelve = Array.from({ length: CURVE_MAX_POINTS }, (_, i) => ({ x: i * 25, lock: 100 - i }));
			assert.deepEqual(parseCurve("speed", { points: twelve }), twelve);
			assert.deepEqual(parseCurve("throttle", { points: [{ x: 100, lock: 100 }] }), [{ x: 100, lock: 100 }]);
		});
		it("refuses 13 points and an empty list", () => {
			const thirteen = Array.from({ length: 13 }, (_, i) => ({ x: i, lock: 0 }));
			assert.equal(shapeError(() => parseCurve("speed", { points: thirteen })).path, "points");
			assert.equal(shapeError(() => parseCurve("speed", { points: [] })).path, "points");
		});
		it("refuses an equal or descending x and names the offending point", () => {
			assert.equal(
				shapeError(() =>
					parseCurve("speed", {
						points: [
							{ x: 0, lock: 0 },
							{ x: 10, lock: 0 },
							{ x: 10, lock: 5 },
						],
					}),
				).path,
				"points[2].x",
			);
			assert.equal(
				shapeError(() =>
					parseCurve("speed", {
						points: [
							{ x: 20, lock: 0 },
							{ x: 10, lock: 0 },
						],
					}),
				).path,
				"points[1].x",
			);
		});
		it("refuses x beyond the curve's range: 300 km/h for speed, 100 % for throttle", () => {
			assert.doesNotThrow(() => parseCurve("speed", { points: [{ x: 300, lock: 0 }] }));
			assert.equal(shapeError(() => parseCurve("speed", { points: [{ x: 301, lock: 0 }] })).path, "points[0].x");
			assert.equal(shapeError(() => parseCurve("throttle", { points: [{ x: 101, lock: 0 }] })).path, "points[0].x");
			assert.equal(shapeError(() => parseCurve("throttle", { points: [{ x: -1, lock: 0 }] })).path, "points[0].x");
		});
		it("refuses a lock outside 0..100, a string and a missing value", () => {
			assert.equal(shapeError(() => parseCurve("speed", { points: [{ x: 0, lock: 100.5 }] })).path, "points[0].lock");
			assert.equal(shapeError(() => parseCurve("speed", { points: [{ x: "5", lock: 1 }] })).path, "points[0].x");
			assert.equal(shapeError(() => parseCurve("speed", { points: [{ x: 5 }] })).path, "points[0].lock");
			assert.equal(shapeError(() => parseCurve("speed", { points: [{ x: 5, lock: NaN }] })).path, "points[0].lock");
		});
	});

	describe("interpolateMap", () => {
		const map = flatMap();
		it("returns the table value exactly on a bin corner", () => {
			assert.equal(interpolateMap(map, 0, 0), 0);
			assert.equal(interpolateMap(map, 30, 50), 35);
			assert.equal(interpolateMap(map, 60, 80), 68);
		});
		it("interpolates bilinearly between four corners", () => {
			// throttle 15 (between rows 1 and 2), speed 25 (between columns 2 and 3)
			assert.closeTo(interpolateMap(map, 15, 25), 17.5, 1e-9);
			const m = flatMap();
			m.lockTable[0][0] = 0;
			m.lockTable[0][1] = 100;
			m.lockTable[1][0] = 0;
			m.lockTable[1][1] = 0;
			assert.closeTo(interpolateMap(m, 5, 5), 25, 1e-9);
		});
		it("clamps below the first and above the last bin on both axes", () => {
			assert.equal(interpolateMap(map, -10, -10), 0);
			assert.equal(interpolateMap(map, 100, 300), 68);
			assert.equal(interpolateMap(map, 100, 0), 60);
			assert.equal(interpolateMap(map, 0, 300), 8);
			assert.closeTo(interpolateMap(map, 95, 15), 61.5, 1e-9);
		});
	});

	describe("parseMap", () => {
		it("accepts 7 ascending throttle bins, 9 ascending speed bins and a 7 x 9 table", () => {
			assert.deepEqual(parseMap(flatMap()), flatMap());
		});
		it("refuses wrong sizes and names the part", () => {
			const m = flatMap();
			assert.equal(shapeError(() => parseMap({ ...m, speedBins: m.speedBins.slice(1) })).path, "speedBins");
			assert.equal(shapeError(() => parseMap({ ...m, throttleBins: [...m.throttleBins, 70] })).path, "throttleBins");
			assert.equal(shapeError(() => parseMap({ ...m, lockTable: m.lockTable.slice(1) })).path, "lockTable");
			const short = flatMap();
			short.lockTable[3] = short.lockTable[3].slice(1);
			assert.equal(shapeError(() => parseMap(short)).path, "lockTable[3]");
		});
		it("refuses bins that do not strictly ascend and locks outside 0..100", () => {
			const m = flatMap();
			m.speedBins[4] = m.speedBins[3];
			assert.equal(shapeError(() => parseMap(m)).path, "speedBins[4]");
			const t = flatMap();
			t.throttleBins[6] = 101;
			assert.equal(shapeError(() => parseMap(t)).path, "throttleBins[6]");
			const l = flatMap();
			l.lockTable[6][8] = 101;
			assert.equal(shapeError(() => parseMap(l)).path, "lockTable[6][8]");
		});
		it("refuses something that is not an object", () => {
			assert.equal(shapeError(() => parseMap([1, 2])).path, "map");
			assert.equal(shapeError(() => parseMap(null)).path, "map");
		});
	});
});
