/*
 * The simulator's demo signing key: made once in its data folder
 * (demo-signing-key.pem, readable by its owner only), so `npm start --
 * --signed` runs a board whose image is signed and which accepts only
 * images signed by that key, end to end with real RSA. A demo key, never a
 * release key.
 */

import fs from "node:fs";
import path from "node:path";
import { generateKey } from "../cli/signing";

export const DEMO_KEY_FILE = "demo-signing-key.pem";

/** The demo key's PEM, made on first use. */
export function demoSigningKey(dataDir: string): string {
	const file = path.join(dataDir, DEMO_KEY_FILE);
	if (!fs.existsSync(file)) {
		fs.mkdirSync(dataDir, { recursive: true });
		fs.writeFileSync(file, generateKey(), { mode: 0o600 });
	}
	return fs.readFileSync(file, "utf8");
}
