/*
 * "brake-mirror/native": typings for mirror-native.js (xsmc binding over
 * modules/brake-mirror/core/ohx_io_port.h). Numbers follow ohx_mirror.h.
 */
export type MirrorChannelIndex = 0 | 1; // BRAKE, HANDBRAKE
export type MirrorModeIndex = 0 | 1 | 2; // OFF, FOLLOW, INVERT
/** Errors: TypeError for a wrong type, RangeError (message = OHX_ERR_* name) for a refused value. */
export default class MirrorNative {
	constructor();
	configure(channel: MirrorChannelIndex, mode: MirrorModeIndex, debounceMs: number): void;
	status(channel: MirrorChannelIndex): { mode: MirrorModeIndex; debounceMs: number; raw: boolean; input: boolean; output: boolean; changes: number };
}
