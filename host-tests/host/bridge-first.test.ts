/*
 * The bridge starts before anything else and keeps forwarding whatever
 * happens to JS afterwards: a composition root that throws right after
 * starting the bridge still forwards frames (the simulator's version of
 * main.ts's start-up order).
 */

import { assert } from "chai";
import { createCarLink } from "../../host/simulator/car-link";
import { createFirmware } from "app/firmware";
import { fakePlatform } from "../support/fakes";

describe("bridge first", function () {
	this.timeout(10_000);

	it("keeps forwarding frames after the composition root throws", async () => {
		const link = createCarLink();
		link.start(5);
		try {
			const platform = fakePlatform();
			const broken = {
				...platform,
				can: link.bridge,
				store: {
					...platform.store,
					get() {
						throw new Error("NVS is corrupt");
					},
					set() {
						throw new Error("NVS is corrupt");
					},
					delete() {},
					keys: () => [],
				},
			};
			assert.throws(() => createFirmware(broken, { hostName: "openhaldex", httpPort: 80 }), /NVS is corrupt/);
			const before = link.stats.chassisFrames;
			const forwardedBefore = link.bridge.counters().chassisToHaldex;
			await new Promise((r) => setTimeout(r, 300));
			assert.isAbove(link.stats.chassisFrames - before, 100, "the car's frames keep reaching the Haldex");
			assert.isAbove(link.bridge.counters().chassisToHaldex - forwardedBefore, 100);
			assert.isAbove(link.bridge.counters().haldexToChassis, 0, "and the Haldex's reach the car");
			assert.isFalse(link.bridge.rewriting(), "in STOCK: no target was ever set");
		} finally {
			link.stop();
		}
	});
});
