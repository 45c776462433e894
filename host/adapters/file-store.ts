/*
 * Key-value store kept in a JSON file: the simulator's NVS. It enforces the
 * Preference limits (ports/store) and writes atomically (temp file, then
 * rename), so an interrupted simulator never leaves a torn settings file.
 */

import fs from "node:fs";
import path from "node:path";
import { checkStoreLimits, type KeyValueStore, type StoreValue } from "ports/store";

type Encoded = { t: "s"; v: string } | { t: "n"; v: number } | { t: "b"; v: boolean } | { t: "a"; v: string };

export class FileStore implements KeyValueStore {
	readonly file: string;
	#data: Record<string, Record<string, Encoded>>;

	constructor(file: string) {
		this.file = file;
		this.#data = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
	}

	get(domain: string, key: string): StoreValue | undefined {
		const e = this.#data[domain]?.[key];
		if (!e) return undefined;
		if (e.t === "a") {
			const b = Buffer.from(e.v, "base64");
			return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
		}
		return e.v;
	}

	set(domain: string, key: string, value: StoreValue): void {
		checkStoreLimits(domain, key, value);
		const e: Encoded =
			typeof value === "string"
				? { t: "s", v: value }
				: typeof value === "number"
					? { t: "n", v: value }
					: typeof value === "boolean"
						? { t: "b", v: value }
						: { t: "a", v: Buffer.from(value).toString("base64") };
		(this.#data[domain] ??= {})[key] = e;
		this.#flush();
	}

	delete(domain: string, key: string): void {
		if (this.#data[domain]?.[key] === undefined) return;
		delete this.#data[domain][key];
		this.#flush();
	}

	keys(domain: string): string[] {
		return Object.keys(this.#data[domain] ?? {});
	}

	#flush(): void {
		fs.mkdirSync(path.dirname(this.file), { recursive: true });
		const tmp = `${this.file}.tmp`;
		fs.writeFileSync(tmp, JSON.stringify(this.#data));
		fs.renameSync(tmp, this.file);
	}
}
