/*
 * The mode button's gestures. Raw edges come from the input adapter (any
 * bounce included); a level counts once it has been stable for
 * DEBOUNCE_MS. A press shorter than LONG_PRESS_MS is a short press, fired
 * on release; holding for LONG_PRESS_MS fires a long press at once, while
 * still held (so the owner sees the LED change), and its release is ignored.
 */

import type { Clock } from "ports/clock";
import type { TimerHandle, Timers } from "ports/timers";

export const DEBOUNCE_MS = 30;
export const LONG_PRESS_MS = 3000;

export type Gesture = "short" | "long";

export class ButtonGestures {
	readonly #clock: Clock;
	readonly #timers: Timers;
	readonly #onGesture: (g: Gesture) => void;
	#raw = false;
	#stable = false;
	#pressedAt = 0;
	#longFired = false;
	#debounce: TimerHandle | undefined;
	#long: TimerHandle | undefined;

	constructor(clock: Clock, timers: Timers, onGesture: (g: Gesture) => void) {
		this.#clock = clock;
		this.#timers = timers;
		this.#onGesture = onGesture;
	}

	/** A raw edge from the input (true = pressed). */
	edge(pressed: boolean): void {
		if (pressed === this.#raw) return;
		this.#raw = pressed;
		this.#timers.cancel(this.#debounce);
		this.#debounce = this.#timers.after(DEBOUNCE_MS, () => {
			this.#debounce = undefined;
			this.#settle(this.#raw);
		});
	}

	get pressed(): boolean {
		return this.#stable;
	}

	stop(): void {
		this.#timers.cancel(this.#debounce);
		this.#timers.cancel(this.#long);
	}

	#settle(pressed: boolean): void {
		if (pressed === this.#stable) return;
		this.#stable = pressed;
		// Stable since the raw edge, DEBOUNCE_MS ago.
		const at = this.#clock.monotonicMs() - DEBOUNCE_MS;
		if (pressed) {
			this.#pressedAt = at;
			this.#longFired = false;
			this.#long = this.#timers.after(LONG_PRESS_MS - DEBOUNCE_MS, () => {
				this.#long = undefined;
				this.#longFired = true;
				this.#onGesture("long");
			});
			return;
		}
		this.#timers.cancel(this.#long);
		this.#long = undefined;
		if (!this.#longFired && at - this.#pressedAt < LONG_PRESS_MS) this.#onGesture("short");
	}
}

/** The next favourite after `current` (the first one when current is not a favourite). */
export function nextFavourite(favourites: readonly string[], current: string): string | undefined {
	if (!favourites.length) return undefined;
	const i = favourites.indexOf(current);
	return favourites[(i + 1) % favourites.length];
}
