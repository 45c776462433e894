/*
 * "platform/store" on the board: the SDK's Preference over NVS
 * (modPreference.c: no JSON, nothing preloaded to write). Only the board
 * includes Preference: on lin the SDK's version cannot save when preloaded
 * (docs/preload-hazards.md), so mcsim has its own store.
 */
import Preference from "preference";
import { checkStoreLimits, type KeyValueStore, type StoreValue } from "ports/store";
import { frozen } from "util/frozen";

const preferenceStore: KeyValueStore = frozen({
	get: (domain: string, key: string) => Preference.get(domain, key),
	set(domain: string, key: string, value: StoreValue) {
		checkStoreLimits(domain, key, value);
		Preference.set(domain, key, value);
	},
	delete: (domain: string, key: string) => Preference.delete(domain, key),
	keys: (domain: string) => Preference.keys(domain),
});

export function createStore(): KeyValueStore {
	return preferenceStore;
}
