/*
 * [spec] The preload hazards (docs/preload-hazards.md): nothing a preloaded
 * firmware module creates at its top level may be a RegExp, an unfrozen
 * object, a `let`, or an instance, and no module-level object reaches
 * JSON.stringify. The files checked are the ones the manifests preload for
 * the board and for mcsim (scripts/manifest.ts), so a new module is covered
 * the day it is added. The planted examples show that each class is found.
 */
import { assert } from "chai";
import fs from "node:fs";
import path from "node:path";
import { findHazards, type Hazard } from "../../scripts/preload-hazards";
import { resolveManifest, scriptModules } from "../../scripts/manifest";
import { PROJECT_ROOT } from "../xs/xs-engine";

/** Known and explained; docs/preload-hazards.md says why each stays. */
const EXPLAINED: { file: string; kind: Hazard["kind"]; why: string }[] = [
	{
		file: "modules/platform/mcsim/ota-native.ts",
		kind: "module-let",
		why: "mcsim only: stands in for a stateful native (esp_ota_begin/write/end); XS copies the binding into RAM on its first write",
	},
];

function preloadedFiles(): string[] {
	const files = new Set<string>();
	for (const platform of ["esp32/esp32c6", "lin"]) {
		const m = resolveManifest(PROJECT_ROOT, platform);
		const scripts = scriptModules(m);
		for (const name of m.preload) {
			const file = scripts.get(name);
			if (file?.endsWith(".ts")) files.add(file);
		}
	}
	return [...files].sort();
}

const hazardsIn = (source: string) => findHazards("planted.ts", source).map((h) => h.kind);

describe("preload hazards in firmware modules", () => {
	const files = preloadedFiles();
	it("checks every preloaded TypeScript module of both targets", () => {
		assert.isAbove(files.length, 70);
		assert.include(
			files.map((f) => path.relative(PROJECT_ROOT, f)),
			"modules/ota/version.ts",
		);
	});
	it("finds none, apart from the explained ones", () => {
		const found: string[] = [];
		for (const file of files) {
			const rel = path.relative(PROJECT_ROOT, file);
			for (const h of findHazards(rel, fs.readFileSync(file, "utf8"))) {
				if (EXPLAINED.some((e) => e.file === rel && e.kind === h.kind)) continue;
				found.push(`${h.kind} ${rel}:${h.line} ${h.text}`);
			}
		}
		assert.deepEqual(found, []);
	});
	it("keeps every explained exception real (no stale entries)", () => {
		for (const e of EXPLAINED) {
			const kinds = findHazards(e.file, fs.readFileSync(path.join(PROJECT_ROOT, e.file), "utf8")).map((h) => h.kind);
			assert.include(kinds, e.kind, `${e.file} no longer has ${e.kind}: drop it from EXPLAINED`);
		}
	});

	describe("finds each class in a planted example", () => {
		it("a RegExp literal or RegExp() at module level, and in a class static initializer", () => {
			assert.deepEqual(hazardsIn(`const SEMVER = /^(\\d+)\\.(\\d+)$/;`), ["module-regexp"]);
			assert.deepEqual(hazardsIn(`export const R = new RegExp("a+");`), ["module-regexp"]);
			assert.deepEqual(hazardsIn(`class A { static re = /x/; }`), ["module-regexp"]);
		});
		it("but not a RegExp made inside a function (a new one per call, in RAM)", () => {
			assert.deepEqual(hazardsIn(`export function ok(s: string) { return /^\\d+$/.test(s); }\nexport const f = (s: string) => new RegExp(s);`), []);
		});
		it("an unfrozen module-level object, array, nested literal or enum", () => {
			assert.deepEqual(hazardsIn(`export const SNTP_SERVERS = ["pool.ntp.org"];`), ["unfrozen-object"]);
			assert.deepEqual(hazardsIn(`const LIMITS = { a: [0, 1] } as const;`), ["unfrozen-object", "unfrozen-object"]);
			assert.deepEqual(hazardsIn(`const L = Object.freeze({ a: [0, 1] });`), ["unfrozen-object"], "Object.freeze is shallow: the inner array is not frozen");
			assert.deepEqual(hazardsIn(`enum Color { Red, Green }`), ["unfrozen-object"]);
			assert.deepEqual(hazardsIn(`class P { static #cache = {}; }`), ["unfrozen-object"]);
		});
		it("but not a frozen() one, an Object.freeze on each literal, a const enum or a literal in a function", () => {
			assert.deepEqual(hazardsIn(`import { frozen } from "util/frozen";\nconst L = frozen({ a: [0, 1], b: { c: [2] } });`), []);
			assert.deepEqual(hazardsIn(`const L = Object.freeze({ a: Object.freeze([0, 1]) });\nconst enum K { A }\nexport function f() { return { a: [1] }; }`), []);
		});
		it("a module-level let or var", () => {
			assert.deepEqual(hazardsIn(`let count = 0;\nexport function bump() { return ++count; }`), ["module-let"]);
			assert.deepEqual(hazardsIn(`var x = 1;`), ["module-let"]);
		});
		it("an instance created at module level", () => {
			assert.deepEqual(hazardsIn(`const cache = new Map<string, number>();`), ["module-instance"]);
			assert.deepEqual(hazardsIn(`export function make() { return new Map(); }`), []);
		});
		it("a string literal compared with, or a parameter's default, in a function marked @hot (method, function, returned arrow), but not in others", () => {
			assert.deepEqual(hazardsIn(`class C { /** @hot */\n state() { return this.s === "running" ? 1 : 2; } }`), ["hot-literal"]);
			assert.deepEqual(
				hazardsIn(`/** one step. @hot */\nexport function f(m: string) { switch (m) { case "STOCK": return 0; } return typeof m !== "string" ? 1 : 2; }`),
				["hot-literal", "hot-literal"],
			);
			assert.deepEqual(hazardsIn(`export function g() {\n /** @hot */\n return (req: { method: string }) => req.method === "OPTIONS"; }`), ["hot-literal"]);
			assert.deepEqual(
				hazardsIn(`const RUNNING = "running";\n/** @hot */\nexport function ok(s: string) { if (s !== RUNNING) return "why: " + s; return s; }`),
				[],
			);
			assert.deepEqual(hazardsIn(`export function cold(s: string) { return s === "running"; }`), []);
			assert.deepEqual(hazardsIn(`/** @hot */\nexport function set(pct: number, mode = "CUSTOM") { return mode; }`), ["hot-literal"]);
		});
		it("for-in and Object's key-list methods in a function marked @hot, but not in others", () => {
			assert.deepEqual(
				hazardsIn(
					`/** @hot */\nexport function name(codes: Record<string, number>, c: number) { for (const k in codes) if (codes[k] === c) return k; return undefined; }`,
				),
				["hot-enumeration"],
			);
			assert.deepEqual(
				hazardsIn(
					`/** @hot */\nexport function fill(o: object, a: object) { Object.assign(o, a); return Object.keys(a).length + Object.values(a).length + Object.entries(a).length; }`,
				),
				["hot-enumeration", "hot-enumeration", "hot-enumeration", "hot-enumeration"],
			);
			assert.deepEqual(hazardsIn(`export function copy(o: object, a: object) { for (const k in a) void k; return Object.assign(o, a); }`), []);
		});
		it("JSON.stringify of a module-level object, unless a local shadows it", () => {
			assert.includeMembers(hazardsIn(`const SERVERS = frozen(["a"]);\nexport const text = () => JSON.stringify(SERVERS);`), ["stringify-module-object"]);
			assert.deepEqual(
				hazardsIn(
					`import { frozen } from "util/frozen";\nconst SERVERS = frozen(["a"]);\nexport function t(SERVERS: string[]) { return JSON.stringify(SERVERS); }`,
				),
				[],
			);
		});
	});
});
