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

export interface Platform {
	clock: Clock;
	timers: Timers;
	store: KeyValueStore;
	restart: Restart;
	digests: DigestFactory;
	system: SystemInfo;
	logger: Logger;
	random: Random;
	/** The device's current IP addresses (access point, home network), for the Host check. */
	hostAddresses(): string[];
	/** The running firmware's version, read from the running image. */
	runningVersion(): string;
}

export interface FirmwareConfig {
	/** mDNS host name and the name the Host header must carry. */
	hostName: string;
	httpPort: number;
}

export const DEFAULT_CONFIG: FirmwareConfig = { hostName: "openhaldex", httpPort: 80 };
