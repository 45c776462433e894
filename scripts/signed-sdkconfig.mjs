// The sdkconfig folder of a build for signed releases (scripts/mcconfig.mjs
// --signing-key): mcconfig reads sdkconfig.defaults from the folder
// $SDKCONFIGPATH names (manifest.json "SDKCONFIGPATH ?="), so it gets the
// project's settings, then sdkconfig/sdkconfig.signed, then the key's
// absolute path. It lives in build/ (not committed: it names a key on this
// machine).
import fs from "node:fs";
import path from "node:path";

/** Writes ROOT/build/sdkconfig-signed/sdkconfig.defaults for `key` and returns its folder. */
export function signedSdkconfig(root, key) {
	const dir = path.join(root, "build/sdkconfig-signed");
	fs.mkdirSync(dir, { recursive: true });
	const read = (name) => fs.readFileSync(path.join(root, "sdkconfig", name), "utf8");
	const text = `${read("sdkconfig.defaults")}\n${read("sdkconfig.signed")}\nCONFIG_SECURE_BOOT_SIGNING_KEY=${JSON.stringify(path.resolve(key))}\n`;
	fs.writeFileSync(path.join(dir, "sdkconfig.defaults"), text);
	return dir;
}
