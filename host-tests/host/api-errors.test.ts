/*
 * [spec] One error vocabulary: the table in modules/api/error-codes.ts
 * follows its rules, docs/api.md lists exactly it, no firmware module
 * writes a status next to a code by hand, and every code the web app
 * words is one the board (or the app itself) can produce.
 */

import { assert } from "chai";
import fs from "node:fs";
import path from "node:path";
import { API_ERRORS } from "api/error-codes";
import { SAY } from "../../web/src/words";
import { PROJECT_ROOT } from "../xs/xs-engine";

const MALFORMED = ["bad_request", "bad_request_target", "bad_json", "body_not_object", "host_missing"];
/** Codes the web app makes up itself (no board answer carries them). */
const APP_CODES = ["offline", "transfer_incomplete"];

function filesUnder(dir: string, ext: string): string[] {
	const out: string[] = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) out.push(...filesUnder(p, ext));
		else if (e.name.endsWith(ext)) out.push(p);
	}
	return out;
}

describe("the API's error vocabulary", () => {
	it("answers 400 only for malformed requests, and every invalid_* with 422", () => {
		for (const [code, status] of Object.entries(API_ERRORS)) {
			if (status === 400) assert.include(MALFORMED, code, `${code} is 400 but is not about a malformed request`);
			if (code.startsWith("invalid_") || (code.startsWith("image_") && code !== "image_too_large" && code !== "image_not_found"))
				assert.equal(status, 422, code);
		}
		for (const code of MALFORMED) assert.equal(API_ERRORS[code as keyof typeof API_ERRORS], 400, code);
	});

	it("is listed in docs/api.md exactly, with the same statuses", () => {
		const md = fs.readFileSync(path.join(PROJECT_ROOT, "docs/api.md"), "utf8");
		const section = md.slice(md.indexOf("## Every error code"), md.indexOf("## Errors common to every endpoint"));
		const documented = new Map<string, number>();
		for (const row of section.split("\n")) {
			const m = /^\| (\d{3}) \| (.*) \|$/.exec(row);
			if (!m) continue;
			for (const c of m[2].matchAll(/`([a-z0-9_]+)`/g)) documented.set(c[1], Number(m[1]));
		}
		assert.deepEqual([...documented.entries()].sort(), Object.entries(API_ERRORS).sort());
	});

	it("no firmware module pairs a status literal with a code by hand (the table gives the status)", () => {
		const offenders: string[] = [];
		for (const file of filesUnder(path.join(PROJECT_ROOT, "modules"), ".ts")) {
			if (file.endsWith(path.join("api", "errors.ts")) || file.endsWith("error-codes.ts")) continue;
			const text = fs.readFileSync(file, "utf8");
			for (const m of text.matchAll(/(new HttpError|errorResponse)\(\s*\d{3}\s*,\s*"[a-z0-9_]+"/g))
				offenders.push(`${path.relative(PROJECT_ROOT, file)}: ${m[0]}`);
		}
		assert.deepEqual(offenders, []);
	});

	it("the web app words only codes that exist", () => {
		for (const code of Object.keys(SAY))
			assert.isTrue(code in API_ERRORS || APP_CODES.includes(code), `web/src/words.ts words "${code}", which nothing answers`);
	});
});
