/*
 * OpenHaldex web app: served by the board at http://openhaldex.local.
 * Hash routes (#/tuning) so every page is the same file; live data by
 * polling /api/status, paused while the tab is hidden.
 */

import { safeModeOf } from "./status-view";
import { h, fill, text } from "./dom";
import { onAuthChange, post, setPassword, signedIn } from "./api";
import { lastContact, onStatus, refreshStatus, setPollInterval, signIn, type Status } from "./ui";
import * as dashboard from "./pages/dashboard";
import * as tuning from "./pages/tuning";
import * as diagnostics from "./pages/diagnostics";
import * as setup from "./pages/setup";
import * as update from "./pages/update";
import * as logs from "./pages/logs";
import * as can from "./pages/can";
import { startTheme } from "./theme";

const PAGES: { path: string; title: string; mount: (root: HTMLElement) => () => void }[] = [
	{ path: "", title: "Dashboard", mount: dashboard.mount },
	{ path: "tuning", title: "Tuning", mount: tuning.mount },
	{ path: "diagnostics", title: "Diagnostics", mount: diagnostics.mount },
	{ path: "can", title: "CAN", mount: can.mount },
	{ path: "setup", title: "Setup", mount: setup.mount },
	{ path: "update", title: "Update", mount: update.mount },
	{ path: "logs", title: "Logs", mount: logs.mount },
];

const authBtn = h("button", { type: "button", class: "link", id: "auth-btn", onclick: () => (signedIn() ? setPassword(null) : void signIn()) });
const themeBtn = h("button", { type: "button", class: "link theme", id: "theme-btn" }) as HTMLButtonElement;
const conn = h("span", { class: "conn", id: "conn", title: "Connection to the board" });
const nav = h(
	"nav",
	{ "aria-label": "Pages" },
	PAGES.map((p) => h("a", { href: `#/${p.path}`, "data-page": p.path }, p.title)),
);
const safeBanner = h("div", { class: "banner bad hidden", id: "safe-mode", role: "alert" });
const offlineBanner = h("div", { class: "banner warn hidden", id: "offline", role: "status" });
const main = h("main", { id: "page" });

fill(
	document.body,
	h(
		"header",
		null,
		h("div", { class: "bar" }, h("a", { class: "brand", href: "#/" }, "OpenHaldex"), conn, h("span", { class: "grow" }), themeBtn, authBtn),
		nav,
	),
	safeBanner,
	offlineBanner,
	main,
);

startTheme(themeBtn);

function renderAuth() {
	text(authBtn, signedIn() ? "Sign out" : "Sign in");
}
onAuthChange(() => {
	renderAuth();
	timeSent = false;
	maybeSendTime(lastStatusSeen);
});
renderAuth();

let unmount: (() => void) | undefined;
function route() {
	const path = location.hash.replace(/^#\/?/, "").split("?")[0];
	const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
	unmount?.();
	fill(main);
	main.dataset.page = page.path || "dashboard";
	document.title = `${page.title} · OpenHaldex`;
	nav.querySelectorAll("a").forEach((a) => a.toggleAttribute("aria-current", a.dataset.page === page.path));
	unmount = page.mount(main);
	window.scrollTo?.(0, 0);
}
window.addEventListener("hashchange", route);

let lastStatusSeen: Status | undefined;
let timeSent = false;
function maybeSendTime(s: Status | undefined) {
	// The board has no clock battery: give it the phone's time once signed in.
	if (!s?.time || s.time.synced || timeSent || !signedIn()) return;
	timeSent = true;
	post("/api/time", { epochMs: Date.now() }, { noPrompt: true }).catch(() => undefined);
}

onStatus((s, err) => {
	lastStatusSeen = s;
	conn.className = `conn ${err ? "down" : "up"}`;
	conn.setAttribute("aria-label", err ? "Board not answering" : "Connected");
	if (err && err.status === 0) {
		const ago = lastContact ? Math.round((Date.now() - lastContact) / 1000) : 0;
		text(
			offlineBanner,
			`The board does not answer${ago ? ` (last contact ${ago} s ago)` : ""}. Check this phone is on the board's Wi-Fi and the ignition is on.`,
		);
		offlineBanner.classList.remove("hidden");
	} else if (!err) offlineBanner.classList.add("hidden");
	const safe = safeModeOf(s);
	safeBanner.classList.toggle("hidden", !safe.on);
	if (safe.on)
		text(
			safeBanner,
			`Safe mode: the board restarted several times in a row, so the Haldex works as stock and the controller is off.${safe.reason ? ` Reason: ${safe.reason}.` : ""} Switch the ignition off and on to try normal operation again.`,
		);
	if (!err) maybeSendTime(s);
});

route();
setPollInterval(1000);
void refreshStatus();
