/*
 * "platform/chip": what only the chip can do, chosen per platform by
 * manifest.json (esp32: native, esp32/chip.c; the simulators: sim/chip.ts).
 */
declare module "platform/chip" {
	/** Reset the chip (esp_restart). */
	export function restartChip(): void;
	/** Fill the buffer from the hardware RNG (esp_fill_random). */
	export function fillRandom(buffer: ArrayBuffer): void;
}
