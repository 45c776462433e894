/* Logs: the board's recent events, newest first; clear with the password. */

import { logOrder } from "../status-view";
import { h, fill } from "../dom";
import { get, post } from "../api";
import { isMissing } from "../errors";
import { messageBox, modal, section } from "../ui";

export interface LogEntry { t?: number; upMs?: number; wallMs?: number; uptimeMs?: number; time?: number; level?: string; kind?: string; event?: string; message?: string; msg?: string }

export function mount(root: HTMLElement): () => void {
	const list = h("ol", { class: "log", id: "log-list", reversed: true });
	const msg = messageBox();
	const clearBtn = h("button", { type: "button", id: "log-clear", onclick: () => clear() }, "Clear log");
	fill(root, section("Events", h("p", { class: "muted" }, "Mode changes, updates, rollbacks, bus faults, restarts and sign-ins, newest first."),
		h("div", { class: "row" }, h("button", { type: "button", onclick: () => load() }, "Refresh"), clearBtn), msg, list));
	let missing = false;

	async function load() {
		try {
			const r = await get<LogEntry[] | { entries?: LogEntry[]; items?: LogEntry[] }>("/api/logs");
			const entries = Array.isArray(r) ? r : r.entries ?? r.items ?? [];
			fill(list, logOrder(entries).map((e) => {
				const wall = e.wallMs || (e.time ? e.time * (e.time < 1e11 ? 1000 : 1) : 0);
				const when = wall ? new Date(wall).toLocaleString() : `${Math.round((e.upMs ?? e.uptimeMs ?? e.t ?? 0) / 1000)} s after start`;
				const level = e.level ?? "info";
				return h("li", { class: `lvl-${level}` }, h("span", { class: "when" }, when), " ", h("span", { class: `badge ${level === "error" ? "bad" : level === "warn" ? "warn" : "off"}` }, e.kind ?? e.event ?? level), " ", e.message ?? e.msg ?? "");
			}));
			if (!entries.length) fill(list, h("li", { class: "muted" }, "Nothing logged yet."));
		}
		catch (e) {
			if (isMissing(e)) { missing = true; msg.show("info", "This firmware does not keep an event log yet."); clearBtn.disabled = true; }
			else msg.error(e);
		}
	}
	async function clear() {
		if (await modal("Clear the log?", [h("p", null, "Every event is deleted from the board.")], [{ label: "Cancel", value: "no" }, { label: "Clear", cls: "danger", value: "yes" }]) !== "yes") return;
		try { await post("/api/logs/clear"); msg.show("ok", "Cleared."); void load(); }
		catch (e) { msg.error(e); }
	}
	void load();
	const timer = window.setInterval(() => { if (!document.hidden && !missing) void load(); }, 5000);
	return () => clearInterval(timer);
}
