// Chip services for the board (chip.c). A .js file: the `@` native syntax is not TypeScript.
export function restartChip() @ "xs_ohx_restart";
export function fillRandom(buffer) @ "xs_ohx_fill_random";
export function resetReason() @ "xs_ohx_reset_reason";
export function watchdogStart(timeoutMs) @ "xs_ohx_wdt_start";
export function watchdogFeed() @ "xs_ohx_wdt_feed";
