/* Shared pieces: dialogs, the sign-in prompt, message lines, the status store and polling. */

import type { StatusBody } from "app/status";
import { h, fill, type Child } from "./dom";
import { ApiError, basic, errorFromResponse, get, offline, setPassword, setPasswordPrompt } from "./api";
import { codeOf, explain } from "./errors";

// ---- messages ---------------------------------------------------------

export type Tone = "ok" | "warn" | "bad" | "info";

/** A message line (role=status) that pages fill with results and errors. */
export function messageBox(): HTMLDivElement & { show(tone: Tone, ...c: Child[]): void; error(e: unknown): void; clear(): void } {
	const el = h("div", { class: "msg", role: "status", "aria-live": "polite" }) as HTMLDivElement & {
		show(tone: Tone, ...c: Child[]): void;
		error(e: unknown): void;
		clear(): void;
	};
	el.show = (tone, ...c) => {
		el.className = `msg ${tone}`;
		fill(el, ...c);
	};
	el.error = (e) => el.show("bad", h("span", { class: "say" }, explain(e)), codeOf(e) ? h("small", { class: "code" }, ` ${codeOf(e)}`) : null);
	el.clear = () => {
		el.className = "msg";
		fill(el);
	};
	return el;
}

// ---- dialogs ----------------------------------------------------------

export function modal(title: string, body: Child[], buttons: { label: string; cls?: string; value: string }[]): Promise<string> {
	return new Promise((resolve) => {
		const prev = document.activeElement as HTMLElement | null;
		const close = (v: string) => {
			back.remove();
			prev?.focus?.();
			resolve(v);
		};
		const box = h(
			"div",
			{ class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "dlg-title" },
			h("h2", { id: "dlg-title" }, title),
			...body,
			h(
				"div",
				{ class: "row end" },
				buttons.map((b) => h("button", { class: b.cls ?? "", type: "button", onclick: () => close(b.value) }, b.label)),
			),
		);
		const back = h(
			"div",
			{
				class: "backdrop",
				onkeydown: (e: KeyboardEvent) => {
					if (e.key === "Escape") close("cancel");
				},
			},
			box,
		);
		document.body.appendChild(back);
		(box.querySelector("button:last-child") as HTMLElement | null)?.focus();
	});
}

let pendingSignIn: Promise<boolean> | undefined;

/** The sign-in dialog. Resolves true once a password the board accepts is stored. */
export function signIn(reason?: ApiError): Promise<boolean> {
	pendingSignIn ??= new Promise<boolean>((resolve) => {
		const input = h("input", { type: "password", id: "signin-pw", autocomplete: "current-password", required: true, "aria-label": "Admin password" });
		const msg = messageBox();
		if (reason && reason.code === "auth_invalid") msg.show("bad", "The saved password was not accepted. Enter it again.");
		const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
		const done = (ok: boolean) => {
			back.remove();
			pendingSignIn = undefined;
			resolve(ok);
		};
		const form = h(
			"form",
			{
				class: "dialog",
				role: "dialog",
				"aria-modal": "true",
				"aria-labelledby": "signin-title",
				onsubmit: async (e: Event) => {
					e.preventDefault();
					submit.disabled = true;
					msg.show("info", "Checking…");
					try {
						const res = await fetch("/api/auth/check", { method: "POST", headers: { authorization: basic(input.value) }, cache: "no-store" });
						if (res.ok) {
							setPassword(input.value);
							done(true);
							return;
						}
						const err = await errorFromResponse(res);
						if (err.code === "setup_required") msg.show("bad", explain(err), " ", h("a", { href: "#/setup", onclick: () => done(false) }, "Open Setup"));
						else msg.error(err);
					} catch {
						msg.error(offline());
					}
					submit.disabled = false;
					input.select();
				},
			},
			h("h2", { id: "signin-title" }, "Sign in"),
			h("p", null, "Changing the board needs the admin password you chose in Setup. What you were doing stays as it was."),
			h("label", { for: "signin-pw" }, "Admin password"),
			input,
			msg,
			h("div", { class: "row end" }, h("button", { type: "button", onclick: () => done(false) }, "Cancel"), submit),
		);
		const back = h(
			"div",
			{
				class: "backdrop",
				onkeydown: (e: KeyboardEvent) => {
					if (e.key === "Escape") done(false);
				},
			},
			form,
		);
		document.body.appendChild(back);
		input.focus();
	});
	return pendingSignIn;
}

setPasswordPrompt((why) => {
	if (why.code === "auth_invalid") setPassword(null);
	return signIn(why);
});

// ---- live status ------------------------------------------------------

/** GET /api/status: the firmware's own type (modules/app/status.ts), so the two cannot drift apart. */
export type Status = StatusBody;

type StatusListener = (s: Status | undefined, error?: ApiError) => void;
const statusListeners = new Set<StatusListener>();
export let lastStatus: Status | undefined;
export let lastContact = 0;
let pollTimer: number | undefined;
let pollMs = 1000;
let inFlight = false;

export function onStatus(f: StatusListener): () => void {
	statusListeners.add(f);
	if (lastStatus) f(lastStatus);
	return () => statusListeners.delete(f);
}

/** Poll /api/status every `ms` (the dashboard asks for faster), paused while the tab is hidden. */
export function setPollInterval(ms: number): void {
	pollMs = ms;
	schedule(0);
}

async function pollOnce(): Promise<void> {
	if (inFlight) return;
	inFlight = true;
	try {
		lastStatus = await get<Status>("/api/status", { timeoutMs: 3000 });
		lastContact = Date.now();
		statusListeners.forEach((f) => f(lastStatus));
	} catch (e) {
		statusListeners.forEach((f) => f(lastStatus, e instanceof ApiError ? e : offline()));
	} finally {
		inFlight = false;
	}
}

function schedule(delay: number): void {
	clearTimeout(pollTimer);
	if (document.hidden) return;
	pollTimer = window.setTimeout(async () => {
		await pollOnce();
		schedule(pollMs);
	}, delay);
}

document.addEventListener("visibilitychange", () => {
	if (document.hidden) clearTimeout(pollTimer);
	else schedule(0);
});

export function refreshStatus(): Promise<void> {
	return pollOnce();
}

export function section(title: string, ...children: Child[]): HTMLElement {
	return h("section", { class: "card" }, h("h2", null, title), ...children);
}
