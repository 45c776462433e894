/* Diagnostics: bus health, frame counters, fail-safe state, uptime and memory, live input ages. */

import { h, fill, fmtDuration } from "../dom";
import { onStatus, section, type Status } from "../ui";

const COUNTER_NAMES: Record<string, string> = {
	chassisToHaldex: "Car → Haldex frames",
	haldexToChassis: "Haldex → car frames",
	rewritten: "Frames rewritten",
	dropped: "Frames dropped",
	errors: "Bus errors",
	busOffRecoveries: "Bus-off recoveries",
	watchdogFallbacks: "Fail-safe fallbacks",
	e2eMismatch: "Gen5 frames with a CRC the bridge's DataID did not reproduce (passed untouched)",
};

const kv = (rows: [string, unknown][]) =>
	h(
		"dl",
		{ class: "kv" },
		rows.map(([k, v]) => [h("dt", null, k), h("dd", null, v === undefined || v === null ? "–" : String(v))]),
	);
const yes = (b: boolean | undefined, y: string, n: string) => (b === undefined ? "–" : b ? y : n);
const age = (ms: number | undefined) => (ms === undefined || ms < 0 ? "never" : ms < 1000 ? `${Math.round(ms)} ms ago` : `${(ms / 1000).toFixed(1)} s ago`);

export function mount(root: HTMLElement): () => void {
	const buses = h("div", { id: "diag-buses" });
	const counters = h("div", { id: "diag-counters" });
	const failsafe = h("div", { id: "diag-failsafe" });
	const inputs = h("div", { id: "diag-inputs" });
	const system = h("div", { id: "diag-system" });
	const frames = h("div", { id: "diag-frames" });
	fill(
		root,
		section("Buses", buses),
		section("Fail-safe", failsafe),
		section("Frame counters", counters),
		section("Last inputs from the car", inputs),
		section("Frame diagnostics", frames),
		section("System", system),
	);

	function render(s: Status | undefined) {
		if (!s) return;
		const c = s.can;
		if (c) {
			fill(
				buses,
				h(
					"table",
					{ class: "list" },
					h("thead", null, h("tr", null, h("th", null, "Bus"), h("th", null, "Started"), h("th", null, "Bus-off"), h("th", null, "Traffic"))),
					h(
						"tbody",
						null,
						Object.entries(c.health).map(([name, b]) =>
							h(
								"tr",
								null,
								h("td", null, name === "chassis" ? "Car (chassis)" : name === "haldex" ? "Haldex" : name),
								h("td", null, yes(b.started, "yes", "no")),
								h("td", { class: b.busOff ? "bad" : "" }, yes(b.busOff, "BUS OFF", "no")),
								h("td", { class: b.silent ? "warn" : "" }, yes(b.silent, "quiet", "flowing")),
							),
						),
					),
				),
			);
		}
		fill(counters, c?.counters ? kv(Object.entries(c.counters).map(([k, v]) => [COUNTER_NAMES[k] ?? k, v.toLocaleString()])) : h("p", { class: "muted" }, "–"));
		const ctl = s.controller;
		fill(
			failsafe,
			kv([
				["Controller", ctl?.state],
				["Selected mode", s.mode],
				["Applied mode", s.effectiveMode],
				["Bridge", c ? (c.rewriting ? "rewriting frames" : "pass-through (stock)") : undefined],
				["Held in stock by", ctl?.holds?.length ? ctl.holds.join(", ") : "nothing"],
				["Lock asked / sent", ctl ? `${ctl.requestPct ?? "–"} % / ${ctl.targetPct ?? "–"} %` : undefined],
				["Control loop", ctl?.ticks !== undefined ? `${ctl.ticks.toLocaleString()} ticks, longest gap ${ctl.maxTickGapMs} ms` : undefined],
				...(ctl?.offReason ? [["Off because", ctl.offReason] as [string, unknown]] : []),
			]),
		);
		const t = s.telemetry;
		fill(
			inputs,
			t
				? kv([
						["Speed", `${t.speed} km/h, ${age(t.speedAgeMs)}`],
						["Engine / pedal", `${t.rpm} rpm, ${t.throttle} %, ${age(t.engineAgeMs)}`],
						["Coolant", (t.coolantAgeMs ?? -1) >= 0 ? `${Math.round(t.coolant)} °C, ${age(t.coolantAgeMs)}` : "not received"],
						["Boost", (t.boostAgeMs ?? -1) >= 0 ? `${t.boostKpa} kPa absolute, ${age(t.boostAgeMs)}` : "not received (only MQB cars send it)"],
						["Haldex", `${t.haldexEngagement} % engaged, state 0x${(t.haldexState ?? 0).toString(16).padStart(2, "0")}, ${age(t.haldexAgeMs)}`],
					])
				: h("p", { class: "muted" }, "–"),
		);
		fill(frames, kv(Object.entries(s.frameDiag ?? {})));
		const mem = s.memory ?? {};
		fill(
			system,
			kv([
				["Firmware", s.version],
				["Board", s.board],
				["Up for", s.uptime !== undefined ? fmtDuration(s.uptime) : undefined],
				["Last reset", s.resetReason],
				["Clock", s.time ? (s.time.synced ? `${new Date(s.time.epochMs).toLocaleString()} (${s.time.source})` : "not set") : undefined],
				...Object.entries(mem)
					.filter(([, v]) => v !== undefined)
					.map(([k, v]) => [k, typeof v === "number" ? v.toLocaleString() : v] as [string, unknown]),
			]),
		);
	}
	return onStatus((s) => render(s));
}
