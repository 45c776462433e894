/*
 * The reference server's folder format: one `<name>.json` per firmware file
 * with its metadata, beside the binary `<name>.bin` (or the `file` the JSON
 * names):
 *
 *   {"id": "12345", "module": "openhaldex-xs", "version": "0.2.0",
 *    "isActive": true, "sha256": "...", "size": 123456}
 *
 * sha256 and size are computed from the binary when absent.
 */

import fs from "node:fs";
import path from "node:path";
import { otaFile, type OtaFileRecord } from "./server";

export interface OtaFileMeta {
	id: string | number;
	module: string;
	version: string;
	isActive?: boolean;
	sha256?: string;
	size?: number;
	/** The binary, relative to the folder; default `<name>.bin`. */
	file?: string;
}

export function loadOtaFolder(dir: string): OtaFileRecord[] {
	if (!fs.existsSync(dir)) return [];
	const out: OtaFileRecord[] = [];
	for (const name of fs
		.readdirSync(dir)
		.filter((n) => n.endsWith(".json"))
		.sort()) {
		const meta = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as OtaFileMeta;
		const binary = path.join(dir, meta.file ?? name.replace(/\.json$/, ".bin"));
		const data = new Uint8Array(fs.readFileSync(binary));
		out.push(otaFile({ ...meta, fileName: path.basename(binary) }, data));
	}
	return out;
}

/** Write one file and its metadata (sha256 and size filled in); returns the record. */
export function writeOtaFile(dir: string, name: string, meta: Omit<OtaFileMeta, "file" | "sha256" | "size">, data: Uint8Array): OtaFileRecord {
	fs.mkdirSync(dir, { recursive: true });
	const record = otaFile({ ...meta, fileName: `${name}.bin` }, data);
	fs.writeFileSync(path.join(dir, `${name}.bin`), data);
	const json: OtaFileMeta = {
		id: record.id,
		module: record.module,
		version: record.version,
		isActive: record.isActive,
		sha256: record.sha256,
		size: record.size,
	};
	fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
	return record;
}
