/*
 * "platform/chip": what only the chip can do. The board's natives are
 * chip.js/chip.c beside this file; mcsim's stand-ins are
 * modules/platform/mcsim/chip.ts (checked against these types by
 * modules/platform/targets-agree.ts).
 */
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
