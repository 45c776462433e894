/*
 * "platform/chip" in mcsim. The desktop simulator cannot reset itself, so a
 * restart is logged and the app keeps running; the Node simulator
 * (host/simulator) reboots in-process through its simulated bootloader.
 * Randomness comes from Math.random: good enough for a simulator, never
 * used on a board.
 */
export function restartChip(): void {
	trace("restart requested: mcsim cannot restart itself; quit and relaunch it\n");
}

export function fillRandom(buffer: ArrayBuffer): void {
	const bytes = new Uint8Array(buffer);
	for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
}

/** mcsim cannot tell why it started: every launch is a power-on. */
export function resetReason(): string {
	return "power-on";
}

/** mcsim has no hardware watchdog; the Node simulator simulates one (host/simulator/device-sim). */
export function watchdogStart(_timeoutMs: number): void {}

export function watchdogFeed(): void {}
