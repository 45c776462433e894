/*
 * The project's manifests as mcconfig reads them for one platform: includes
 * followed (the SDK's own, "$(...)" paths, are listed but not opened), the
 * first matching "platforms" entry merged (mcconfig's matchPlatform: an exact
 * name, then "family/*", then the family, then "..."), module paths resolved
 * against the manifest that names them. Used by the tests that hold the
 * build's shape (host-tests/host/project-config.test.ts) and by
 * scripts/check-device.ts.
 */
import fs from "node:fs";
import path from "node:path";

export interface ResolvedManifest {
	platform: string;
	/** module name -> absolute path without extension (a folder wildcard ends in "/*"). */
	modules: Map<string, string>;
	/** C/H files and anything listed under "*": absolute paths without extension. */
	files: string[];
	preload: string[];
	/** "error" entries met on the way (a platform the project refuses). */
	errors: string[];
	/** SDK manifests included ("$(MODDABLE)/...", "$(MODULES)/..."). */
	sdkIncludes: string[];
	/** Project manifests read, in order. */
	manifests: string[];
	config: Record<string, unknown>;
	defines: Record<string, unknown>;
	build: Record<string, string>;
	dependencies: unknown[];
}

type Json = Record<string, any>;

export function matchPlatform(platforms: Json, name: string): Json | undefined {
	const parts = name.split("/");
	while (parts.length) {
		const partial = parts.join("/");
		for (const key of Object.keys(platforms)) {
			if (key.endsWith("/*") ? partial.startsWith(key.slice(0, -1)) : key.startsWith("*/") ? partial.endsWith(key.slice(1)) : partial === key)
				return platforms[key];
		}
		parts.pop();
	}
	return "..." in platforms ? platforms["..."] : undefined;
}

function merge(target: Json, source: Json): void {
	for (const [k, v] of Object.entries(source)) {
		if (v && typeof v === "object" && !Array.isArray(v) && target[k] && typeof target[k] === "object") merge(target[k], v);
		else target[k] = v;
	}
}

export function resolveManifest(root: string, platform: string, file = "manifest.json"): ResolvedManifest {
	const out: ResolvedManifest = {
		platform,
		modules: new Map(),
		files: [],
		preload: [],
		errors: [],
		sdkIncludes: [],
		manifests: [],
		config: {},
		defines: {},
		build: {},
		dependencies: [],
	};
	const read = (manifestPath: string) => {
		out.manifests.push(path.relative(root, manifestPath));
		const json: Json = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
		apply(json, path.dirname(manifestPath));
	};
	const include = (list: unknown, dir: string) => {
		for (const entry of ([] as string[]).concat((list as string[] | string | undefined) ?? [])) {
			if (entry.startsWith("$(")) out.sdkIncludes.push(entry);
			else read(path.resolve(dir, entry));
		}
	};
	const apply = (json: Json, dir: string) => {
		include(json.include, dir);
		if (json.error) out.errors.push(String(json.error));
		for (const [name, target] of Object.entries<any>(json.modules ?? {})) {
			const targets = ([] as string[]).concat(target);
			if (name === "*") {
				for (const t of targets) out.files.push(t.startsWith("$(") ? t : path.resolve(dir, t));
				continue;
			}
			out.modules.set(name, targets[0].startsWith("$(") ? targets[0] : path.resolve(dir, targets[0]));
		}
		out.preload.push(...((json.preload as string[] | undefined) ?? []));
		merge(out.config, json.config ?? {});
		merge(out.defines, json.defines ?? {});
		Object.assign(out.build, json.build ?? {});
		out.dependencies.push(...((json.dependency as unknown[] | undefined) ?? []));
		if (json.platforms) {
			const chosen = matchPlatform(json.platforms, platform);
			if (chosen) apply(chosen, dir);
		}
	};
	read(path.resolve(root, file));
	return out;
}

/** The files a module path stands for (mcconfig: every file with that base name, or a folder's files for "/*"). */
export function filesOf(modulePath: string): string[] {
	if (modulePath.endsWith("/*")) {
		const dir = modulePath.slice(0, -2);
		return fs.existsSync(dir)
			? fs
					.readdirSync(dir)
					.filter((f) => /\.(ts|js|c|h)$/.test(f))
					.map((f) => path.join(dir, f))
			: [];
	}
	const dir = path.dirname(modulePath),
		base = path.basename(modulePath);
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.startsWith(`${base}.`) && /^\.(ts|d\.ts|js|c|h)$/.test(f.slice(base.length)))
		.map((f) => path.join(dir, f));
}

/** Every JS/TS module of a resolved manifest, by module name (wildcards expanded, .d.ts excluded). */
export function scriptModules(m: ResolvedManifest): Map<string, string> {
	const names = new Map<string, string>();
	for (const [name, target] of m.modules) {
		if (target.startsWith("$(")) continue;
		if (name.endsWith("/*")) {
			for (const file of filesOf(target)) {
				if (/\.(ts|js)$/.test(file) && !file.endsWith(".d.ts")) names.set(`${name.slice(0, -1)}${path.basename(file).replace(/\.(ts|js)$/, "")}`, file);
			}
		} else {
			const file = filesOf(target).find((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"));
			if (file) names.set(name, file);
		}
	}
	return names;
}
