/*
 * "platform/restart": chip reset, chosen per platform by manifest.json
 * (esp32: a native esp_restart; the simulators: modules/platform/sim/restart).
 */
declare module "platform/restart" {
	export function restartChip(): void;
}
