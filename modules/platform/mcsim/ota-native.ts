/*
 * "platform/ota-native" in mcsim: the desktop simulator has no flash.
 * Slot 0 reports the build's image version (from mc/config) so the app
 * runs; slot 1 takes an upload and discards the bytes (it counts them), so
 * the validator, digest and HTTP streaming run for real in mcsim and their
 * memory can be measured. Switching firmware is refused: mcsim cannot boot
 * an image (the Node simulator, host/simulator, has the full flash model).
 */
import config from "mc/config";

const unavailable = (): never => {
	throw new Error("ESP_ERR_NOT_SUPPORTED: mcsim has no OTA slots");
};

function descriptorPrefix(): ArrayBuffer {
	const b = new Uint8Array(288);
	const version = String(config.version ?? "0.0.0");
	b[0] = 0xe9;
	b[1] = 1;
	b[12] = 0x0d;
	b[24 + 4] = 0;
	b[24 + 5] = 1; // first segment length 256
	b[32] = 0x32;
	b[33] = 0x54;
	b[34] = 0xcd;
	b[35] = 0xab;
	for (let i = 0; i < version.length && i < 31; i++) b[48 + i] = version.charCodeAt(i);
	const name = "xs_esp32";
	for (let i = 0; i < name.length; i++) b[80 + i] = name.charCodeAt(i);
	return b.buffer;
}

/** mcsim is no chip: it answers as an ESP32-C6 v0.1 so uploads are judged as on a board. */
export function chip(): [number, number] {
	return [0x0d, 1];
}
/** mcsim's build has no ESP-IDF: nothing checks a signature but the firmware. */
export const signatureCheck = () => 0;
export function slotInfo(index: number): [string, number, number] | undefined {
	return index === 0 ? ["ota_0", 0x20000, 0x1f0000] : index === 1 ? ["ota_1", 0x210000, 0x1f0000] : undefined;
}
export const running = () => 0;
export const bootSlot = () => 0;
export const state = (index: number) => (index === 0 ? 2 : -1); // VALID; slot 1 has no otadata entry
export function read(index: number, offset: number, length: number): ArrayBuffer {
	const out = new Uint8Array(length).fill(0xff);
	if (index !== 0) return out.buffer;
	const prefix = new Uint8Array(descriptorPrefix());
	for (let i = 0; i < length && offset + i < prefix.length; i++) out[i] = prefix[offset + i];
	return out.buffer;
}
let received = -1;
export function begin(index: number): number {
	if (index !== 1) throw new Error("ESP_ERR_OTA_PARTITION_CONFLICT: slot 0 is running");
	received = 0;
	return 1;
}
export function write(_handle: number, bytes: ArrayBuffer | ArrayBufferView): void {
	if (received < 0) throw new Error("ESP_ERR_INVALID_ARG: no write in progress");
	received += bytes.byteLength;
}
export function end(_handle: number): void {
	received = -1;
}
export function abort(_handle: number): void {
	received = -1;
}
export const setBoot = (_index: number): void => unavailable();
export const markValid = (): void => undefined;
export const markInvalidAndRestart = (): void => unavailable();
export const invalidate = (_index: number): void => undefined;
export const available = true;
