/*
 * OpenHaldex XS - xsmc binding of the brake / handbrake mirrors (see
 * mirror-native.d.ts). Constructing it starts the board I/O port
 * (ports/ohx_io_port.h); the mirrors then run in C without JS.
 */
class MirrorNative @ "xs_ohx_mirror_destructor" {
	constructor() @ "xs_ohx_mirror";
	configure(channel, mode, debounceMs) @ "xs_ohx_mirror_configure";
	status(channel) @ "xs_ohx_mirror_status";
}

export default MirrorNative;
