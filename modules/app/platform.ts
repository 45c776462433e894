/*
 * Everything the firmware needs from the outside world, handed in by a
 * composition root: main.ts on the board and in mcsim, host/simulator on
 * Node, and fakes in tests.
 */

import type { Clock } from "ports/clock";
import type { Timers } from "ports/timers";
import type { KeyValueStore } from "ports/store";
import type { Restart } from "ports/restart";
import type { DigestFactory } from "ports/digest";
import type { SystemInfo } from "ports/system";
import type { Logger } from "ports/log";
import type { Random } from "ports/random";
import type { OtaPort } from "ports/ota";
import type { CanBridge } from "ports/can";
import type { HttpClient } from "ports/http-client";
import type { AssetSource } from "ports/assets";
import type { DevicePorts } from "device/services";
import type { TcpServerPort } from "ports/tcp";
import type { BufferPool, JsonText } from "util/json-writer";
import { frozen } from "util/frozen";

export interface Platform {
	clock: Clock;
	timers: Timers;
	store: KeyValueStore;
	restart: Restart;
	digests: DigestFactory;
	system: SystemInfo;
	logger: Logger;
	random: Random;
	/** The CAN bridge, already forwarding in STOCK when the firmware is created. */
	can: CanBridge;
	/** True once the HTTP server answered the composition root's own request (optional probe). */
	httpSelfCheck?: () => boolean;
	/** The A/B firmware slots and otadata (esp_ota_* on the board, a flash image file in the simulator). */
	ota: OtaPort;
	/** Device adapters (Wi-Fi, mDNS, DNS, SNTP, inputs, LED, brake mirrors, ohxdata, watchdog); each optional. */
	device?: DevicePorts;
	/** The web app's files (gzip), served at / and below; absent in builds without the app. */
	assets?: AssetSource;
	/** TCP server sockets (GVRET for SavvyCAN); absent: no GVRET server. */
	tcp?: TcpServerPort;
	/** HTTP client for the update server; absent where none is built in. */
	http?: HttpClient;
	/** Reaches the update server; absent = joined to a home network (the device services know). */
	online?: () => boolean;
	/** The device's current IP addresses (access point, home network), for the Host check. */
	hostAddresses(): string[];
	/** The running firmware's version, read from the running image. */
	runningVersion(): string;
	/** Strings into the polled answers' buffer (a native on the board and in mcsim); absent: util/json-writer's portable one. */
	jsonText?: JsonText;
	/** Buffers the polled answers are written into and given back after (the HTTP server's head pool on the board); absent: one made per answer. */
	jsonBuffers?: BufferPool;
}

export interface FirmwareConfig {
	/** mDNS host name and the name the Host header must carry. */
	hostName: string;
	httpPort: number;
	/** GVRET (SavvyCAN) TCP port (0: any free one, in tests); absent: none. The board uses 23, as SavvyCAN expects. */
	gvretPort?: number;
}

export const DEFAULT_CONFIG: FirmwareConfig = frozen({ hostName: "openhaldex", httpPort: 80 });
