/*
 * XS calls the global abort(message, exception) before it gives up (the
 * manifest's defines.xs.abortHook). Rebooting on an unhandled exception
 * would drop the CAN bridge for the whole boot, so an exception thrown by
 * a page handler or a timer is logged and the VM carries on. Anything
 * else (out of memory, stack overflow) still aborts: the bridge's own
 * fail-safe and the watchdog take over from there.
 */

export type AbortHook = (message: string, exception: unknown) => boolean;

export function makeAbortHook(log: (line: string) => void): AbortHook {
	return (message, exception) => {
		if (message === "unhandled exception" || message === "unhandled rejection") {
			log(`abort hook: ${message} ignored: ${describe(exception)}`);
			return false; // false = do not abort
		}
		log(`abort hook: ${message}: ${describe(exception)}; restarting`);
		return true;
	};
}

function describe(exception: unknown): string {
	if (exception instanceof Error) return `${exception.name}: ${exception.message}`;
	try {
		return String(exception);
	} catch {
		return "(unprintable)";
	}
}
