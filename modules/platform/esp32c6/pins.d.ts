/*
 * "platform/esp32c6/pins": the board's pin map and CAN bit rate. The board
 * folder (boards/<board>/manifest.json, defines.ohx) is the only place they
 * are written; C reads them as MODDEF_OHX_* and TypeScript through this
 * native, so both sides always agree.
 */
export interface BoardPins {
	can: {
		chassis: { tx: number; rx: number; standby: number };
		haldex: { tx: number; rx: number; standby: number };
		bitrate: number;
	};
	led: number;
	modeButton: number;
	externalMode: number;
	brake: { in: number; out: number };
	handbrake: { in: number; out: number };
}

/** A fresh object on every call (callers may keep or change it). */
export function boardPins(): BoardPins;
