/*
 * "platform/routes" in mcsim: the routes only the simulator build has.
 *
 *   POST /api/sim/collect   a full garbage collection, now (auth); answers
 *                           {chunkUsed, slotUsed} read right after it
 *
 * check:mcsim calls it at idle: the heap right after the collection, in
 * the same turn, is the live set itself (the next instruments sample held
 * up to a second of garbage more: ±3 KB between samples), where collections
 * XS chose to make mid-upload only gave an upper bound that moved with what
 * was in flight. The board has no such route
 * (modules/platform/esp32c6/routes.ts).
 */
import Debug from "debug";
import simHeap from "platform/sim-heap";
import type { Router } from "api/router";
import { jsonResponse } from "api/errors";

export function registerPlatformRoutes(router: Router): void {
	router.add({
		method: "POST",
		path: "/api/sim/collect",
		auth: true,
		handle: () => {
			Debug.gc();
			// Read before the answer is built: nothing but the collection happened in between.
			const { chunkUsed, slotUsed } = simHeap();
			return jsonResponse(200, { ok: true, chunkUsed, slotUsed });
		},
	});
}
