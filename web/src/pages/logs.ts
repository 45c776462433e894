/* Logs: the board's recent events, newest first; clear with the password. */

import { logOrder } from "../status-view";
import { h, fill } from "../dom";
import { get, post } from "../api";
import { messageBox, modal, section } from "../ui";
import type { LogsBody } from "api/contract";

/** Kinds the owner should notice first. */
const ALARM = new Set(["safe-mode", "rollback", "bus-fault", "watchdog"]);

export function mount(root: HTMLElement): () => void {
	const list = h("ol", { class: "log", id: "log-list", reversed: true });
	const msg = messageBox();
	const clearBtn = h("button", { type: "button", id: "log-clear", onclick: () => clear() }, "Clear log");
	fill(
		root,
		section(
			"Events",
			h("p", { class: "muted" }, "Mode changes, updates, rollbacks, bus faults, restarts and sign-ins, newest first."),
			h("div", { class: "row" }, h("button", { type: "button", onclick: () => load() }, "Refresh"), clearBtn),
			msg,
			list,
		),
	);

	async function load() {
		try {
			const { entries } = await get<LogsBody>("/api/logs");
			fill(
				list,
				logOrder(entries).map((e) => {
					const when = e.wallMs ? new Date(e.wallMs).toLocaleString() : `boot ${e.boot}, ${Math.round(e.upMs / 1000)} s after start`;
					return h(
						"li",
						null,
						h("span", { class: "when" }, when),
						" ",
						h("span", { class: `badge ${ALARM.has(e.kind) ? "bad" : "off"}` }, e.kind),
						" ",
						e.message,
					);
				}),
			);
			if (!entries.length) fill(list, h("li", { class: "muted" }, "Nothing logged yet."));
		} catch (e) {
			msg.error(e);
		}
	}
	async function clear() {
		if (
			(await modal(
				"Clear the log?",
				[h("p", null, "Every event is deleted from the board.")],
				[
					{ label: "Cancel", value: "no" },
					{ label: "Clear", cls: "danger", value: "yes" },
				],
			)) !== "yes"
		)
			return;
		try {
			await post("/api/logs/clear");
			msg.show("ok", "Cleared.");
			void load();
		} catch (e) {
			msg.error(e);
		}
	}
	void load();
	const timer = window.setInterval(() => {
		if (!document.hidden) void load();
	}, 5000);
	return () => clearInterval(timer);
}
