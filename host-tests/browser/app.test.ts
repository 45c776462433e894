/*
 * The web app in a real browser (Debian's chromium via playwright-core)
 * against the simulator on a free port with a temp data folder. Every route
 * they use must answer: a missing one fails the test.
 *
 * OHX_BROWSER_URL=http://127.0.0.1:8080 runs them against a running
 * simulator instead (its setup window must be open or its password be
 * PASSWORD).
 */

import { assert } from "chai";
import type { Page } from "playwright-core";
import { buildEspImage } from "../support/esp-image";
import { PASSWORD, PHONE, DESKTOP, chromiumAvailable, launchBrowser, setPasswordOnBoard, signedInPage, startRig, type Rig } from "./support/browser";
import type { Browser } from "playwright-core";

const PAGES = ["", "tuning", "diagnostics", "can", "setup", "update", "logs"];
// Functions run in the page use (globalThis as any).document: this file has no DOM types, and the app's CSP forbids string evaluation.

describe("web app in chromium", function () {
	this.timeout(120_000);
	let rig: Rig | undefined;
	let browser: Browser;
	let base: string;
	const errors: string[] = [];

	before(async function () {
		if (!chromiumAvailable()) {
			console.log("\n  !!! SKIPPING the browser tests: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run installs it) !!!\n");
			this.skip();
		}
		if (process.env.OHX_BROWSER_URL) {
			base = process.env.OHX_BROWSER_URL;
			browser = await launchBrowser();
			await fetch(`${base}/api/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
		} else {
			rig = await startRig({ healthWindowMs: 3000 });
			browser = rig.browser;
			base = rig.sim.url;
			await setPasswordOnBoard(rig.sim);
		}
	});
	after(async () => {
		if (rig) await rig.close();
		else await browser?.close();
	});

	async function open(page: Page, hash: string) {
		page.on("pageerror", (e) => errors.push(`${hash}: ${e.message}`));
		await page.goto(`${base}/#/${hash}`);
		await page.waitForSelector("main#page > section:not(.hidden)");
	}

	it("serves the app compressed, with index.html for / and for a captive-portal probe", async () => {
		for (const p of ["/", "/generate_204", "/hotspot-detect.html"]) {
			const res = await fetch(`${base}${p}`);
			assert.equal(res.status, 200, p);
			assert.equal(res.headers.get("content-encoding"), "gzip");
			assert.match(await res.text(), /<title>OpenHaldex<\/title>/);
		}
		const api = await fetch(`${base}/api/nothing-here`);
		assert.equal(api.status, 404);
		assert.equal(((await api.json()) as any).error.code, "not_found");
	});

	it("shows every page at 360 px wide without sideways scrolling or script errors", async () => {
		const { context, page } = await signedInPage(browser, PHONE);
		for (const p of PAGES) {
			await open(page, p);
			await page.waitForTimeout(600);
			const width = await page.evaluate<number>("document.documentElement.scrollWidth");
			assert.isAtMost(width, PHONE.width, `page ${p || "dashboard"} is ${width} px wide`);
			assert.isTrue(await page.locator("nav a[aria-current]").isVisible());
			// The app ships inside the firmware that serves it: no "this firmware does not offer ... yet".
			assert.notMatch((await page.textContent("main"))!, /does not offer|not running in this firmware|does not keep/, `page ${p || "dashboard"}`);
			// Every tab of the page too (Tuning -> Map was 662 px wide at 360 px).
			const tabs = await page.locator('[role="tab"]').count();
			for (let i = 0; i < tabs; i++) {
				const tab = page.locator('[role="tab"]').nth(i);
				const name = (await tab.textContent())?.trim();
				await tab.click();
				await page.waitForTimeout(300);
				const w = await page.evaluate<number>("document.documentElement.scrollWidth");
				assert.isAtMost(w, PHONE.width, `page ${p || "dashboard"}, tab ${name}, is ${w} px wide`);
			}
		}
		assert.deepEqual(errors, []);
		await context.close();
	});

	it("follows the phone's dark setting, and the header's switch overrides it and is remembered", async () => {
		const background = (page: Page) =>
			page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.querySelector(".card")).backgroundColor as string);
		const theme = (page: Page) => page.evaluate(() => (globalThis as any).document.documentElement.dataset.theme as string);
		const dark = await signedInPage(browser, PHONE, PASSWORD, 1, "dark");
		await open(dark.page, "");
		assert.equal(await theme(dark.page), "dark");
		assert.equal(await background(dark.page), "rgb(26, 33, 41)");
		assert.match((await dark.page.getAttribute("#theme-btn", "aria-label"))!, /automatic \(dark/);
		await dark.page.click("#theme-btn"); // auto -> light (the opposite of the phone)
		assert.equal(await theme(dark.page), "light");
		assert.equal(await background(dark.page), "rgb(255, 255, 255)");
		await dark.page.reload();
		await dark.page.waitForSelector("main#page > section:not(.hidden)");
		assert.equal(await theme(dark.page), "light", "the choice is kept in this browser");
		await dark.page.click("#theme-btn"); // light -> dark
		await dark.page.click("#theme-btn"); // dark -> auto
		assert.equal(await theme(dark.page), "dark");
		await dark.context.close();
		const light = await signedInPage(browser, PHONE, PASSWORD, 1, "light");
		await open(light.page, "");
		assert.equal(await theme(light.page), "light");
		await light.context.close();
	});

	it("keeps the selected mode readable after a tap on a touch screen (hover does not stick over it)", async () => {
		for (const touch of [true, false]) {
			const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, hasTouch: touch, isMobile: touch });
			await context.addInitScript(`sessionStorage.setItem("ohx.pw", ${JSON.stringify(PASSWORD)});`);
			const page = await context.newPage();
			await open(page, "");
			const button = page.locator('button[data-mode="6040"]');
			if (touch) await button.tap();
			else await button.click();
			await page.waitForSelector('button[data-mode="6040"][aria-pressed="true"]');
			await button.hover(); // the pointer stays where the finger was: a phone keeps :hover there
			await page.waitForTimeout(200);
			const bg = await button.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor as string);
			assert.equal(bg, "rgb(0, 71, 179)", `${touch ? "touch" : "mouse"}: the selected mode keeps its accent background`);
			await context.close();
		}
	});

	it("shows the lock target as Stock while the board forwards the car's frames unchanged", async () => {
		await fetch(`${base}/api/mode`, {
			method: "POST",
			headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` },
			body: JSON.stringify({ mode: "STOCK" }),
		});
		const { context, page } = await signedInPage(browser, PHONE);
		await open(page, "");
		await page.waitForFunction(() => (globalThis as any).document.querySelector("#v-target")?.textContent === "Stock", null, { timeout: 10_000 });
		await context.close();
	});

	it("on an MQB car (Gen 5 saved in Setup) shows the boost and the generation on the dashboard", async () => {
		const auth = { "content-type": "application/json", authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` };
		await fetch(`${base}/api/settings`, { method: "POST", headers: auth, body: JSON.stringify({ haldexGeneration: 5 }) });
		try {
			const { context, page } = await signedInPage(browser, PHONE);
			await open(page, "");
			await page.waitForFunction(() => (globalThis as any).document.querySelector("#live-note")?.textContent === "Haldex Gen 5 (MQB)", null, {
				timeout: 10_000,
			});
			// the simulator swaps in an MQB car within 250 ms; its MOTOR_04 carries the boost
			await page.waitForFunction(() => !(globalThis as any).document.querySelector("#v-boost")?.closest(".tile")?.hidden, null, { timeout: 10_000 });
			assert.match((await page.textContent("#v-boost")) ?? "", /^-?\d+\.\d\d$/);
			await context.close();
		} finally {
			await fetch(`${base}/api/settings`, { method: "POST", headers: auth, body: JSON.stringify({ haldexGeneration: 4 }) });
		}
	});

	it("switches mode and shows the engagement following the lock target", async () => {
		const status = (await (await fetch(`${base}/api/status`)).json()) as any;
		assert.isObject(status.telemetry, "the simulated car feeds /api/status");
		const { context, page } = await signedInPage(browser, PHONE);
		await open(page, "");
		await page.click('button[data-mode="5050"]');
		await page.waitForSelector('button[data-mode="5050"][aria-pressed="true"]');
		await page.waitForFunction(() => Number((globalThis as any).document.querySelector("#v-target")?.textContent) === 100, null, { timeout: 10_000 });
		await page.waitForFunction(() => Number((globalThis as any).document.querySelector("#v-engagement")?.textContent) >= 90, null, { timeout: 15_000 });
		await page.click('button[data-mode="FWD"]');
		await page.waitForSelector('button[data-mode="FWD"][aria-pressed="true"]');
		await page.waitForFunction(() => Number((globalThis as any).document.querySelector("#v-engagement")?.textContent) <= 10, null, { timeout: 15_000 });
		assert.equal(await page.getAttribute('button[data-mode="5050"]', "aria-pressed"), "false");
		await context.close();
	});

	it("edits and saves a curve after signing in, and it is still there after a reload", async () => {
		// Not signed in: saving asks for the password, and the edit survives the sign-in.
		const context = await browser.newContext({ viewport: PHONE });
		const page = await context.newPage();
		await open(page, "tuning");
		const lock3 = page.locator('input[aria-label="Point 3 lock"]');
		await lock3.waitFor();
		const lock = String(30 + (Date.now() % 9)); // differs from any earlier run against a kept simulator
		await lock3.fill(lock);
		await page.fill('input[aria-label="Point 2 speed"]', "500");
		assert.include(await page.textContent("#curve-problems"), "Point 2: the speed must be 0 to 300 km/h.");
		assert.isTrue(await page.isDisabled("#curve-save"));
		await page.fill('input[aria-label="Point 2 speed"]', "25");
		await page.click("#curve-save");
		await page.waitForSelector("#signin-pw");
		await page.fill("#signin-pw", "wrong password");
		await page.click('form.dialog button[type="submit"]');
		await page.waitForSelector("form.dialog .msg.bad");
		await page.fill("#signin-pw", PASSWORD);
		await page.click('form.dialog button[type="submit"]');
		await page.waitForSelector("text=Saved. The board uses the new curve now.");
		const stored = (await (await fetch(`${base}/api/curve/speed`)).json()) as any;
		assert.deepEqual(stored.points.slice(1, 3), [
			{ x: 25, lock: 45 },
			{ x: 40, lock: Number(lock) },
		]);
		await page.reload();
		await page.locator('input[aria-label="Point 3 lock"]').waitFor();
		assert.equal(await page.inputValue('input[aria-label="Point 3 lock"]'), lock);
		await context.close();
	});

	it("sets the RPM mode's gate on Tuning → Gates, and selects RPM on the dashboard", async () => {
		const { context, page } = await signedInPage(browser, PHONE);
		await open(page, "tuning");
		await page.click("#tab-gates");
		const rpmGate = page.locator('input[aria-label="RPM mode: no lock below"]');
		await rpmGate.waitFor();
		await page.waitForFunction(() => (globalThis as any).document.querySelector('input[data-path="disengageUnderSpeed.rpm"]')?.value !== "");
		await rpmGate.fill("301");
		assert.include(await page.textContent("#gates-problems"), "RPM mode: no lock below: enter 0 to 300 km/h.");
		assert.isTrue(await page.isDisabled("#gates-save"));
		await rpmGate.fill("12");
		await page.click("#gates-save");
		await page.waitForSelector("text=Saved. The board uses the new gates now.");
		const settings = (await (await fetch(`${base}/api/settings`)).json()) as any;
		assert.equal(settings.disengageUnderSpeed.rpm, 12);
		assert.isTrue(await page.isDisabled("#gates-save"), "nothing left to save");
		await page.click("#tab-rpm");
		await page.locator('input[aria-label="Point 6 engine speed"]').waitFor();
		await open(page, "");
		await page.click('button[data-mode="RPM"]');
		await page.waitForSelector('button[data-mode="RPM"][aria-pressed="true"]');
		const status = (await (await fetch(`${base}/api/status`)).json()) as any;
		assert.equal(status.mode, "RPM");
		await page.click('button[data-mode="STOCK"]');
		await page.waitForSelector('button[data-mode="STOCK"][aria-pressed="true"]');
		await context.close();
	});

	it("shows the live CAN table at 360 px: both buses, rates, the rewrite side by side; pause, filter and a signal plot", async () => {
		const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`, "content-type": "application/json" };
		// 50:50 on the driving car: the Gen4 rewrites show their forwarded bytes.
		assert.equal((await fetch(`${base}/api/mode`, { method: "POST", headers: auth, body: JSON.stringify({ mode: "5050" }) })).status, 200);
		const { context, page } = await signedInPage(browser, PHONE);
		await open(page, "can");
		await page.waitForSelector('#can-rows tr[data-id="0:280"]');
		await page.waitForSelector('#can-rows tr[data-id="1:2C0"]');
		await page.waitForSelector("#can-rows .after", { timeout: 10_000 });
		const width = await page.evaluate<number>("document.documentElement.scrollWidth");
		assert.isAtMost(width, PHONE.width, `the CAN page is ${width} px wide`);
		// The rate is counted over whole seconds: the first one comes after a second.
		await page.waitForFunction(() => Number((globalThis as any).document.querySelector('#can-rows tr[data-id="0:1A0"] td.num')?.textContent) > 0);
		const hz = Number(await page.textContent('#can-rows tr[data-id="0:1A0"] td.num'));
		assert.approximately(hz, 100, 20, "BRAKES1 every 10 ms");
		// Pause holds the table still.
		await page.click("#can-pause");
		await page.waitForSelector('#can-pause[aria-pressed="true"]');
		const held = await page.textContent("#can-rows");
		await page.waitForTimeout(1200);
		assert.equal(await page.textContent("#can-rows"), held);
		await page.click("#can-pause");
		await page.waitForSelector('#can-pause[aria-pressed="false"]');
		// The filter keeps only the IDs asked for.
		await page.fill("#can-filter", "280, 2c0");
		await page.click("#can-filter-apply");
		await page.waitForFunction(() => {
			const ids = [...(globalThis as any).document.querySelectorAll("#can-rows tr[data-id]")].map((r: any) => r.dataset.id.split(":")[1]);
			return ids.length > 0 && ids.every((id: string) => id === "280" || id === "2C0");
		});
		// MOTOR1's rpm (bits 16..31 x 0.25) plotted from every frame.
		await page.click("#sig-plot");
		await page.waitForFunction(() => /280 bits 16\+16: \d/.test((globalThis as any).document.querySelector("#sig-value")?.textContent ?? ""));
		assert.match((await page.getAttribute("#cap-download", "href"))!, /^\/api\/can\/capture\.log\?seconds=60$/);
		assert.match((await page.textContent("#gvret-state"))!, /Read-only/);
		await page.fill("#can-filter", "");
		await page.click("#can-filter-apply");
		assert.deepEqual(errors, []);
		await context.close();
		await fetch(`${base}/api/mode`, { method: "POST", headers: auth, body: JSON.stringify({ mode: "STOCK" }) });
	});

	it("explains a refused firmware file in plain words", async () => {
		const { context, page } = await signedInPage(browser, PHONE);
		await open(page, "update");
		const junk = Buffer.alloc(4096, 0x41);
		await page.setInputFiles("#file", { name: "photo.bin", mimeType: "application/octet-stream", buffer: junk });
		await page.click("#upload-btn");
		await page.waitForSelector("#upload-msg.bad");
		assert.include(await page.textContent("#upload-msg"), "This is not a firmware file.");
		assert.isFalse(await page.isVisible("#upload-progress"), "no transfer figures left next to the refusal");
		const wrongChip = Buffer.from(buildEspImage({ version: "9.0.0+ohxs", chipId: 0x05, size: 16 * 1024 }));
		await page.setInputFiles("#file", { name: "esp32c3.bin", mimeType: "application/octet-stream", buffer: wrongChip });
		await page.click("#upload-btn");
		await page.waitForSelector("#upload-msg:has-text('different chip')");
		await context.close();
	});

	it("uploads a valid image with progress, installs it and follows the restart to the new version", async () => {
		const { context, page } = await signedInPage(browser, DESKTOP);
		await open(page, "update");
		const image = Buffer.from(buildEspImage({ version: "0.9.0+ohxs", size: 600 * 1024, seed: 3 }));
		await page.setInputFiles("#file", { name: "openhaldex-xs-0.9.0.bin", mimeType: "application/octet-stream", buffer: image });
		await page.click("#upload-btn");
		await page.waitForSelector("#upload-progress:has-text('of')");
		assert.match((await page.textContent("#upload-progress"))!, /kB|MB/);
		await page.waitForSelector("#install-btn", { timeout: 30_000 });
		assert.include(await page.textContent("#upload-msg"), "0.9.0+ohxs is ready to install");
		if (rig) {
			// Driving: the board refuses, and the page says why in a driver's words.
			// The simulator card (only in the simulator) drives and parks the car.
			await page.waitForSelector("#sim-card:not([hidden])");
			if (await page.isEnabled("#sim-drive")) await page.click("#sim-drive");
			await page.waitForSelector("#sim-car:has-text('driving')");
			await page.waitForTimeout(300);
			await page.click("#install-btn");
			await page.click(".dialog button.danger");
			await page.waitForSelector("#upload-msg:has-text('Not installed.')");
			assert.match((await page.textContent("#upload-msg"))!, /The (car is moving|engine is running)\. (Stop the car|Switch the engine off)/);
			await page.click("#sim-park");
			await page.waitForSelector("#sim-car:has-text('parked')");
			assert.equal(rig.sim.carLink.scenario, "parked");
			await page.waitForTimeout(2500); // the last moving-car telemetry goes stale
		}
		await page.click("#install-btn");
		assert.include(await page.textContent(".dialog"), "Keep the power on");
		assert.include(await page.textContent(".dialog"), "The car is stopped");
		await page.click(".dialog button.danger");
		await page.waitForSelector("#follow-note:has-text('Done')", { timeout: 90_000 });
		assert.include(await page.textContent("#follow-note"), "0.9.0+ohxs");
		await page.waitForSelector("#running-version:has-text('0.9.0+ohxs')", { timeout: 10_000 });
		assert.equal(await page.textContent("#running-version"), "0.9.0+ohxs");
		await context.close();
	});
});
