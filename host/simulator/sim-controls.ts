/*
 * Simulator-only controls, under /api/sim: they exist in the Node
 * simulator and never in firmware. The web app shows a simulator panel
 * when GET /api/sim answers.
 *   GET  /api/sim                      {car, failHealth, boots}
 *   POST /api/sim/car {scenario}       "drive" | "parked" (engine off: updates need it)
 *   POST /api/sim/fail-health {on}     the next new image fails its first-boot health check
 * The POSTs need the admin password once one is set (device-sim.ts ownerOnly).
 */

import { HttpError, jsonResponse } from "api/errors";
import type { Router } from "api/router";
import type { Response } from "api/http";
import type { CarLink, CarScenario } from "./car-link";

export interface SimControlTarget {
	/** The admin check the controls apply once a password is set. */
	ownerOnly(authorization: string | undefined): Response | undefined;
	carLink: CarLink;
	boots: number;
	failHealth(): boolean;
	failNextHealthCheck(on?: boolean): void;
}

export function registerSimControls(router: Router, sim: SimControlTarget): void {
	const state = () => ({ simulator: true, car: sim.carLink.scenario, failHealth: sim.failHealth(), boots: sim.boots });
	router.add({ method: "GET", path: "/api/sim", handle: () => jsonResponse(200, state()) });
	router.add({
		method: "POST",
		path: "/api/sim/car",
		body: "json",
		handle: (req, body) => {
			const refused = sim.ownerOnly(req.headers.authorization);
			if (refused) return refused;
			const scenario = (body as { scenario?: unknown } | undefined)?.scenario;
			if (scenario !== "drive" && scenario !== "parked") throw new HttpError(422, "invalid_scenario", 'scenario must be "drive" or "parked".');
			try {
				sim.carLink.setScenario(scenario as CarScenario);
			} catch (e) {
				throw new HttpError(409, "car_replays_log", e instanceof Error ? e.message : String(e));
			}
			return jsonResponse(200, state());
		},
	});
	router.add({
		method: "POST",
		path: "/api/sim/fail-health",
		body: "json",
		handle: (req, body) => {
			const refused = sim.ownerOnly(req.headers.authorization);
			if (refused) return refused;
			const on = (body as { on?: unknown } | undefined)?.on;
			if (typeof on !== "boolean") throw new HttpError(422, "invalid_switch", "on must be true or false.");
			sim.failNextHealthCheck(on);
			return jsonResponse(200, state());
		},
	});
}
