/*
 * The update client wired to the real pipeline for firmware suites
 * (portable: runs in XS): fake platform (in-memory flash, ManualTime),
 * scripted HTTP client, ImageStager, BootConfirmer, UpdateService, and both
 * route sets on a Router without guards.
 */

import { Router } from "api/router";
import { ImageStager } from "ota/stager";
import { BootConfirmer } from "ota/boot-confirm";
import { UpdateService } from "update/service";
import { registerUpdateRoutes } from "update/routes";
import { createUpdateClient, registerUpdateClientRoutes } from "update/client-routes";
import type { UpdateClient, UpdateClientOptions } from "update/client";
import { fakePlatform, type FakePlatform } from "./fakes";
import { FakeHttpClient } from "./fake-http-client";
import { buildEspImage, sha256 } from "./esp-image";
import { toHex } from "util/hex";

export const SERVER = "http://ota.test";
export const MODULE = "openhaldex-xs";

export interface UpdateHarness {
	p: FakePlatform;
	http: FakeHttpClient;
	client: UpdateClient;
	service: UpdateService;
	router: Router;
	/** online() and isDriving() answers. */
	inputs: { online: boolean; driving: boolean };
	/** POST-like helpers over the router. */
	post(target: string, body?: unknown): { status: number; json: any };
	get(target: string): { status: number; json: any };
}

export function updateHarness(version = "1.2.3+ohxs", options: Partial<UpdateClientOptions> = {}): UpdateHarness {
	const p = fakePlatform(version);
	const http = new FakeHttpClient();
	const ota = p.board.port;
	const stager = new ImageStager({ ota, digests: p.digests, store: p.store, clock: p.clock, logger: p.logger });
	const boot = new BootConfirmer({
		ota,
		store: p.store,
		clock: p.time,
		timers: p.time,
		logger: p.logger,
		health: {
			canNodes: () => [
				{ name: "chassis", started: true, busOff: false },
				{ name: "haldex", started: true, busOff: false },
			],
			selfTestPassed: () => true,
			httpAnswered: () => true,
		},
	});
	boot.start();
	const inputs = { online: true, driving: false };
	const client = createUpdateClient({ ...p, http }, { online: () => inputs.online, isDriving: () => inputs.driving }, options);
	const service = new UpdateService({ ota, stager, boot, store: p.store, clock: p.time, timers: p.time, restart: p.restart, logger: p.logger, remote: client });
	service.resume();
	const router = new Router();
	registerUpdateRoutes(router, service, { slotSize: ota.slots()[1].size, clock: p.clock });
	registerUpdateClientRoutes(router, client, service);
	const call = (method: string, target: string, body?: unknown) => {
		const text = body === undefined ? undefined : JSON.stringify(body);
		const res = router.handle({ method, target, headers: text === undefined ? {} : { "content-type": "application/json" } }, text);
		return { status: res.status, json: typeof res.body === "string" && res.body ? JSON.parse(res.body) : undefined };
	};
	return {
		p,
		http,
		client,
		service,
		router,
		inputs,
		post: (target, body) => call("POST", target, body),
		get: (target) => call("GET", target),
	};
}

/** A real ESP image of our format and its list entry. */
export function release(version: string, id: string, o: { size?: number; seed?: number; sha?: boolean; module?: string; isActive?: boolean } = {}) {
	const image = buildEspImage({ version: `${version}+ohxs`, size: o.size ?? 40 * 1024, seed: o.seed ?? 5 });
	const entry: Record<string, unknown> = { id, version, module: o.module ?? MODULE, isActive: o.isActive ?? true, size: image.length };
	if (o.sha !== false) entry.sha256 = toHex(sha256(image));
	return { image, entry };
}
