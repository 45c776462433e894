/*
 * The simulator: the firmware modules on Node with host adapters. It keeps
 * its simulated flash and settings in a data folder that survives restarts,
 * and a firmware restart reboots it in-process: the HTTP server goes away
 * for the simulated boot time and comes back, as the board would.
 */

import fs from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createFirmware, type Firmware } from "app/firmware";
import { DEFAULT_CONFIG, type Platform } from "app/platform";
import type { Logger } from "ports/log";
import { NodeClock, NodeTimers, consoleLogger, nodeDigests } from "../adapters/node-platform";
import { FileStore } from "../adapters/file-store";
import { serveRouterOnNode, type NodeHttpServer } from "../adapters/node-http";
import { packageVersion } from "./package-info";

export interface SimulatorOptions {
	/** TCP port on 127.0.0.1; 0 picks a free one. */
	port: number;
	/** Folder for the simulated flash and settings. */
	dataDir: string;
	/** How long a simulated reboot keeps the HTTP server away. */
	bootDelayMs?: number;
	logger?: Logger;
}

export interface Simulator {
	readonly url: string;
	readonly port: number;
	readonly dataDir: string;
	/** Number of boots so far (1 after start). */
	readonly boots: number;
	/** Restart the firmware as the board would after esp_restart. */
	reboot(reason: string): Promise<void>;
	stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
	fs.mkdirSync(options.dataDir, { recursive: true });
	const logger = options.logger ?? consoleLogger("[sim] ");
	const bootDelayMs = options.bootDelayMs ?? 1500;
	let port = options.port;
	let boots = 0;
	let firmware: Firmware | undefined;
	let server: NodeHttpServer | undefined;
	let timers: NodeTimers | undefined;
	let rebooting: Promise<void> | undefined;

	async function boot(): Promise<void> {
		boots++;
		timers = new NodeTimers();
		const platform: Platform = {
			clock: new NodeClock(),
			timers,
			store: new FileStore(path.join(options.dataDir, "nvs.json")),
			restart: { restart: (reason) => { void sim.reboot(reason); } },
			digests: nodeDigests,
			system: { board: () => "simulator", resetReason: () => (boots === 1 ? "power-on" : "software"), memory: () => ({ nativeHeapFree: undefined }) },
			logger,
			random: { bytes: (n) => new Uint8Array(randomBytes(n)) },
			hostAddresses: () => ["127.0.0.1", "localhost", "[::1]"],
			runningVersion: () => packageVersion(),
		};
		firmware = createFirmware(platform, { ...DEFAULT_CONFIG, httpPort: port });
		server = await serveRouterOnNode(firmware.router, { port });
		port = server.port;
	}

	async function shutdown(): Promise<void> {
		firmware?.stop();
		timers?.cancelAll();
		await server?.close();
		firmware = undefined;
		server = undefined;
	}

	const sim: Simulator = {
		get url() { return `http://127.0.0.1:${port}`; },
		get port() { return port; },
		dataDir: options.dataDir,
		get boots() { return boots; },
		reboot(reason: string) {
			rebooting ??= (async () => {
				logger.log("warn", `restart: ${reason}`);
				await shutdown();
				await new Promise((r) => setTimeout(r, bootDelayMs));
				await boot();
				logger.log("info", `booted again (boot ${boots})`);
			})().finally(() => { rebooting = undefined; });
			return rebooting;
		},
		async stop() {
			await rebooting;
			await shutdown();
		},
	};

	await boot();
	return sim;
}
