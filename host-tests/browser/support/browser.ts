/*
 * Debian's chromium driven by playwright-core: never a downloaded browser.
 * A fresh profile per launch (Playwright's launch() makes a temporary
 * user-data-dir and deletes it on close).
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { buildWeb } from "../../../scripts/build-web.mjs";
import { startSimulator, type Simulator } from "../../../host/simulator/simulator";

export const CHROMIUM = process.env.OHX_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
	"--disable-quic",
];
export const PASSWORD = "correct horse battery";
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

export function chromiumAvailable(): boolean {
	return fs.existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface Rig {
	sim: Simulator;
	browser: Browser;
	dataDir: string;
	close(): Promise<void>;
}

/** Build the app, start a simulator on a free port with a temp data folder, launch chromium. */
export async function startRig(options: { healthWindowMs?: number; bootDelayMs?: number } = {}): Promise<Rig> {
	await buildWeb({ quiet: true });
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-browser-"));
	const quiet = {
		log() {
			/* the simulator's log is noise in test output */
		},
	};
	const sim = await startSimulator({
		port: 0,
		dataDir,
		logger: quiet,
		bootDelayMs: options.bootDelayMs ?? 800,
		gvretPort: 0, // as npm start serves it (on 2323)
		healthWindowMs: options.healthWindowMs ?? 3000,
	});
	const browser = await launchBrowser();
	return {
		sim,
		browser,
		dataDir,
		async close() {
			await browser.close().catch(() => undefined);
			await sim.stop().catch(() => undefined);
			fs.rmSync(dataDir, { recursive: true, force: true });
		},
	};
}

/** Choose the admin password through the setup window (open on a fresh data folder). */
export async function setPasswordOnBoard(sim: Simulator, password = PASSWORD): Promise<void> {
	const res = await fetch(`${sim.url}/api/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password }) });
	if (!res.ok && res.status !== 403) throw new Error(`setup: ${res.status} ${await res.text()}`);
}

/** A page already signed in (the password in session storage, as the app keeps it). */
export async function signedInPage(
	browser: Browser,
	viewport = PHONE,
	password = PASSWORD,
	deviceScaleFactor = 2,
	colorScheme: "light" | "dark" = "light",
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport, deviceScaleFactor, colorScheme });
	await context.addInitScript(`if (!sessionStorage.getItem("ohx.pw")) sessionStorage.setItem("ohx.pw", ${JSON.stringify(password)});`);
	const page = await context.newPage();
	return { context, page };
}
