/*
 * "platform/ota-native" in mcsim: the desktop simulator has no flash slots.
 * It reports one slot holding the build's image version (from mc/config) so
 * the app runs; every write is refused (the Node simulator, host/simulator,
 * has the full flash model).
 */
import config from "mc/config";

const unavailable = (): never => { throw new Error("ESP_ERR_NOT_SUPPORTED: mcsim has no OTA slots"); };

function descriptorPrefix(): ArrayBuffer {
	const b = new Uint8Array(288);
	const version = String(config.version ?? "0.0.0");
	b[0] = 0xe9; b[1] = 1; b[12] = 0x0d;
	b[24 + 4] = 0; b[24 + 5] = 1; // first segment length 256
	b[32] = 0x32; b[33] = 0x54; b[34] = 0xcd; b[35] = 0xab;
	for (let i = 0; i < version.length && i < 31; i++) b[48 + i] = version.charCodeAt(i);
	const name = "xs_esp32";
	for (let i = 0; i < name.length; i++) b[80 + i] = name.charCodeAt(i);
	return b.buffer;
}

export function slotInfo(index: number): [string, number, number] | undefined {
	return index === 0 ? ["ota_0", 0x20000, 0x1f0000] : undefined;
}
export const running = () => 0;
export const bootSlot = () => 0;
export const state = (_index: number) => 2; // VALID
export function read(_index: number, offset: number, length: number): ArrayBuffer {
	const out = new Uint8Array(length).fill(0xff);
	const prefix = new Uint8Array(descriptorPrefix());
	for (let i = 0; i < length && offset + i < prefix.length; i++) out[i] = prefix[offset + i];
	return out.buffer;
}
export const begin = (_index: number): number => unavailable();
export const write = (_handle: number, _bytes: ArrayBuffer | ArrayBufferView): void => unavailable();
export const end = (_handle: number): void => unavailable();
export const abort = (_handle: number): void => undefined;
export const setBoot = (_index: number): void => unavailable();
export const markValid = (): void => undefined;
export const markInvalidAndRestart = (): void => unavailable();
export const invalidate = (_index: number): void => unavailable();
export const available = false;
