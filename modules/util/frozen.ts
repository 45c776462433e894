/*
 * frozen(value): value frozen all the way down, typed read-only.
 *
 * Every module-level object in firmware code is created this way (or with
 * Object.freeze around each literal): on the board it lives in flash, where
 * a write would copy it into RAM and JSON.stringify throws; frozen, the same
 * write throws on Node and in xsnap too, so tests catch it
 * (docs/preload-hazards.md).
 */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
	? T
	: T extends readonly unknown[]
		? { readonly [K in keyof T]: DeepReadonly<T[K]> } // keeps tuples tuples
		: T extends object
			? { readonly [K in keyof T]: DeepReadonly<T[K]> }
			: T;

export function frozen<T>(value: T): DeepReadonly<T> {
	if (value && typeof value === "object" && !Object.isFrozen(value)) {
		for (const key of Object.keys(value)) frozen((value as Record<string, unknown>)[key]);
		Object.freeze(value);
	}
	return value as DeepReadonly<T>;
}
