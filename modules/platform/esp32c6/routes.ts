/*
 * "platform/routes" on the board: none. The simulator's own routes
 * (modules/platform/mcsim/routes.ts) are for measuring it, not for a car.
 */
import type { Router } from "api/router";

export function registerPlatformRoutes(_router: Router): void {}
