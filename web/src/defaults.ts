/*
 * The firmware's factory curves and map (haldex/settings defaultConfig),
 * for "Restore defaults". host-tests/host/web.test.ts checks they match.
 */

export interface Point { x: number; lock: number }
export interface LockMap { speedBins: number[]; throttleBins: number[]; lockTable: number[][] }

export const DEFAULT_CURVES: Record<"speed" | "throttle", Point[]> = {
	speed: [{ x: 0, lock: 50 }, { x: 20, lock: 45 }, { x: 40, lock: 35 }, { x: 80, lock: 20 }, { x: 140, lock: 0 }],
	throttle: [{ x: 0, lock: 0 }, { x: 10, lock: 10 }, { x: 25, lock: 25 }, { x: 50, lock: 55 }, { x: 80, lock: 80 }],
};

export const DEFAULT_MAP: LockMap = {
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
