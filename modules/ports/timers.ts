/*
 * Timers port: Moddable's Timer on the device, setTimeout on Node, a manual
 * scheduler in tests (host-tests/support/fakes). Firmware never calls a
 * global timer function directly, so tests can drive time.
 */

/**
 * Opaque: only the Timers that made a handle reads it (on the board it is
 * the SDK's Timer itself, so starting one allocates no handle, closure or
 * table entry: the HTTP connection starts one per request).
 */
export type TimerHandle = object;

export interface Timers {
	/** Call `fn` once after `ms`. `fn` takes no parameters: the board's Timer passes itself as an argument. */
	after(ms: number, fn: () => void): TimerHandle;
	/** Call `fn` every `ms` (no parameters, as for after). */
	every(ms: number, fn: () => void): TimerHandle;
	/** Stops a timer; a handle whose one-shot timer already fired, or undefined, is ignored. */
	cancel(handle: TimerHandle | undefined): void;
}
