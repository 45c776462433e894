/*
 * The simulator: the firmware modules on Node with host adapters. It keeps
 * its simulated flash and settings in a data folder that survives restarts,
 * and a firmware restart reboots it in-process: the HTTP server goes away
 * for the simulated boot time and comes back, as the board would.
 *
 * OTA: the flash is a 4 MB file (dataDir/flash.bin) laid out by
 * partitions.csv, with the binary partition table at 0x8000 (what
 * gen_esp32part.py makes of the same CSV), so ESP-IDF's parttool and
 * otatool read it as a board's flash. The bootloader region (0x0-0x8000)
 * stays erased: the second-stage bootloader is simulated, not stored. On
 * first start a factory image of package.json's version (+ohxs) is
 * written into ota_0, otadata blank, as a USB flash leaves a board. Every
 * boot goes through the simulated bootloader (ESP-IDF v6.0's selection and
 * rollback rules, host/adapters/flash/bootloader.ts); the
 * running version is the booted slot's descriptor. failNextHealthCheck()
 * (or --fail-health) makes the next first-boot health check fail, so a
 * reset during it rolls back, end to end.
 */

import fs from "node:fs";
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { createFirmware, type Firmware, type FirmwareOptions } from "app/firmware";
import { DEFAULT_CONFIG, type Platform } from "app/platform";
import type { Logger } from "ports/log";
import { NodeClock, NodeTimers, consoleLogger, nodeDigests } from "../adapters/node-platform";
import { FileStore } from "../adapters/file-store";
import { serveRouterOnNode, type NodeHttpServer } from "../adapters/node-http";
import { packageVersion, ROOT } from "./package-info";
import { runningImage } from "ota/slot-info";
import { DEFAULT_HEALTH_WINDOW_MS, type BootStatus } from "ota/boot-confirm";
import { NorFlash } from "../adapters/flash/nor-flash";
import { FileFlashStorage } from "../adapters/flash/file-storage";
import { layoutFromCsv } from "../adapters/flash/layout";
import { PARTITION_TABLE_OFFSET, encodePartitionTable, parsePartitionCsv } from "../adapters/flash/partition-table";
import { FlashBoard } from "../adapters/flash/board";
import { espIdfSignatureCheck } from "../adapters/flash/esp-idf-signature-check";
import { buildEspImage } from "../adapters/flash/esp-image";
import { signImage } from "../cli/signing";
import { demoSigningKey } from "./demo-signing";
import type { BootResult } from "../adapters/flash/bootloader";
import { startCarLink, type CarLink, type CarScenario } from "./car-link";
import type { Generation } from "../car/haldex-sim";
import { registerSimControls } from "./sim-controls";
import { ownerOnly } from "./device-sim";
import { fileAssets } from "../adapters/file-assets";
import { nodeTcpServer } from "../adapters/node-tcp-server";
import { simulatorUpdatePorts } from "./update-server-link";
import { createDeviceSim, type DeviceSim, type DeviceSimOptions } from "./device-sim";

export const SIM_FLASH_SIZE = 4 * 1024 * 1024;

export interface SimulatorOptions {
	/** TCP port on 127.0.0.1; 0 picks a free one. */
	port: number;
	/** Folder for the simulated flash and settings. */
	dataDir: string;
	/** How long a simulated reboot keeps the HTTP server away. */
	bootDelayMs?: number;
	logger?: Logger;
	/** How long a new image must stay healthy before it is confirmed (30 s like the board). */
	healthWindowMs?: number;
	/** Start with the failing-health switch on (--fail-health). */
	failHealth?: boolean;
	/** GVRET (SavvyCAN) TCP port on 127.0.0.1; 0 picks a free one; absent: no GVRET server. */
	gvretPort?: number;
	/** Replay this candump log on the chassis bus instead of the drive cycle (host/simulator/car-link). */
	canLog?: string;
	/** The simulated car drives its cycle (default) or stands parked, engine off (updates need that). */
	car?: CarScenario;
	/** The car's Haldex generation (5: an MQB car), saved as the firmware's haldexGeneration setting at the
	 * first boot, as an owner would on the Setup page. The simulated car follows that setting from then on. */
	generation?: Generation;
	/** Firmware options for tests (e.g. a short upload stall timeout). */
	firmware?: Pick<FirmwareOptions, "update" | "auth">;
	/** Device services (host/simulator/device-sim): DNS port, Wi-Fi join delay, watchdog timeout. */
	device?: Pick<DeviceSimOptions, "dnsPort" | "joinDelayMs" | "watchdogTimeoutMs">;
	/**
	 * A board built for signed releases (--signed): on the first start the
	 * factory image is signed with the demo key in the data folder, so the
	 * board accepts only images that key signed; and esp_ota_end checks the
	 * first signature block as ESP-IDF's CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT does.
	 */
	signed?: boolean;
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
	/** The flash, bootloader and OtaPort of the current boot. */
	readonly board: FlashBoard;
	/** What the simulated bootloader did at the last boot. */
	readonly lastBoot: BootResult | undefined;
	/** The ports the firmware got at the current boot. */
	readonly platform: Platform;
	/** First-boot health confirmation of the current boot. */
	bootStatus(): BootStatus;
	/** Simulator only: the next health check of a new image fails, so a reset rolls it back. */
	failNextHealthCheck(on?: boolean): void;
	/** Simulated car -> C core (Node binding) -> simulated Haldex. */
	readonly carLink: CarLink;
	/** The firmware of the current boot. */
	readonly firmware: Firmware;
	/** Wi-Fi, button, LED, brake mirrors, watchdog, crashes (host/simulator/device-sim). */
	readonly device: DeviceSim;
	/** The GVRET server's port, when it listens. */
	readonly gvretPort: number | undefined;
}

/** A port nothing listens on now (the OS's choice), for "--port 0". */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once("error", reject);
		probe.listen(0, "127.0.0.1", () => {
			const { port } = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

const nodeMd5 = (bytes: Uint8Array) => new Uint8Array(createHash("md5").update(bytes).digest());

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
	fs.mkdirSync(options.dataDir, { recursive: true });
	const logger = options.logger ?? consoleLogger("[sim] ");
	const bootDelayMs = options.bootDelayMs ?? 1500;
	// The firmware must know its own port from the first boot (CORS grants only its own origin),
	// so port 0 is resolved to a free port before anything is built.
	let port = options.port || (await freePort());
	let boots = 0;
	let firmware: Firmware | undefined;
	let server: NodeHttpServer | undefined;
	let timers: NodeTimers | undefined;
	let rebooting: Promise<void> | undefined;
	let platform: Platform | undefined;
	let failHealth = options.failHealth ?? false;
	let consumeFailure = false;
	let httpUp = false;

	const flash = new NorFlash(new FileFlashStorage(path.join(options.dataDir, "flash.bin"), SIM_FLASH_SIZE), { logOps: false });
	const csv = fs.readFileSync(path.join(ROOT, "partitions.csv"), "utf8");
	const layout = layoutFromCsv(csv, SIM_FLASH_SIZE);
	// --signed: a board built for signed releases, so esp_ota_end checks signatures too, as ESP-IDF does.
	const board = new FlashBoard(flash, layout, nodeDigests, undefined, options.signed ? { espIdfSignatureCheck } : {});
	// The table a USB flash writes at 0x8000, from the same partitions.csv, so ESP-IDF's tools read the file as a board's flash.
	if (board.ensurePartitionTable(encodePartitionTable(parsePartitionCsv(csv), nodeMd5), PARTITION_TABLE_OFFSET))
		logger.log("info", "wrote the partition table at 0x8000");
	board.onRestart = (why) => {
		void sim.reboot(why);
	};
	if (!board.slotHasImage(0) && !board.slotHasImage(1)) {
		// First start: the factory image a USB flash would leave (otadata blank).
		const factory = buildEspImage({ version: packageVersion(), size: 64 * 1024, seed: 7 });
		board.flashImage(0, options.signed ? signImage(factory, demoSigningKey(options.dataDir)) : factory);
		logger.log("info", `wrote a factory image ${packageVersion()} into ota_0${options.signed ? ", signed with the demo key" : ""}`);
	}

	// The bridge forwards before the firmware boots and across its reboots,
	// as the C bridge on the board starts before any JS work.
	const tcp = nodeTcpServer();
	let gvretBound: number | undefined;
	const carLink: CarLink = startCarLink({ canLog: options.canLog, scenario: options.car, generation: options.generation, logger }) ?? missingBinding();
	// The simulated car is the one the firmware is set up for: an owner who picks Gen5 on the Setup page gets an MQB car.
	const followGeneration = () => {
		const g = firmware?.haldex.settings.config.settings.haldexGeneration;
		if (g !== undefined) carLink.setGeneration(g);
	};
	const generationTimer = setInterval(followGeneration, 250);
	generationTimer.unref();
	const device = createDeviceSim({ board, logger, reboot: (why) => sim.reboot(why), ...options.device });

	async function boot(): Promise<void> {
		boots++;
		timers = new NodeTimers();
		const resetReason = device.resetReason(); // why this boot happened (the device sim moves on to the next one)
		const booted = board.boot();
		for (const line of booted.log) logger.log("debug", `bootloader: ${line}`);
		const ota = board.port;
		const runningVersion = runningImage(ota).version; // the booted slot's descriptor, fixed for this boot
		httpUp = false;
		platform = {
			clock: new NodeClock(),
			timers,
			store: new FileStore(path.join(options.dataDir, "nvs.json")),
			restart: {
				restart: (reason) => {
					void sim.reboot(reason);
				},
			},
			digests: nodeDigests,
			system: { board: () => "simulator", resetReason: () => resetReason, memory: () => ({ nativeHeapFree: undefined }) },
			logger,
			random: { bytes: (n) => new Uint8Array(randomBytes(n)) },
			hostAddresses: () => ["127.0.0.1", "localhost", "[::1]", ...device.addresses()],
			can: carLink.bridge,
			device: device.ports(),
			online: () => true, // the reference OTA server is on loopback, whatever the simulated Wi-Fi does
			assets: fileAssets(path.join(ROOT, "web/dist")), // the web app (npm run build:web)
			httpSelfCheck: () => httpUp,
			ota,
			runningVersion: () => runningVersion,
			...simulatorUpdatePorts(), // http: the update client's HTTP client
			...(options.gvretPort !== undefined ? { tcp } : {}),
		};
		const verifying = ota.runningState() === "PENDING_VERIFY";
		const windowMs = options.healthWindowMs ?? DEFAULT_HEALTH_WINDOW_MS;
		firmware = createFirmware(
			platform,
			{
				...DEFAULT_CONFIG,
				httpPort: port,
				...(options.gvretPort !== undefined ? { gvretPort: options.gvretPort === 0 ? (gvretBound ?? 0) : options.gvretPort } : {}),
			},
			{
				...options.firmware,
				dnsPort: options.device?.dnsPort ?? 0,
				bootConfirm: { windowMs, pollMs: Math.max(10, Math.min(1000, Math.floor(windowMs / 10))) },
				healthExtra: () => (failHealth ? "simulated health failure (failNextHealthCheck / --fail-health)" : undefined),
			},
		);
		registerSimControls(firmware.router, {
			ownerOnly: (a) => ownerOnly(firmware!, a),
			carLink,
			get boots() {
				return boots;
			},
			failHealth: () => failHealth,
			failNextHealthCheck: (on = true) => {
				failHealth = on;
			},
		});
		device.boot(firmware);
		if (boots === 1 && options.generation !== undefined && firmware.haldex.settings.config.settings.haldexGeneration !== options.generation)
			firmware.haldex.settings.updateSettings({ haldexGeneration: options.generation });
		followGeneration();
		if (options.gvretPort !== undefined && firmware.gvretPort !== undefined) {
			// 0 asks the OS for a port once; later boots listen on the same one, as the board keeps 23.
			try {
				gvretBound = await tcp.listening();
			} catch (e) {
				logger.log("warn", `GVRET server not started: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
		server = await serveRouterOnNode(firmware.router, { port });
		port = server.port;
		httpUp = true;
		if (verifying && failHealth) consumeFailure = true;
	}

	async function shutdown(): Promise<void> {
		// The failing switch covers one verifying boot; the reset after it is the rollback.
		if (consumeFailure) {
			failHealth = false;
			consumeFailure = false;
		}
		device.shutdown();
		firmware?.stop();
		timers?.cancelAll();
		await server?.close();
		firmware = undefined;
		server = undefined;
	}

	const sim: Simulator = {
		carLink,
		device,
		get gvretPort() {
			return firmware?.gvretPort;
		},
		get url() {
			return `http://127.0.0.1:${port}`;
		},
		get port() {
			return port;
		},
		dataDir: options.dataDir,
		get boots() {
			return boots;
		},
		board,
		get lastBoot() {
			return board.lastBoot;
		},
		get platform() {
			return platform!;
		},
		get firmware() {
			return firmware!;
		},
		bootStatus() {
			return firmware!.boot.status;
		},
		failNextHealthCheck(on = true) {
			failHealth = on;
		},
		reboot(reason: string) {
			rebooting ??= (async () => {
				logger.log("warn", `restart: ${reason}`);
				await shutdown();
				await new Promise((r) => setTimeout(r, bootDelayMs));
				await boot();
				logger.log("info", `booted again (boot ${boots})`);
			})().finally(() => {
				rebooting = undefined;
			});
			return rebooting;
		},
		async stop() {
			await rebooting;
			carLink.stop();
			clearInterval(generationTimer);
			await shutdown();
			device.stop();
		},
	};

	await boot();
	return sim;
}

function missingBinding(): never {
	throw new Error("The CAN core's Node binding is not built (build/Release/ohx_can.node): run `npm ci` or `npm run build:native`.");
}
