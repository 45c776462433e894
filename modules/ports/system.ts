/*
 * What the firmware knows about the board it runs on.
 */

export interface SystemInfo {
	/** Board identifier, e.g. "openhaldex-c6" or "simulator". */
	board(): string;
	/** Why the chip last reset (power-on, panic, watchdog, software, ...). */
	resetReason(): string;
	/** Free bytes of the XS heap and of the native heap, when known. */
	memory(): { xsHeapFree?: number; nativeHeapFree?: number };
}
