/*
 * "The HTTP server answered" for the first-boot health check, without
 * waiting for a phone: the firmware asks itself for /api/status over
 * loopback every few seconds until one request succeeds.
 */

import { Request } from "http";
import type { Timers, TimerHandle } from "ports/timers";

const STATUS = 1,
	DONE = 5,
	ERROR = -1;

export function httpSelfProbe(timers: Timers, port: number, everyMs = 5000) {
	let ok = false;
	let timer: TimerHandle | undefined;
	const attempt = () => {
		if (ok) {
			timers.cancel(timer);
			return;
		}
		let status = 0;
		const request = new Request({ host: "127.0.0.1", port, path: "/api/status", response: String });
		request.callback = (message: number, value?: unknown) => {
			if (message === STATUS) status = value as number;
			else if (message === DONE && status === 200) ok = true;
			else if (message === ERROR) status = 0;
		};
	};
	return {
		answered: () => ok,
		start() {
			timer = timers.every(everyMs, attempt);
			attempt();
		},
	};
}
