/*
 * JSON.stringify as the board's XS runs it on preloaded objects: a module-
 * level object is in flash there, and XS's JSON.stringify throws TypeError
 * "read only value" on any object in flash (xsJSON.c checks XS_MARK_FLAG).
 * Firmware code freezes every module-level object (scripts/preload-hazards.ts
 * holds that rule), so here a frozen object stands for a flash one: the
 * firmware suites load this first, on Node and in xsnap, and a response that
 * carries a module-level object fails the test as it would fail on the board.
 */
const original = JSON.stringify;

function refuseFrozen(this: unknown, key: string, value: unknown): unknown {
	void key;
	if (value !== null && typeof value === "object" && Object.isFrozen(value) && !(ArrayBuffer.isView(value) || value instanceof ArrayBuffer))
		throw new TypeError("read only value (in stringify): a module-level object reached JSON.stringify; on the board it is in flash");
	return value;
}

function boardStringify(value: unknown, replacer?: unknown, space?: string | number): string {
	if (Array.isArray(replacer)) return original(value, replacer as (string | number)[], space);
	const user = typeof replacer === "function" ? (replacer as (this: unknown, k: string, v: unknown) => unknown) : undefined;
	return original(
		value,
		function (this: unknown, key: string, v: unknown) {
			const out = user ? user.call(this, key, v) : v;
			return refuseFrozen.call(this, key, out);
		},
		space,
	);
}

// Not a const re-export: the global itself is replaced.
(JSON as { stringify: unknown }).stringify = boardStringify;

export const stringifyRefusesFrozen = true;
