/*
 * The order the board starts in, as a function the tests drive with fakes
 * (host-tests/firmware/app/startup.test.ts); main.ts gives it the real steps.
 *   1. the abort hook, so an unhandled exception is logged, not a reboot;
 *   2. the CAN bridge, in STOCK (pass-through): from here on frames flow in
 *      C whatever happens to JS;
 *   3. everything else (settings, controller, OTA boot check, update
 *      service), then 4. the HTTP server.
 * Steps 3 and 4 are wrapped: a throw there is reported and start-up stops,
 * but the bridge keeps forwarding in STOCK, so the car drives as stock
 * rather than losing its coupling to a boot loop.
 */

export interface StartupSteps<Bridge, App> {
	installAbortHook(): void;
	startBridge(): Bridge;
	startApp(bridge: Bridge): App;
	serve(app: App): void;
	report(line: string): void;
}

export interface Started<Bridge, App> {
	bridge: Bridge;
	/** Undefined when step 3 failed. */
	app?: App;
	serving: boolean;
	/** What failed after the bridge started, for the log and the status. */
	failure?: string;
}

export function startUp<Bridge, App>(steps: StartupSteps<Bridge, App>): Started<Bridge, App> {
	steps.installAbortHook();
	const bridge = steps.startBridge();
	let app: App | undefined;
	try {
		app = steps.startApp(bridge);
		steps.serve(app);
		return { bridge, app, serving: true };
	} catch (e) {
		const failure = `start-up stopped after the CAN bridge (${app === undefined ? "starting the firmware" : "starting the HTTP server"}): ${e instanceof Error ? e.message : String(e)}; the bridge keeps forwarding in STOCK`;
		steps.report(failure);
		return { bridge, app, serving: false, failure };
	}
}
