/* The TypeScript Gen4 rewrite that `npm run bench` times inside XS does the same work as the C core, byte for byte. */

import { assert } from "chai";
import { Gen4Rewriter, benchStream } from "../../bench/gen4-rewrite";
import { BUS_CHASSIS, NodeCanBridge, bindingAvailable } from "../../host/adapters/can-bridge-node";

describe("bench/gen4-rewrite", () => {
	before(function () {
		if (!bindingAvailable()) this.skip();
	});

	for (const percent of [0, 1, 30, 40, 99, 100]) {
		it(`matches the C core's Gen4 rewrite at ${percent} % over two passes of the bench stream`, () => {
			const bridge = new NodeCanBridge({ generation: 4, now: () => 0 });
			bridge.setTarget(4, percent, "CUSTOM");
			const ts = new Gen4Rewriter();
			ts.percent = percent;
			const stream = benchStream();
			for (let pass = 0; pass < 2; pass++) {
				for (const f of stream) {
					const c = bridge.forward(BUS_CHASSIS, f, 0);
					const mine = f.data.slice();
					const rewritten = ts.rewrite(f.id, 8, mine);
					assert.equal(rewritten, c.rewritten, `0x${f.id.toString(16)}`);
					assert.deepEqual([...mine], [...c.frame.data], `0x${f.id.toString(16)} pass ${pass}`);
				}
			}
		});
	}
});
