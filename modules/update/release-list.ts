/*
 * The OTA file server's list (the fleet OTA file API, v2: GET /api/v2/ota-files) and the
 * choice of what to offer. Pure functions, every boundary pinned in
 * host-tests/firmware/update/release-list.test.ts.
 *
 * Choice rule: among active files for our module whose version is SemVer
 * (plain "1.2.3" or with "+ohxs"; build metadata is ignored when
 * comparing), offer the highest version strictly above the running one.
 * Never an older one unless the owner asked for a downgrade, and then the
 * server's highest version. (The Arduino OpenHaldex firmware compares
 * version strings for inequality and so offers downgrades; this does not.)
 */

import { compareSemVer, parseSemVer, type SemVer } from "ota/version";
import { fromHex } from "util/hex";

export interface OtaFile {
	id: string;
	version: string;
	module: string;
	isActive: boolean;
	/** SHA-256 of the file, lower-case hex, when the server gives one. */
	sha256?: string;
	size?: number;
}

export type ListParse =
	| { ok: true; files: OtaFile[] /** Entries left out: not an object, no id, no SemVer version, a bad sha256 or size. */; skipped: number }
	| { ok: false; message: string };

/** Parse the list body. Not JSON, or not a JSON array: malformed. Bad entries are skipped and counted. */
export function parseOtaFileList(text: string): ListParse {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return { ok: false, message: "The server's file list is not valid JSON." };
	}
	if (!Array.isArray(value)) return { ok: false, message: "The server's file list is not a JSON array." };
	const files: OtaFile[] = [];
	let skipped = 0;
	for (const item of value) {
		const file = toOtaFile(item);
		if (file) files.push(file);
		else skipped++;
	}
	return { ok: true, files, skipped };
}

function toOtaFile(item: unknown): OtaFile | undefined {
	if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
	const o = item as Record<string, unknown>;
	const id = typeof o.id === "number" && Number.isSafeInteger(o.id) && o.id >= 0 ? String(o.id) : o.id;
	if (typeof id !== "string" || !/^[A-Za-z0-9._~-]{1,64}$/.test(id)) return undefined;
	if (typeof o.version !== "string" || !versionOf(o.version)) return undefined;
	if (typeof o.module !== "string") return undefined;
	const file: OtaFile = { id, version: o.version, module: o.module, isActive: isTrue(o.isActive) };
	if (o.sha256 !== undefined && o.sha256 !== null && o.sha256 !== "") {
		if (typeof o.sha256 !== "string" || o.sha256.length !== 64 || !fromHex(o.sha256)) return undefined;
		file.sha256 = o.sha256.toLowerCase();
	}
	if (o.size !== undefined && o.size !== null) {
		if (typeof o.size !== "number" || !Number.isSafeInteger(o.size) || o.size <= 0) return undefined;
		file.size = o.size;
	}
	return file;
}

function isTrue(v: unknown): boolean {
	return v === true || v === 1 || v === "1" || v === "true";
}

/** SemVer of a server version: "1.2.3", "1.2.3+ohxs", "v1.2.3". */
export function versionOf(text: string): SemVer | undefined {
	return parseSemVer(text.startsWith("v") ? text.slice(1) : text);
}

export interface UpdateChoice {
	/** The server's highest version for our module (shown as "latest"); undefined when it has none. */
	latest?: OtaFile;
	/** What to offer: undefined when nothing qualifies. */
	offer?: OtaFile;
	/** The offer is older than the running version (only with allowDowngrade). */
	downgrade: boolean;
}

export function chooseUpdate(files: OtaFile[], module: string, running: string, allowDowngrade = false): UpdateChoice {
	const mine = files.filter((f) => f.isActive && f.module === module);
	let latest: OtaFile | undefined;
	for (const f of mine) {
		if (!latest || compareSemVer(versionOf(f.version)!, versionOf(latest.version)!) > 0) latest = f;
	}
	if (!latest) return { downgrade: false };
	const current = parseSemVer(running);
	const order = current ? compareSemVer(versionOf(latest.version)!, current) : 1;
	if (order > 0) return { latest, offer: latest, downgrade: false };
	if (order < 0 && allowDowngrade) return { latest, offer: latest, downgrade: true };
	return { latest, downgrade: false };
}
