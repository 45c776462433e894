// `npm run screenshots`: every page of the web app in chromium against a
// fresh simulator, at phone width (360 px) and desktop width, light and
// dark, saved as docs/screenshots/<page>-<phone|desktop>[-dark].png.
//   --url http://127.0.0.1:8080   shoot a running simulator instead (signed in with --password)
//   --pages can,logs              only these pages
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DESKTOP, PASSWORD, PHONE, launchBrowser, setPasswordOnBoard, signedInPage, startRig, type Rig } from "../host-tests/browser/support/browser";
import { ROOT } from "../host/simulator/package-info";

const { values } = parseArgs({
	options: {
		url: { type: "string" },
		password: { type: "string", default: PASSWORD },
		out: { type: "string", default: path.join(ROOT, "docs/screenshots") },
		pages: { type: "string" },
	},
});
const ALL_PAGES = ["dashboard", "tuning", "diagnostics", "can", "setup", "update", "logs"];
const PAGES = values.pages ? values.pages.split(",").filter((p) => ALL_PAGES.includes(p)) : ALL_PAGES;

let rig: Rig | undefined;
let url = values.url;
const browser = url ? await launchBrowser() : undefined;
if (!url) {
	rig = await startRig();
	url = rig.sim.url;
	await setPasswordOnBoard(rig.sim);
	await new Promise((r) => setTimeout(r, 4000)); // some car data for the plot
}
fs.mkdirSync(values.out!, { recursive: true });
for (const [name, viewport, scheme] of [
	["phone", PHONE, "light"],
	["desktop", DESKTOP, "light"],
	["phone-dark", PHONE, "dark"],
	["desktop-dark", DESKTOP, "dark"],
] as const) {
	const { context, page } = await signedInPage(browser ?? rig!.browser, viewport, values.password, 1, scheme);
	for (const p of PAGES) {
		await page.goto(`${url}/#/${p === "dashboard" ? "" : p}`);
		if (p === "can") {
			// 50:50, so the rewritten IDs show what the bridge sends; and MOTOR1's rpm plotted.
			const authorization = `Basic ${Buffer.from(`admin:${values.password}`).toString("base64")}`;
			await fetch(`${url}/api/mode`, {
				method: "POST",
				headers: { "content-type": "application/json", authorization },
				body: JSON.stringify({ mode: "5050" }),
			});
			await page.waitForSelector("#can-rows tr[data-id]");
			await page.click("#sig-plot");
		}
		await page.waitForTimeout(p === "dashboard" ? 6000 : p === "can" ? 4000 : 1500);
		const file = path.join(values.out!, `${p}-${name}.png`);
		await page.screenshot({ path: file, fullPage: true });
		console.log(`wrote ${path.relative(ROOT, file)}`);
	}
	await context.close();
}
await browser?.close();
await rig?.close();
