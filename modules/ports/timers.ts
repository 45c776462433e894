/*
 * Timers port: Moddable's Timer on the device, setTimeout on Node, a manual
 * scheduler in tests (host-tests/support/fakes). Firmware never calls a
 * global timer function directly, so tests can drive time.
 */

export type TimerHandle = { readonly id: number };

export interface Timers {
	/** Call `fn` once after `ms`. */
	after(ms: number, fn: () => void): TimerHandle;
	/** Call `fn` every `ms`. */
	every(ms: number, fn: () => void): TimerHandle;
	cancel(handle: TimerHandle | undefined): void;
}
