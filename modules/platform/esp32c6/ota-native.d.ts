/*
 * "platform/ota-native": ESP-IDF's esp_ota_* on the board (ota-native.js/.c
 * beside this file); mcsim's stand-in, which has no slots, is
 * modules/platform/mcsim/ota-native.ts. Failures throw an Error whose
 * message starts with the esp_err name.
 */
/** [label, offset, size] of OTA slot `index`, undefined when absent. */
/** [image header chip id (CONFIG_IDF_FIRMWARE_CHIP_ID), chip revision major * 100 + minor (esp_chip_info)]. */
export function chip(): [number, number];
/** What esp_ota_end checks of a signature: 0 nothing, 1 the first block (CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT). */
export function signatureCheck(): number;
export function slotInfo(index: number): [string, number, number] | undefined;
/** Running OTA slot, -1 when not an OTA slot. */
export function running(): number;
export function bootSlot(): number;
/** esp_ota_img_states_t, -1 when otadata has no entry. */
export function state(index: number): number;
export function read(index: number, offset: number, length: number): ArrayBuffer;
export function begin(index: number): number;
export function write(handle: number, bytes: ArrayBuffer | ArrayBufferView): void;
export function end(handle: number): void;
export function abort(handle: number): void;
export function setBoot(index: number): void;
export function markValid(): void;
export function markInvalidAndRestart(): void;
export function invalidate(index: number): void;
/** False in mcsim (no flash slots). */
export const available: boolean;
