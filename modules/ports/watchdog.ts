/*
 * Hardware watchdog port. Device: the ESP-IDF task watchdog on the XS task
 * (esp_task_wdt_add / esp_task_wdt_reset through platform/chip); simulator:
 * a timer outside the firmware that "resets" the simulated board when the
 * firmware stops feeding it. Either way the CAN bridge has already fallen
 * back to pass-through by its own watchdog (500 ms) long before this one
 * (seconds) fires.
 */

export interface HardwareWatchdog {
	/** Arm the watchdog; the board resets when feed() is not called for timeoutMs. */
	start(timeoutMs: number): void;
	feed(): void;
}
