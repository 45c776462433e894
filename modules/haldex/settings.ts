/*
 * Haldex settings: validated, persisted through the KeyValueStore port
 * (Preference on the board) with a schema version, and migrated only once
 * the running firmware is confirmed.
 *
 * Layout, schema 2 (domain "haldex"; every key <= 15 characters, every
 * value far below the 4000-byte Preference limit):
 *   schema        2 (number), written last: the commit marker of a migration
 *   settings      JSON object: the scalar settings below, plus every key
 *                 this firmware does not know (kept verbatim, so a newer
 *                 firmware's settings survive a round trip through us)
 *   curveSpeed    JSON [{x, lock}]     curveThrottle  JSON [{x, lock}]
 *   curveRpm      JSON [{x, lock}]     (added with the RPM mode: a store
 *                 without it reads the factory curve, so no schema bump)
 *   map           JSON {speedBins, throttleBins, lockTable}
 *   mode          string, one of MODES
 * Schema 1 (development builds): one key "cfg" holding everything with
 * short field names. See docs/haldex.md.
 *
 * Rules:
 * - A bad value is refused (HttpError 422, code invalid_setting /
 *   invalid_curve / invalid_map / invalid_mode, `field` naming it) and
 *   nothing changes: validation happens on a copy, the store is written,
 *   and only then does the copy replace the settings in memory.
 * - Old-schema settings are read into memory and used, but nothing is
 *   written while the running firmware may still be rolled back: changes
 *   made meanwhile take effect at once and are written with the migration.
 *   migrateIfConfirmed() writes the new layout once the image is VALID (or
 *   UNDEFINED: flashed over USB, nothing to roll back to). The old key is
 *   left in place, so a manual downgrade still finds its settings.
 * - Settings from a newer schema are not understood: defaults are used and
 *   every write is refused (409 settings_newer_schema), so they survive
 *   until that firmware returns.
 */

import type { HttpError } from "api/errors";
import type { KeyValueStore } from "ports/store";
import { STORE_MAX_VALUE_BYTES, utf8Length } from "ports/store";
import type { Logger } from "ports/log";
import type { OtaImageState } from "ports/ota";
import type { HaldexGeneration } from "ports/can";
import { MODES, parseModeName, type HaldexMode } from "haldex/modes";
import { CURVE_KINDS, ShapeError, factoryCurve, factoryMap, parseCurve, parseMap, type CurveKind, type CurvePoint, type LockMap } from "haldex/curve";
import { SETTINGS_LIMITS } from "haldex/target";
import { frozen } from "util/frozen";
import { apiError } from "api/error-codes";

export const SETTINGS_DOMAIN = "haldex";
export const SCHEMA_VERSION = 2;
export const KEY_SCHEMA = "schema";
export const KEY_SETTINGS = "settings";
export const KEY_SPEED_CURVE = "curveSpeed";
export const KEY_THROTTLE_CURVE = "curveThrottle";
export const KEY_RPM_CURVE = "curveRpm";
export const KEY_MAP = "map";
export const KEY_MODE = "mode";
/** Schema 1's single key. */
export const KEY_LEGACY = "cfg";

export interface DisengageUnderSpeed {
	map: number;
	speed: number;
	throttle: number;
	rpm: number;
}

/** The scalar settings, with OpenHaldex-S3's field names. */
export interface HaldexSettings {
	haldexGeneration: HaldexGeneration;
	/** Controller off: the bridge stays in pass-through whatever the mode. */
	disableController: boolean;
	/** Presets: no lock below this pedal %, 0 = off. */
	disableThrottle: number;
	/** Presets: no lock above this speed km/h, 0 = off. */
	disableSpeed: number;
	/** How fast the lock may fall, % per second; 0 = at once. */
	lockReleaseRatePctPerSec: number;
	/** Dynamic modes: no lock below this speed km/h unless at full pedal, 0 = off. */
	disengageUnderSpeed: DisengageUnderSpeed;
}

export interface HaldexConfig {
	mode: HaldexMode;
	settings: HaldexSettings;
	speedCurve: CurvePoint[];
	throttleCurve: CurvePoint[];
	rpmCurve: CurvePoint[];
	map: LockMap;
	/** Settings keys this firmware does not know, kept as they came. */
	extra: Record<string, unknown>;
}

export { SETTINGS_LIMITS };

/** The defaults (S3's). A fresh copy each call. */
export function defaultConfig(): HaldexConfig {
	return {
		mode: "STOCK",
		settings: {
			haldexGeneration: 4,
			disableController: false,
			disableThrottle: 0,
			disableSpeed: 0,
			lockReleaseRatePctPerSec: 120,
			disengageUnderSpeed: { map: 0, speed: 0, throttle: 0, rpm: 0 },
		},
		speedCurve: factoryCurve("speed"),
		throttleCurve: factoryCurve("throttle"),
		rpmCurve: factoryCurve("rpm"),
		map: factoryMap(),
		extra: {},
	};
}

const KNOWN_KEYS = frozen(["haldexGeneration", "disableController", "disableThrottle", "disableSpeed", "lockReleaseRatePctPerSec", "disengageUnderSpeed"]);

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === "object" && !Array.isArray(value);
}

function invalid(field: string, message: string): HttpError {
	return apiError("invalid_setting", `${field}: ${message}`, { field });
}

function numberIn(value: unknown, field: string, [min, max]: readonly [number, number]): number {
	if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(field, `must be a number, got ${JSON.stringify(value)}`);
	if (value < min || value > max) throw invalid(field, `must be ${min}..${max}, got ${value}`);
	return value;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Apply a settings patch (the body of POST /api/settings) to a copy of
 * `current`. Known keys are validated; unknown keys are kept in `extra`.
 * Throws HttpError 400 body_not_object or 422 invalid_setting.
 */
export function applySettingsPatch(
	current: HaldexSettings,
	extra: Record<string, unknown>,
	patch: unknown,
): { settings: HaldexSettings; extra: Record<string, unknown>; unknownKeys: string[] } {
	if (!isObject(patch)) throw apiError("body_not_object", "The settings must be a JSON object of the fields to change.");
	const next: HaldexSettings = { ...current, disengageUnderSpeed: { ...current.disengageUnderSpeed } };
	const nextExtra: Record<string, unknown> = {};
	for (const k of Object.keys(extra)) setOwn(nextExtra, k, extra[k]);
	const unknownKeys: string[] = [];
	for (const key of Object.keys(patch)) {
		const value = patch[key];
		switch (key) {
			case "haldexGeneration":
				if (value !== 1 && value !== 2 && value !== 4 && value !== 5) throw invalid(key, `must be 1, 2, 4 or 5, got ${JSON.stringify(value)}`);
				next.haldexGeneration = value;
				break;
			case "disableController":
				if (typeof value !== "boolean") throw invalid(key, `must be true or false, got ${JSON.stringify(value)}`);
				next.disableController = value;
				break;
			case "disableThrottle":
			case "disableSpeed":
			case "lockReleaseRatePctPerSec":
				next[key] = numberIn(value, key, SETTINGS_LIMITS[key]);
				break;
			case "disengageUnderSpeed": {
				if (!isObject(value)) throw invalid(key, "must be an object {map, speed, throttle, rpm}");
				for (const sub of Object.keys(value)) {
					if (sub !== "map" && sub !== "speed" && sub !== "throttle" && sub !== "rpm")
						throw invalid(`${key}.${sub}`, "is not one of map, speed, throttle, rpm");
					next.disengageUnderSpeed[sub] = numberIn(value[sub], `${key}.${sub}`, SETTINGS_LIMITS.disengageUnderSpeed);
				}
				break;
			}
			default:
				if (key === "__proto__") throw invalid(key, "is not a setting name");
				setOwn(nextExtra, key, value);
				unknownKeys.push(key);
		}
	}
	return { settings: next, extra: nextExtra, unknownKeys };
}

/** The stored settings object: known settings and the kept unknown keys. */
export function settingsRecord(settings: HaldexSettings, extra: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const k of Object.keys(extra)) if (!KNOWN_KEYS.includes(k)) setOwn(out, k, extra[k]);
	return { ...settings, disengageUnderSpeed: { ...settings.disengageUnderSpeed }, ...out };
}

/** A ShapeError as a 422: the first problem as the message and field, every problem in "problems". */
function shapeRefusal(e: unknown, code: "invalid_curve" | "invalid_map", what: string): never {
	if (!(e instanceof ShapeError)) throw e;
	const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : "";
	throw apiError(code, `The ${what}: ${e.message}${more}`, { field: e.path, problems: e.problems.map((p) => ({ field: p.path, message: p.message })) });
}

/** Validate a curve body or throw HttpError 422 invalid_curve. */
export function validCurve(kind: CurveKind, body: unknown): CurvePoint[] {
	try {
		return parseCurve(kind, body);
	} catch (e) {
		return shapeRefusal(e, "invalid_curve", `${CURVE_NAME[kind]} curve`);
	}
}

/** Validate a map body or throw HttpError 422 invalid_map. */
export function validMap(body: unknown): LockMap {
	try {
		return parseMap(body);
	} catch (e) {
		return shapeRefusal(e, "invalid_map", "map");
	}
}

/** Validate a mode name (ours or S3's) or throw HttpError 422 invalid_mode. */
export function validMode(name: unknown): HaldexMode {
	const mode = parseModeName(name);
	if (!mode)
		throw apiError(
			"invalid_mode",
			`Unknown mode ${JSON.stringify(name)}; use one of ${MODES.join(", ")} (or S3's names, 7030 for 7525, or its mode numbers 0 to 10).`,
			{ field: "mode" },
		);
	return mode;
}

/** True when settings may be migrated: the running image cannot be rolled back any more. */
export function migrationAllowed(state: OtaImageState): boolean {
	return state === "VALID" || state === "UNDEFINED";
}

export type SettingsSource = "defaults" | "stored" | "schema-1" | "newer-schema";

export interface SettingsLoadReport {
	source: SettingsSource;
	/** Schema found in the store (0 = nothing stored). */
	storedSchema: number;
	migrationPending: boolean;
	/** Parts that could not be read and fell back to defaults. */
	damaged: string[];
}

type CurvePart = "speedCurve" | "throttleCurve" | "rpmCurve";
type Part = "settings" | CurvePart | "map" | "mode";

/** Where each curve lives: its field in HaldexConfig, and that field's store key. */
const CURVE_PART: Readonly<Record<CurveKind, CurvePart>> = frozen({ speed: "speedCurve", throttle: "throttleCurve", rpm: "rpmCurve" });
const CURVE_KEY: Readonly<Record<CurvePart, string>> = frozen({ speedCurve: KEY_SPEED_CURVE, throttleCurve: KEY_THROTTLE_CURVE, rpmCurve: KEY_RPM_CURVE });
const CURVE_NAME: Readonly<Record<CurveKind, string>> = frozen({ speed: "speed", throttle: "pedal", rpm: "RPM" });

/** The curve of one kind in a config. */
export function curveOf(config: Readonly<HaldexConfig>, kind: CurveKind): readonly CurvePoint[] {
	return config[CURVE_PART[kind]];
}

export class HaldexSettingsStore {
	readonly #store: KeyValueStore;
	readonly #logger?: Logger;
	#config: HaldexConfig = defaultConfig();
	#report: SettingsLoadReport = { source: "defaults", storedSchema: 0, migrationPending: false, damaged: [] };

	constructor(store: KeyValueStore, logger?: Logger) {
		this.#store = store;
		this.#logger = logger;
		this.load();
	}

	/** The settings in use. Treat as read-only; change them through the setters. */
	get config(): Readonly<HaldexConfig> {
		return this.#config;
	}
	get report(): Readonly<SettingsLoadReport> {
		return this.#report;
	}
	get migrationPending(): boolean {
		return this.#report.migrationPending;
	}

	/** (Re)read the store. Never writes. */
	load(): SettingsLoadReport {
		const schema = this.#store.get(SETTINGS_DOMAIN, KEY_SCHEMA);
		const damaged: string[] = [];
		let config = defaultConfig();
		let source: SettingsSource = "defaults";
		let storedSchema = 0;
		if (typeof schema === "number" && schema > SCHEMA_VERSION) {
			source = "newer-schema";
			storedSchema = schema;
			this.#logger?.log(
				"warn",
				`haldex settings are schema ${schema}, newer than this firmware's ${SCHEMA_VERSION}: using defaults and leaving them untouched`,
			);
		} else if (schema === SCHEMA_VERSION) {
			source = "stored";
			storedSchema = schema;
			config = this.#readV2(damaged);
		} else if (schema === undefined && this.#store.get(SETTINGS_DOMAIN, KEY_LEGACY) !== undefined) {
			source = "schema-1";
			storedSchema = 1;
			config = this.#readV1(damaged);
		} else if (schema !== undefined) {
			damaged.push("schema");
		}
		for (const part of damaged) this.#logger?.log("warn", `haldex settings: stored ${part} is unreadable; using the default`);
		this.#config = config;
		this.#report = { source, storedSchema, migrationPending: source === "schema-1", damaged };
		return this.#report;
	}

	/**
	 * Write the current schema if old-schema settings are pending and the
	 * running image is confirmed (`imageState` VALID, or UNDEFINED for a
	 * USB-flashed image). Returns what happened.
	 */
	migrateIfConfirmed(imageState: OtaImageState): "migrated" | "deferred" | "nothing-to-do" {
		if (!this.#report.migrationPending) return "nothing-to-do";
		if (!migrationAllowed(imageState)) return "deferred";
		this.#writeParts(["settings", "speedCurve", "throttleCurve", "rpmCurve", "map", "mode"], this.#config);
		this.#store.set(SETTINGS_DOMAIN, KEY_SCHEMA, SCHEMA_VERSION);
		this.#report = { ...this.#report, source: "stored", storedSchema: SCHEMA_VERSION, migrationPending: false };
		this.#logger?.log("info", `haldex settings migrated from schema 1 to ${SCHEMA_VERSION}`);
		return "migrated";
	}

	/** POST /api/settings. Returns the keys kept without effect. */
	updateSettings(patch: unknown): string[] {
		const { settings, extra, unknownKeys } = applySettingsPatch(this.#config.settings, this.#config.extra, patch);
		this.#commit({ ...this.#config, settings, extra }, ["settings"]);
		return unknownKeys;
	}

	setCurve(kind: CurveKind, body: unknown): CurvePoint[] {
		const points = validCurve(kind, body);
		const part = CURVE_PART[kind];
		this.#commit({ ...this.#config, [part]: points }, [part]);
		return points;
	}

	setMap(body: unknown): LockMap {
		const map = validMap(body);
		this.#commit({ ...this.#config, map }, ["map"]);
		return map;
	}

	setMode(name: unknown): HaldexMode {
		const mode = validMode(name);
		this.#commit({ ...this.#config, mode }, ["mode"]);
		return mode;
	}

	#commit(next: HaldexConfig, parts: Part[]): void {
		if (this.#report.source === "newer-schema")
			throw apiError(
				"settings_newer_schema",
				`The stored settings are schema ${this.#report.storedSchema}, written by a newer firmware; this one (schema ${SCHEMA_VERSION}) will not overwrite them.`,
			);
		if (!this.#report.migrationPending) {
			this.#writeParts(parts, next);
			if (this.#report.storedSchema !== SCHEMA_VERSION) {
				this.#store.set(SETTINGS_DOMAIN, KEY_SCHEMA, SCHEMA_VERSION);
				this.#report = { ...this.#report, source: "stored", storedSchema: SCHEMA_VERSION };
			}
		}
		this.#config = next;
	}

	#encode(part: Part, config: HaldexConfig): [string, string] {
		switch (part) {
			case "settings":
				return [KEY_SETTINGS, JSON.stringify(settingsRecord(config.settings, config.extra))];
			case "speedCurve":
			case "throttleCurve":
			case "rpmCurve":
				return [CURVE_KEY[part], JSON.stringify(config[part])];
			case "map":
				return [KEY_MAP, JSON.stringify(config.map)];
			case "mode":
				return [KEY_MODE, config.mode];
		}
	}

	/** Encode everything first (so a too-large value writes nothing), then write. */
	#writeParts(parts: Part[], config: HaldexConfig): void {
		const encoded = parts.map((p) => this.#encode(p, config));
		for (const [key, value] of encoded) {
			const bytes = utf8Length(value);
			if (bytes > STORE_MAX_VALUE_BYTES)
				throw apiError(
					"settings_too_large",
					`The ${key} setting would take ${bytes} bytes; the store holds at most ${STORE_MAX_VALUE_BYTES} per key. Remove unknown keys.`,
					{ field: key },
				);
		}
		try {
			for (const [key, value] of encoded) this.#store.set(SETTINGS_DOMAIN, key, value);
		} catch (e) {
			throw apiError("settings_write_failed", `Writing the settings failed: ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	#json(key: string): unknown {
		const raw = this.#store.get(SETTINGS_DOMAIN, key);
		if (raw === undefined) return undefined;
		if (typeof raw !== "string") throw new TypeError(`${key} is not a string`);
		return JSON.parse(raw);
	}

	#readV2(damaged: string[]): HaldexConfig {
		const config = defaultConfig();
		const part = <T>(name: string, read: () => T | undefined, use: (v: T) => void) => {
			try {
				const v = read();
				if (v !== undefined) use(v);
			} catch {
				damaged.push(name);
			}
		};
		part(
			"settings",
			() => this.#json(KEY_SETTINGS),
			(raw) => {
				const { settings, extra } = applySettingsPatch(config.settings, {}, raw);
				config.settings = settings;
				config.extra = extra;
			},
		);
		for (const kind of CURVE_KINDS) {
			const field = CURVE_PART[kind];
			part(
				field,
				() => this.#json(CURVE_KEY[field]),
				(raw) => {
					config[field] = parseCurve(kind, { points: raw });
				},
			);
		}
		part(
			"map",
			() => this.#json(KEY_MAP),
			(raw) => {
				config.map = parseMap(raw);
			},
		);
		part(
			"mode",
			() => this.#store.get(SETTINGS_DOMAIN, KEY_MODE),
			(raw) => {
				const mode = parseModeName(raw);
				if (!mode) throw new RangeError("unknown mode");
				config.mode = mode;
			},
		);
		return config;
	}

	/** Schema 1: {"v":1, "mode", "gen", "minPedal", "maxSpeed", "release", "speed": [[x, lock]], "throttle": [[x, lock]], "map": {...}}. */
	#readV1(damaged: string[]): HaldexConfig {
		const config = defaultConfig();
		let old: Record<string, unknown>;
		try {
			const raw = this.#json(KEY_LEGACY);
			if (!isObject(raw)) throw new TypeError("not an object");
			old = raw;
		} catch {
			damaged.push("cfg");
			return config;
		}
		const patch: Record<string, unknown> = {};
		if (old.gen !== undefined) patch.haldexGeneration = old.gen;
		if (old.minPedal !== undefined) patch.disableThrottle = old.minPedal;
		if (old.maxSpeed !== undefined) patch.disableSpeed = old.maxSpeed;
		if (old.release !== undefined) patch.lockReleaseRatePctPerSec = old.release;
		try {
			config.settings = applySettingsPatch(config.settings, {}, patch).settings;
		} catch {
			damaged.push("settings");
		}
		const pairs = (v: unknown) => (Array.isArray(v) ? v.map((p) => (Array.isArray(p) ? { x: p[0], lock: p[1] } : p)) : v);
		try {
			if (old.speed !== undefined) config.speedCurve = parseCurve("speed", { points: pairs(old.speed) });
		} catch {
			damaged.push("speedCurve");
		}
		try {
			if (old.throttle !== undefined) config.throttleCurve = parseCurve("throttle", { points: pairs(old.throttle) });
		} catch {
			damaged.push("throttleCurve");
		}
		try {
			if (old.map !== undefined) config.map = parseMap(old.map);
		} catch {
			damaged.push("map");
		}
		const mode = parseModeName(old.mode);
		if (mode) config.mode = mode;
		else if (old.mode !== undefined) damaged.push("mode");
		return config;
	}
}
