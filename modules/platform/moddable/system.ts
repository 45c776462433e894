/*
 * Restart and board facts on the device and in mcsim.
 */

import { restartChip } from "platform/restart";
import type { Restart } from "ports/restart";
import type { SystemInfo } from "ports/system";
import type { Logger } from "ports/log";

export function systemRestart(logger: Logger): Restart {
	return {
		restart(reason: string) {
			logger.log("warn", `restarting: ${reason}`);
			restartChip();
		},
	};
}

export function boardInfo(board: string): SystemInfo {
	return {
		board: () => board,
		resetReason: () => "unknown",
		memory: () => ({}),
	};
}
