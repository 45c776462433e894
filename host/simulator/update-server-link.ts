/*
 * The simulator's side of remote updates: a reference OTA file server
 * (host/ota-server) beside the simulator, holding a demo image one minor
 * version above the factory image, and the board's update server settings
 * pointed at it, so a new user can check, install and watch the simulated
 * board reboot into the new version:
 *
 *   npm start
 *   curl -u admin:PASSWORD -X POST http://127.0.0.1:8080/api/update/check
 *   curl http://127.0.0.1:8080/api/update            # latest, available
 *   curl -u admin:PASSWORD -X POST http://127.0.0.1:8080/api/update/install
 *
 * The simulated car drives its cycle with the engine running, and the
 * update service refuses to install while the engine runs. For the demo,
 * park it (ignition on, engine off): `npm start -- --car parked`, or
 * POST /api/sim/car {"scenario":"parked"} while it runs.
 *
 * The demo files live in <data>/ota-files (regenerated when missing); the
 * settings are written into the simulator's NVS file only when no server is
 * configured or the configured one is an earlier demo on 127.0.0.1.
 */

import fs from "node:fs";
import path from "node:path";
import { FileStore } from "../adapters/file-store";
import { NodeHttpClient } from "../adapters/node-http-client";
import { buildEspImage } from "../adapters/flash/esp-image";
import { signImage } from "../cli/signing";
import { demoSigningKey } from "./demo-signing";
import { startOtaServer, type OtaServer } from "../ota-server/server";
import { loadOtaFolder, writeOtaFile } from "../ota-server/catalog";
import { parseSemVer } from "ota/version";
import type { HttpClient } from "ports/http-client";
import { DEFAULT_MODULE, UPDATE_SERVER_DOMAIN } from "update/server-settings";
import { packageVersion } from "./package-info";

export const DEMO_TOKEN = "demo-device-token";
export const DEMO_PORT = 8070;

export interface UpdateServerLinkOptions {
	dataDir: string;
	/** Default 8070; a free port when that one is taken; 0 = any free port. */
	port?: number;
	log?: (line: string) => void;
	/** Sign the demo image with the simulator's demo key (npm start -- --signed). */
	signed?: boolean;
}

export interface UpdateServerLink {
	server: OtaServer;
	/** The version of the demo image the server offers. */
	demoVersion: string;
	close(): Promise<void>;
}

/** The ports the simulator adds to its Platform for the update client (spread into the platform object). */
export function simulatorUpdatePorts(): { http: HttpClient } {
	return { http: new NodeHttpClient() };
}

/** One minor version above `version` (SemVer, build metadata dropped): "0.1.0+ohxs" -> "0.2.0". */
export function nextMinor(version: string): string {
	const v = parseSemVer(version);
	if (!v) throw new RangeError(`"${version}" is not a version`);
	return `${v.major}.${v.minor + 1}.0`;
}

export async function startUpdateServerLink(options: UpdateServerLinkOptions): Promise<UpdateServerLink> {
	const dir = path.join(options.dataDir, "ota-files");
	const demoVersion = nextMinor(packageVersion());
	let files = loadOtaFolder(dir);
	if (!files.some((f) => f.version === demoVersion && f.module === DEFAULT_MODULE)) {
		const plain = buildEspImage({ version: `${demoVersion}+ohxs`, size: 192 * 1024, seed: 0xdead });
		const image = options.signed ? signImage(plain, demoSigningKey(options.dataDir)) : plain;
		writeOtaFile(
			dir,
			`demo-${demoVersion}`,
			{ id: `demo-${demoVersion.replace(/\./g, "-")}`, module: DEFAULT_MODULE, version: demoVersion, isActive: true },
			image,
		);
		files = loadOtaFolder(dir);
	}
	const port = options.port ?? DEMO_PORT;
	let server: OtaServer;
	try {
		server = await startOtaServer({ files, token: DEMO_TOKEN, port, log: options.log });
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw e;
		server = await startOtaServer({ files, token: DEMO_TOKEN, port: 0, log: options.log });
	}
	seedServerSettings(path.join(options.dataDir, "nvs.json"), server.url);
	return { server, demoVersion, close: () => server.close() };
}

/** Point the simulator's update settings at the demo server unless the owner set another server. */
export function seedServerSettings(nvsFile: string, url: string): boolean {
	fs.mkdirSync(path.dirname(nvsFile), { recursive: true });
	const store = new FileStore(nvsFile);
	const current = store.get(UPDATE_SERVER_DOMAIN, "url");
	if (typeof current === "string" && current && !current.startsWith("http://127.0.0.1:")) return false;
	store.set(UPDATE_SERVER_DOMAIN, "url", url);
	store.set(UPDATE_SERVER_DOMAIN, "module", DEFAULT_MODULE);
	store.set(UPDATE_SERVER_DOMAIN, "token", DEMO_TOKEN);
	return true;
}
