/*
 * [spec] The start-up order (app/startup, what main.ts runs on the board):
 * abort hook, then the CAN bridge, then the firmware and the HTTP server,
 * wrapped, so a throw after the bridge leaves it forwarding in STOCK.
 */

import { assert } from "../../support/assert";
import { fakePlatform } from "../../support/fakes";
import { startUp, type StartupSteps } from "app/startup";
import { createFirmware } from "app/firmware";

/** Steps that record their order; `fail` names the step that throws. */
function recorder(fail?: "startApp" | "serve") {
	const order: string[] = [];
	const reports: string[] = [];
	const bridge = { started: true, rewriting: false };
	const steps: StartupSteps<typeof bridge, { router: string }> = {
		installAbortHook: () => {
			order.push("abort hook");
		},
		startBridge: () => {
			order.push("bridge");
			return bridge;
		},
		startApp: (b) => {
			order.push("app");
			assert.strictEqual(b, bridge, "the app gets the bridge that is already running");
			if (fail === "startApp") throw new Error("NVS is corrupt");
			return { router: "r" };
		},
		serve: () => {
			order.push("serve");
			if (fail === "serve") throw new Error("port 80 is taken");
		},
		report: (line) => {
			reports.push(line);
		},
	};
	return { steps, order, reports, bridge };
}

describe("app/startup", () => {
	it("runs the abort hook, the bridge, the firmware, then HTTP, in that order", () => {
		const r = recorder();
		const started = startUp(r.steps);
		assert.deepEqual(r.order, ["abort hook", "bridge", "app", "serve"]);
		assert.deepEqual(started, { bridge: r.bridge, app: { router: "r" }, serving: true });
		assert.deepEqual(r.reports, []);
	});

	it("a throw while starting the firmware leaves the bridge started, reports it, and serves nothing", () => {
		const r = recorder("startApp");
		const started = startUp(r.steps);
		assert.deepEqual(r.order, ["abort hook", "bridge", "app"]);
		assert.strictEqual(started.bridge, r.bridge);
		assert.isTrue(started.bridge.started);
		assert.isFalse(started.serving);
		assert.isUndefined(started.app);
		assert.match(started.failure!, /starting the firmware.*NVS is corrupt.*keeps forwarding in STOCK/);
		assert.deepEqual(r.reports, [started.failure]);
	});

	it("a throw while starting the HTTP server keeps the firmware and the bridge", () => {
		const r = recorder("serve");
		const started = startUp(r.steps);
		assert.deepEqual(r.order, ["abort hook", "bridge", "app", "serve"]);
		assert.deepEqual(started.app, { router: "r" });
		assert.match(started.failure!, /starting the HTTP server.*port 80 is taken/);
	});

	it("with the real firmware over a store that throws: the bridge stays in STOCK, never told to rewrite", () => {
		const platform = fakePlatform();
		const broken = {
			get(): never {
				throw new Error("NVS is corrupt");
			},
			set(): never {
				throw new Error("NVS is corrupt");
			},
			delete(): void {},
			keys: (): string[] => [],
		};
		const reports: string[] = [];
		const started = startUp({
			installAbortHook: () => undefined,
			startBridge: () => platform.can,
			startApp: (can) => createFirmware({ ...platform, can, store: broken }, { hostName: "openhaldex", httpPort: 80 }),
			serve: () => assert.fail("nothing is served after a failed start"),
			report: (line) => reports.push(line),
		});
		assert.isFalse(started.serving);
		assert.match(reports[0], /NVS is corrupt/);
		assert.isFalse(platform.can.rewriting(), "in STOCK: no target was set");
	});
});
