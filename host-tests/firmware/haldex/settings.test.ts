/* Specification of haldex/settings: validation, persistence, unknown keys and the migration rule. Runs on Node and inside XS. */

import { assert } from "../../support/assert";
import { MemoryStore, RecordingLogger } from "../../support/fakes";
import { HttpError } from "api/errors";
import {
	HaldexSettingsStore,
	KEY_LEGACY,
	KEY_MAP,
	KEY_MODE,
	KEY_SCHEMA,
	KEY_SETTINGS,
	KEY_RPM_CURVE,
	KEY_SPEED_CURVE,
	SCHEMA_VERSION,
	SETTINGS_DOMAIN,
	defaultConfig,
	migrationAllowed,
} from "haldex/settings";

const D = SETTINGS_DOMAIN;

function httpError(fn: () => unknown): HttpError {
	try {
		fn();
	} catch (e) {
		assert.instanceOf(e, HttpError);
		return e as HttpError;
	}
	throw new Error("expected an HttpError");
}

function storedJson(store: MemoryStore, key: string): any {
	return JSON.parse(store.get(D, key) as string);
}

/** Settings as the schema-1 development builds wrote them. */
function legacyStore(): MemoryStore {
	const store = new MemoryStore();
	store.set(
		D,
		KEY_LEGACY,
		JSON.stringify({
			v: 1,
			mode: "6040",
			gen: 2,
			minPedal: 15,
			maxSpeed: 120,
			release: 60,
			speed: [
				[0, 70],
				[100, 10],
			],
			throttle: [
				[0, 5],
				[60, 90],
			],
		}),
	);
	store.writes.length = 0;
	return store;
}

describe("haldex/settings", () => {
	describe("defaults", () => {
		it("starts in STOCK, Gen4, no gates, 120 %/s release and S3's curves and map, writing nothing", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			assert.equal(s.config.mode, "STOCK");
			assert.deepEqual(s.config.settings, defaultConfig().settings);
			assert.equal(s.config.settings.lockReleaseRatePctPerSec, 120);
			assert.equal(s.config.speedCurve.length, 5);
			assert.equal(s.config.map.lockTable.length, 7);
			assert.equal(s.report.source, "defaults");
			assert.lengthOf(store.writes, 0);
		});
	});

	describe("validation", () => {
		it("refuses each bad value with 422 invalid_setting naming the field, and keeps the old value", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			const cases: [Record<string, unknown>, string][] = [
				[{ haldexGeneration: 3 }, "haldexGeneration"],
				[{ haldexGeneration: 6 }, "haldexGeneration"],
				[{ haldexGeneration: "4" }, "haldexGeneration"],
				[{ disableThrottle: 101 }, "disableThrottle"],
				[{ disableThrottle: -1 }, "disableThrottle"],
				[{ disableSpeed: 300.5 }, "disableSpeed"],
				[{ lockReleaseRatePctPerSec: 1001 }, "lockReleaseRatePctPerSec"],
				[{ lockReleaseRatePctPerSec: null }, "lockReleaseRatePctPerSec"],
				[{ disableController: "yes" }, "disableController"],
				[{ disengageUnderSpeed: 5 }, "disengageUnderSpeed"],
				[{ disengageUnderSpeed: { boost: 10 } }, "disengageUnderSpeed.boost"],
				[{ disengageUnderSpeed: { rpm: 301 } }, "disengageUnderSpeed.rpm"],
				[{ disengageUnderSpeed: { map: 301 } }, "disengageUnderSpeed.map"],
			];
			for (const [patch, field] of cases) {
				const e = httpError(() => s.updateSettings(patch));
				assert.equal(e.status, 422, JSON.stringify(patch));
				assert.equal(e.code, "invalid_setting");
				assert.equal(e.detail?.field, field);
			}
			assert.deepEqual(s.config.settings, defaultConfig().settings);
			assert.lengthOf(store.writes, 0, "nothing written for a refused change");
		});
		it("changes nothing when one field of several is bad", () => {
			const s = new HaldexSettingsStore(new MemoryStore());
			httpError(() => s.updateSettings({ disableThrottle: 30, disableSpeed: 999 }));
			assert.equal(s.config.settings.disableThrottle, 0);
		});
		it("refuses a body that is not an object with 400 body_not_object", () => {
			const s = new HaldexSettingsStore(new MemoryStore());
			for (const body of [null, [], "x", 3, undefined]) {
				const e = httpError(() => s.updateSettings(body));
				assert.equal(e.status, 400);
				assert.equal(e.code, "body_not_object");
			}
		});
		it("refuses a bad curve, map or mode with its own code and keeps the old one", () => {
			const s = new HaldexSettingsStore(new MemoryStore());
			const before = JSON.stringify(s.config);
			assert.equal(
				httpError(() =>
					s.setCurve("speed", {
						points: [
							{ x: 5, lock: 0 },
							{ x: 5, lock: 1 },
						],
					}),
				).code,
				"invalid_curve",
			);
			assert.equal(httpError(() => s.setMap({ speedBins: [] })).code, "invalid_map");
			const e = httpError(() => s.setMode("BOOST"));
			assert.equal(e.code, "invalid_mode");
			assert.equal(e.status, 422);
			assert.equal(JSON.stringify(s.config), before);
		});
	});

	describe("persistence", () => {
		it("writes a change with the schema marker and reads it back after a restart", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			s.updateSettings({ disableThrottle: 12.5, haldexGeneration: 1, disengageUnderSpeed: { speed: 20 } });
			s.setMode("7030");
			s.setCurve("throttle", {
				points: [
					{ x: 0, lock: 0 },
					{ x: 100, lock: 100 },
				],
			});
			assert.equal(store.get(D, KEY_SCHEMA), SCHEMA_VERSION);
			assert.equal(store.get(D, KEY_MODE), "7525");
			const again = new HaldexSettingsStore(store);
			assert.equal(again.report.source, "stored");
			assert.equal(again.config.mode, "7525");
			assert.equal(again.config.settings.disableThrottle, 12.5);
			assert.equal(again.config.settings.haldexGeneration, 1);
			assert.deepEqual(again.config.settings.disengageUnderSpeed, { map: 0, speed: 20, throttle: 0, rpm: 0 });
			assert.deepEqual(again.config.throttleCurve, [
				{ x: 0, lock: 0 },
				{ x: 100, lock: 100 },
			]);
		});
		it("keeps the RPM curve under its own key, and the RPM mode and gate, across a restart", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			const points = [
				{ x: 1500, lock: 0 },
				{ x: 4000, lock: 60 },
				{ x: 10000, lock: 100 },
			];
			s.setCurve("rpm", { points });
			s.setMode("rpm");
			s.updateSettings({ disengageUnderSpeed: { rpm: 25 } });
			assert.equal(store.get(D, KEY_RPM_CURVE), JSON.stringify(points));
			const again = new HaldexSettingsStore(store);
			assert.deepEqual(again.config.rpmCurve, points);
			assert.equal(again.config.mode, "RPM");
			assert.equal(again.config.settings.disengageUnderSpeed.rpm, 25);
			assert.deepEqual(again.config.speedCurve, defaultConfig().speedCurve, "the other curves untouched");
		});
		it("reads S3's factory RPM curve from a store written before the RPM mode existed", () => {
			const store = new MemoryStore();
			new HaldexSettingsStore(store).updateSettings({ disengageUnderSpeed: { speed: 10 } });
			store.delete(D, KEY_RPM_CURVE);
			// The stored disengageUnderSpeed of that firmware has no rpm field.
			store.set(D, KEY_SETTINGS, JSON.stringify({ ...defaultConfig().settings, disengageUnderSpeed: { map: 0, speed: 10, throttle: 0 } }));
			const s = new HaldexSettingsStore(store);
			assert.equal(s.report.source, "stored");
			assert.deepEqual(s.report.damaged, []);
			assert.deepEqual(
				s.config.rpmCurve.map((p) => [p.x, p.lock]),
				[
					[0, 0],
					[1000, 10],
					[2000, 30],
					[3500, 55],
					[5000, 80],
					[6500, 100],
				],
			);
			assert.deepEqual(s.config.settings.disengageUnderSpeed, { map: 0, speed: 10, throttle: 0, rpm: 0 });
		});
		it("refuses an RPM curve point over 10000 rpm (S3's limit)", () => {
			const s = new HaldexSettingsStore(new MemoryStore());
			const e = httpError(() => s.setCurve("rpm", { points: [{ x: 10001, lock: 10 }] }));
			assert.equal(e.code, "invalid_curve");
			assert.equal(e.detail?.field, "points[0].x");
			assert.include(e.message, "The RPM curve: Point 1: the engine speed must be 0 to 10000 rpm.");
		});
		it("writes only the key a change touches", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			s.setMode("5050");
			store.writes.length = 0;
			s.setMap(defaultConfig().map);
			assert.deepEqual(
				store.writes.map((w) => w.key),
				[KEY_MAP],
			);
		});
		it("keeps every key within the Preference limits with full 12-point curves", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			const points = Array.from({ length: 12 }, (_, i) => ({ x: i * 27.25, lock: 99.75 - i }));
			assert.doesNotThrow(() => s.setCurve("speed", { points }));
			assert.deepEqual(new HaldexSettingsStore(store).config.speedCurve, points);
		});
		it("falls back to the default for an unreadable stored part, logs it, and keeps the rest", () => {
			const store = new MemoryStore();
			new HaldexSettingsStore(store).setMode("MAP");
			store.set(D, KEY_SPEED_CURVE, "{not json");
			const logger = new RecordingLogger();
			const s = new HaldexSettingsStore(store, logger);
			assert.deepEqual(s.report.damaged, ["speedCurve"]);
			assert.deepEqual(s.config.speedCurve, defaultConfig().speedCurve);
			assert.equal(s.config.mode, "MAP");
			assert.isTrue(logger.has("speedCurve"));
		});
		it("refuses a value the store cannot hold with 422 settings_too_large and keeps the old settings", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			const e = httpError(() => s.updateSettings({ notes: "x".repeat(4000) }));
			assert.equal(e.code, "settings_too_large");
			assert.notProperty(s.config.extra, "notes");
			assert.isUndefined(store.get(D, KEY_SETTINGS));
		});
		it("turns a store failure into 500 settings_write_failed and keeps the old settings", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			store.set = () => {
				throw new Error("flash busy");
			};
			const e = httpError(() => s.updateSettings({ disableSpeed: 100 }));
			assert.equal(e.status, 500);
			assert.equal(e.code, "settings_write_failed");
			assert.equal(s.config.settings.disableSpeed, 0);
		});
	});

	describe("unknown keys", () => {
		it("keeps keys it does not know from a POST, reports them, and stores them", () => {
			const store = new MemoryStore();
			const s = new HaldexSettingsStore(store);
			const unknown = s.updateSettings({ broadcastOpenHaldexOverCAN: false, logging: { level: 2 }, disableSpeed: 90 });
			assert.deepEqual(unknown, ["broadcastOpenHaldexOverCAN", "logging"]);
			const stored = storedJson(store, KEY_SETTINGS);
			assert.equal(stored.broadcastOpenHaldexOverCAN, false);
			assert.deepEqual(stored.logging, { level: 2 });
			assert.equal(stored.disableSpeed, 90);
		});
		it("keeps keys a newer firmware stored through a change made here", () => {
			const store = new MemoryStore();
			store.set(D, KEY_SCHEMA, SCHEMA_VERSION);
			store.set(D, KEY_SETTINGS, JSON.stringify({ disableThrottle: 5, futureFeature: { on: true } }));
			const s = new HaldexSettingsStore(store);
			assert.deepEqual(s.config.extra, { futureFeature: { on: true } });
			s.updateSettings({ disableThrottle: 6 });
			assert.deepEqual(storedJson(store, KEY_SETTINGS).futureFeature, { on: true });
		});
		it("refuses __proto__ as a setting name", () => {
			const s = new HaldexSettingsStore(new MemoryStore());
			assert.equal(httpError(() => s.updateSettings(JSON.parse('{"__proto__": {"x": 1}}'))).code, "invalid_setting");
		});
	});

	describe("migration", () => {
		it("allows migration only once the image is VALID (or UNDEFINED: flashed over USB)", () => {
			assert.isTrue(migrationAllowed("VALID"));
			assert.isTrue(migrationAllowed("UNDEFINED"));
			for (const s of ["PENDING_VERIFY", "NEW", "INVALID", "ABORTED"] as const) assert.isFalse(migrationAllowed(s), s);
		});
		it("reads schema-1 settings into memory at boot without writing anything", () => {
			const store = legacyStore();
			const s = new HaldexSettingsStore(store);
			assert.equal(s.report.source, "schema-1");
			assert.isTrue(s.migrationPending);
			assert.equal(s.config.mode, "6040");
			assert.equal(s.config.settings.haldexGeneration, 2);
			assert.equal(s.config.settings.disableThrottle, 15);
			assert.equal(s.config.settings.disableSpeed, 120);
			assert.equal(s.config.settings.lockReleaseRatePctPerSec, 60);
			assert.deepEqual(s.config.speedCurve, [
				{ x: 0, lock: 70 },
				{ x: 100, lock: 10 },
			]);
			assert.lengthOf(store.writes, 0);
		});
		it("defers the migration while the image is PENDING_VERIFY, and keeps changes in memory only", () => {
			const store = legacyStore();
			const s = new HaldexSettingsStore(store);
			assert.equal(s.migrateIfConfirmed("PENDING_VERIFY"), "deferred");
			s.setMode("5050");
			s.updateSettings({ disableSpeed: 80 });
			assert.equal(s.config.mode, "5050");
			assert.equal(s.config.settings.disableSpeed, 80);
			assert.lengthOf(store.writes, 0, "a rollback must find the schema-1 settings untouched");
			const rolledBack = new HaldexSettingsStore(store);
			assert.equal(rolledBack.report.source, "schema-1");
			assert.equal(rolledBack.config.mode, "6040");
		});
		it("writes the new schema once VALID, including changes made while pending, schema marker last", () => {
			const store = legacyStore();
			const s = new HaldexSettingsStore(store);
			s.updateSettings({ disableSpeed: 80 });
			assert.equal(s.migrateIfConfirmed("VALID"), "migrated");
			assert.equal(store.writes[store.writes.length - 1].key, KEY_SCHEMA);
			assert.equal(store.get(D, KEY_SCHEMA), SCHEMA_VERSION);
			assert.isDefined(store.get(D, KEY_LEGACY), "the old key stays for a manual downgrade");
			assert.isFalse(s.migrationPending);
			assert.equal(s.migrateIfConfirmed("VALID"), "nothing-to-do");
			const next = new HaldexSettingsStore(store);
			assert.equal(next.report.source, "stored");
			assert.equal(next.config.mode, "6040");
			assert.equal(next.config.settings.disableSpeed, 80);
			assert.equal(next.config.settings.haldexGeneration, 2);
		});
		it("has nothing to migrate on an empty store or current-schema settings", () => {
			const store = new MemoryStore();
			assert.equal(new HaldexSettingsStore(store).migrateIfConfirmed("VALID"), "nothing-to-do");
			assert.lengthOf(store.writes, 0);
		});
		it("uses defaults for a newer schema, writes nothing and refuses changes with 409", () => {
			const store = new MemoryStore();
			store.set(D, KEY_SCHEMA, SCHEMA_VERSION + 1);
			store.set(D, KEY_MODE, "5050");
			store.writes.length = 0;
			const s = new HaldexSettingsStore(store);
			assert.equal(s.report.source, "newer-schema");
			assert.equal(s.config.mode, "STOCK");
			const e = httpError(() => s.setMode("FWD"));
			assert.equal(e.status, 409);
			assert.equal(e.code, "settings_newer_schema");
			assert.lengthOf(store.writes, 0);
		});
	});
});
