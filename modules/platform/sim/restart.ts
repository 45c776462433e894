/*
 * "platform/restart" in mcsim: the desktop simulator cannot reset itself,
 * so a restart is logged and the app keeps running. The Node simulator
 * (host/simulator) reboots in-process through its simulated bootloader.
 */
export function restartChip(): void {
	trace("restart requested: mcsim cannot restart itself; quit and relaunch it\n");
}
