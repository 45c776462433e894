/*
 * Restart and board facts on the device and in mcsim.
 */

import { fillRandom, resetReason, restartChip } from "platform/chip";
import type { Random } from "ports/random";
import type { Restart } from "ports/restart";
import type { SystemInfo } from "ports/system";
import type { Logger } from "ports/log";
import { frozen } from "util/frozen";

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
		resetReason: () => resetReason(),
		memory: () => ({}),
	};
}

export const chipRandom: Random = frozen({
	bytes(length: number) {
		const buffer = new ArrayBuffer(length);
		fillRandom(buffer);
		return new Uint8Array(buffer);
	},
});
