/*
 * `npm run version:sync`: write package.json's version, with the +ohxs
 * identity suffix, into the places a device build reads it from:
 *   sdkconfig/sdkconfig.defaults  CONFIG_APP_PROJECT_VER (the app descriptor)
 *   manifest.json                 config.version
 * A test (host-tests/host/project-config.test.ts) fails when they disagree.
 */

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const IDENTITY_SUFFIX = "+ohxs";

export function imageVersion(): string {
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
	const version = `${pkg.version}${IDENTITY_SUFFIX}`;
	// ESP-IDF's esp_app_desc_t.version is char[32] with a terminating NUL.
	if (version.length > 31) throw new RangeError(`version "${version}" is longer than the descriptor's 31 characters`);
	return version;
}

export function syncVersion(): { version: string; changed: string[] } {
	const version = imageVersion();
	const changed: string[] = [];
	const sdkconfig = path.join(ROOT, "sdkconfig/sdkconfig.defaults");
	const before = fs.readFileSync(sdkconfig, "utf8");
	const after = before.replace(/^CONFIG_APP_PROJECT_VER=.*$/m, `CONFIG_APP_PROJECT_VER="${version}"`);
	if (after !== before) {
		fs.writeFileSync(sdkconfig, after);
		changed.push("sdkconfig/sdkconfig.defaults");
	}
	const manifestPath = path.join(ROOT, "manifest.json");
	const manifestText = fs.readFileSync(manifestPath, "utf8");
	const updated = manifestText.replace(/("version"\s*:\s*)"[^"]*"/, `$1"${version}"`);
	if (updated !== manifestText) {
		fs.writeFileSync(manifestPath, updated);
		changed.push("manifest.json");
	}
	return { version, changed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { version, changed } = syncVersion();
	console.log(`image version ${version}${changed.length ? `; updated ${changed.join(", ")}` : "; already in sync"}`);
}
