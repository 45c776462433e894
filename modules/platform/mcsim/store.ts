/*
 * "platform/store" in mcsim: the settings store as one JSON file, written
 * from an object created at run time.
 *
 * Why not the SDK's Preference: on lin it keeps its cache in a static field
 * made at preload, so the cache is in flash and every save's JSON.stringify
 * throws "read only value" (hidden by its catch, after it deleted the file):
 * mcsim kept no password and no setting across a restart
 * (docs/preload-hazards.md). The board uses Preference (NVS, no JSON).
 *
 * Same limits as Preference (ports/store). A save writes a temporary file
 * and renames it over the old one, so a quit mid-save keeps the last state.
 */
import { File } from "file";
import config from "mc/config";
import { checkStoreLimits, type KeyValueStore, type StoreValue } from "ports/store";
import { fromHex, toHex } from "util/hex";

/** get() runs on every status poll (the setup window reads the password): a constant, not a literal. */
const OBJECT = "object";

type Stored = string | number | boolean | { hex: string };

export class McsimFileStore implements KeyValueStore {
	readonly #path: string;
	readonly #data: Record<string, Record<string, Stored>>;
	constructor(path: string) {
		this.#path = path;
		this.#data = McsimFileStore.#load(path);
	}
	get(domain: string, key: string): StoreValue | undefined {
		const v = this.#data[domain]?.[key];
		if (v === undefined || typeof v !== OBJECT) return v as Exclude<Stored, { hex: string }> | undefined;
		return fromHex((v as { hex: string }).hex)?.buffer as ArrayBuffer | undefined;
	}
	set(domain: string, key: string, value: StoreValue): void {
		checkStoreLimits(domain, key, value);
		(this.#data[domain] ??= {})[key] = value instanceof ArrayBuffer ? { hex: toHex(new Uint8Array(value)) } : value;
		this.#save();
	}
	delete(domain: string, key: string): void {
		const d = this.#data[domain];
		if (!d || !(key in d)) return;
		delete d[key];
		if (!Object.keys(d).length) delete this.#data[domain];
		this.#save();
	}
	keys(domain: string): string[] {
		return Object.keys(this.#data[domain] ?? {});
	}
	static #load(path: string): Record<string, Record<string, Stored>> {
		try {
			if (!File.exists(path)) return {};
			const f = new File(path);
			const text = f.read(String);
			f.close();
			const parsed = JSON.parse(text);
			return parsed && typeof parsed === "object" ? parsed : {};
		} catch (e) {
			trace(`store: ${path} unreadable, starting empty (${(e as Error).message})\n`);
			return {};
		}
	}
	#save(): void {
		const tmp = `${this.#path}.tmp`;
		if (File.exists(tmp)) File.delete(tmp);
		const f = new File(tmp, true);
		f.write(JSON.stringify(this.#data));
		f.close();
		if (!File.rename(tmp, this.#path.slice(this.#path.lastIndexOf("/") + 1))) throw new Error(`store: could not replace ${this.#path}`);
	}
}

/** One file per mcsim build; `mcconfig ... storeFile=/path` picks another (e.g. for a second mcsim). */
export function createStore(): KeyValueStore {
	const c = config as { storeFile?: string; file?: { root?: string } };
	return new McsimFileStore(c.storeFile ?? `${c.file?.root ?? "/tmp/"}openhaldex-mcsim-store.json`);
}
