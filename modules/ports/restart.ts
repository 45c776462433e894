/*
 * Restart port. On the board it resets the chip (esp_restart); in the
 * simulator it reboots the firmware in-process through the simulated
 * bootloader. Callers must have finished sending their HTTP response.
 */

export interface Restart {
	/** Schedule a restart; `reason` is recorded for the next boot. */
	restart(reason: string): void;
}
