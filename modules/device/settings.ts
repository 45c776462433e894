/*
 * The device's own settings (store domain "device", one JSON value):
 * the favourite modes the button cycles through, what the external mode
 * input does, and the brake / handbrake output mirrors.
 */

import type { KeyValueStore } from "ports/store";
import type { MirrorConfig, MirrorMode } from "ports/io";
import { parseModeName } from "haldex/modes";
import { frozen } from "util/frozen";
import { apiError } from "api/error-codes";

export const DEVICE_DOMAIN = "device";
const KEY = "settings";

export interface DeviceSettings {
	/** Modes a short press of the button cycles through, in order. */
	favouriteModes: string[];
	/** While the external mode input is active, this mode applies; the previous one returns after. */
	externalMode: { enabled: boolean; mode: string };
	brake: MirrorConfig;
	handbrake: MirrorConfig;
}

export function defaultDeviceSettings(): DeviceSettings {
	return {
		favouriteModes: ["STOCK", "FWD", "5050", "6040", "7525"],
		externalMode: { enabled: false, mode: "5050" },
		brake: { mode: "follow", debounceMs: 0 },
		handbrake: { mode: "follow", debounceMs: 0 },
	};
}

const MIRROR_MODES: readonly MirrorMode[] = frozen(["off", "follow", "invert"]);

function bad(field: string, message: string): never {
	throw apiError("invalid_device_setting", message, { field });
}

function mode(field: string, v: unknown): string {
	const m = parseModeName(v);
	if (!m) bad(field, `${field}: unknown mode ${JSON.stringify(v)}.`);
	return m;
}

function mirror(field: string, current: MirrorConfig, v: unknown): MirrorConfig {
	if (typeof v !== "object" || v === null) bad(field, `${field} must be an object {mode, debounceMs}.`);
	const o = v as Record<string, unknown>;
	const next = { ...current };
	if (o.mode !== undefined) {
		if (!MIRROR_MODES.includes(o.mode as MirrorMode)) bad(`${field}.mode`, `${field}.mode must be off, follow or invert.`);
		next.mode = o.mode as MirrorMode;
	}
	if (o.debounceMs !== undefined) {
		if (typeof o.debounceMs !== "number" || !Number.isInteger(o.debounceMs) || o.debounceMs < 0 || o.debounceMs > 1000)
			bad(`${field}.debounceMs`, `${field}.debounceMs must be a whole number of ms, 0 to 1000.`);
		next.debounceMs = o.debounceMs;
	}
	return next;
}

/** Apply a partial patch; throws HttpError 400 naming the field. */
export function patchDeviceSettings(current: DeviceSettings, patch: unknown): DeviceSettings {
	if (typeof patch !== "object" || patch === null || Array.isArray(patch)) bad("", "Send a JSON object.");
	const p = patch as Record<string, unknown>;
	const next: DeviceSettings = { ...current };
	for (const key of Object.keys(p)) {
		const v = p[key];
		switch (key) {
			case "favouriteModes":
				if (!Array.isArray(v) || v.length < 1 || v.length > 8) bad(key, "favouriteModes must list 1 to 8 modes.");
				next.favouriteModes = (v as unknown[]).map((m, i) => mode(`favouriteModes[${i}]`, m));
				break;
			case "externalMode": {
				if (typeof v !== "object" || v === null) bad(key, "externalMode must be an object {enabled, mode}.");
				const o = v as Record<string, unknown>;
				if (o.enabled !== undefined && typeof o.enabled !== "boolean") bad("externalMode.enabled", "externalMode.enabled must be true or false.");
				next.externalMode = {
					enabled: o.enabled === undefined ? current.externalMode.enabled : (o.enabled as boolean),
					mode: o.mode === undefined ? current.externalMode.mode : mode("externalMode.mode", o.mode),
				};
				break;
			}
			case "brake":
				next.brake = mirror(key, current.brake, v);
				break;
			case "handbrake":
				next.handbrake = mirror(key, current.handbrake, v);
				break;
			default:
				bad(key, `Unknown setting "${key}".`);
		}
	}
	return next;
}

export function loadDeviceSettings(store: KeyValueStore): DeviceSettings {
	const raw = store.get(DEVICE_DOMAIN, KEY);
	if (typeof raw !== "string") return defaultDeviceSettings();
	try {
		return patchDeviceSettings(defaultDeviceSettings(), JSON.parse(raw));
	} catch {
		return defaultDeviceSettings();
	}
}

export function saveDeviceSettings(store: KeyValueStore, settings: DeviceSettings): void {
	store.set(DEVICE_DOMAIN, KEY, JSON.stringify(settings));
}
