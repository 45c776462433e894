/*
 * "platform/routes" in mcsim: the routes only the simulator build has.
 *
 *   POST /api/sim/collect   a full garbage collection, now (auth)
 *
 * check:mcsim calls it at idle and reads the chunk heap in the next
 * instruments sample: the live set itself, where collections XS chose to
 * make mid-upload only gave an upper bound that moved with what was in
 * flight (42-48 KB over runs of the same firmware). The board has no such
 * route (modules/platform/esp32c6/routes.ts).
 */
import Debug from "debug";
import type { Router } from "api/router";
import { jsonResponse } from "api/errors";

export function registerPlatformRoutes(router: Router): void {
	router.add({
		method: "POST",
		path: "/api/sim/collect",
		auth: true,
		handle: () => {
			Debug.gc();
			return jsonResponse(200, { ok: true });
		},
	});
}
