// `npm run build:mcsim` / `npm run build:device`: build the app with an
// installed Moddable SDK ($MODDABLE). The pinned TypeScript from
// node_modules goes first on PATH, because mcconfig runs `tsc` and needs
// TypeScript >= 6 for its es2025 target. The version is synced first so
// the image's descriptor carries package.json's version.
//   node scripts/mcconfig.mjs lin            -> mcconfig -d -m -p lin -t build
//   node scripts/mcconfig.mjs esp32/esp32c6  -> mcconfig -d -m -p esp32/esp32c6 (builds and flashes)
//   ... esp32/esp32c6 --signing-key KEY.pem  -> the same, for signed releases: ESP-IDF's
//        sdkconfig.defaults plus sdkconfig/sdkconfig.signed, and espsecure signs the image with KEY
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signedSdkconfig } from "./signed-sdkconfig.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const platform = process.argv[2] ?? "lin";
const extra = process.argv.slice(3);
const keyAt = extra.indexOf("--signing-key");
const signingKey = keyAt >= 0 ? extra.splice(keyAt, 2)[1] : undefined;

if (!process.env.MODDABLE) {
	console.error("MODDABLE is not set: install the Moddable SDK and export MODDABLE (see README.md, 'Build for a board').");
	process.exit(2);
}

const env = { ...process.env, PATH: `${path.join(ROOT, "node_modules/.bin")}${path.delimiter}${process.env.PATH}` };
const sync = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/sync-version.ts")], { cwd: ROOT, env, stdio: "inherit" });
if (sync.status !== 0) process.exit(sync.status ?? 1);

// The web app goes into the firmware's resources (manifest.json "resources": web/dist/*).
const web = spawnSync(process.execPath, [path.join(ROOT, "scripts/build-web.mjs")], { cwd: ROOT, env, stdio: "inherit" });
if (web.status !== 0) process.exit(web.status ?? 1);

delete env.SDKCONFIGPATH; // the project's sdkconfig/ unless this is a signed-release build
if (signingKey !== undefined) {
	const key = path.resolve(signingKey);
	if (!platform.startsWith("esp32") || !fs.existsSync(key)) {
		console.error(`--signing-key needs the board platform and an existing key (${key}); make one with: npx ohx keygen KEY.pem`);
		process.exit(2);
	}
	env.SDKCONFIGPATH = signedSdkconfig(ROOT, key);
	console.log(`a build for signed releases: ${path.join(env.SDKCONFIGPATH, "sdkconfig.defaults")}, signed with ${key}`);
}

const args = ["-d", "-m", "-p", platform, ...(platform.startsWith("esp32") ? [] : ["-t", "build"]), ...extra];
console.log(`mcconfig ${args.join(" ")}`);
const r = spawnSync("mcconfig", args, { cwd: ROOT, env, stdio: "inherit" });
if (r.error) {
	console.error(`could not run mcconfig: ${r.error.message} (is $MODDABLE/build/bin/<platform>/release on PATH?)`);
	process.exit(2);
}
process.exit(r.status ?? 1);
