/*
 * "platform/chip": what only the chip can do, chosen per platform by
 * manifest.json (esp32: native, esp32/chip.c; the simulators: sim/chip.ts).
 */
declare module "platform/chip" {
	/** Reset the chip (esp_restart). */
	export function restartChip(): void;
	/** Fill the buffer from the hardware RNG (esp_fill_random). */
	export function fillRandom(buffer: ArrayBuffer): void;
	/** Why the chip last reset (esp_reset_reason), as modules/device/boot-record names it:
	 *  "power-on", "software", "panic", "int-watchdog", "task-watchdog", "watchdog", "brownout", ... */
	export function resetReason(): string;
	/** Subscribe the calling (XS) task to the task watchdog with this timeout; the board resets when not fed. */
	export function watchdogStart(timeoutMs: number): void;
	/** Feed the task watchdog (esp_task_wdt_reset). */
	export function watchdogFeed(): void;
}
