/*
 * OpenHaldex XS - xsmc binding of the CAN bridge (see can-native.d.ts).
 * The bridge itself runs in the port (TWAI ISR on the board, a UDP thread
 * in the simulator); this object only sets the lock target and reads
 * telemetry. Constructing it starts the port if it is not running yet.
 */
class CANNative @ "xs_ohx_can_destructor" {
	constructor(options) @ "xs_ohx_can";
	setTarget(mode, percent) @ "xs_ohx_can_set_target";
	setGeneration(generation) @ "xs_ohx_can_set_generation";
	setWatchdogMs(ms) @ "xs_ohx_can_set_watchdog_ms";
	holdPassthrough(hold) @ "xs_ohx_can_hold_passthrough";
	state() @ "xs_ohx_can_state";
	snapshot() @ "xs_ohx_can_snapshot";
	counters() @ "xs_ohx_can_counters";
	resetCounters() @ "xs_ohx_can_reset_counters";
	busStatus(bus) @ "xs_ohx_can_bus_status";
	captureConfigure(enabled, filter) @ "xs_ohx_can_capture_configure";
	captureRead(bus, buffer) @ "xs_ohx_can_capture_read";
	captureStats() @ "xs_ohx_can_capture_stats";
	transmit(bus, id, ext, data, dlc) @ "xs_ohx_can_transmit";
	static selfTest() @ "xs_ohx_can_self_test";
}

export default CANNative;
