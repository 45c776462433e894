/* Dashboard: mode buttons, live values, a 30 s plot of lock target vs engagement, CAN and Haldex badges. */

import { lockTargetOf } from "../status-view";
import { themeColor } from "../theme";
import { h, fill, text } from "../dom";
import { post } from "../api";
import { drawChart } from "../chart";
import { messageBox, onStatus, refreshStatus, setPollInterval, type Status } from "../ui";
import { simulatorCard } from "../sim";

export const MODES: { id: string; label: string; sub: string }[] = [
	{ id: "STOCK", label: "Stock", sub: "as from the factory" },
	{ id: "FWD", label: "FWD", sub: "front only" },
	{ id: "5050", label: "50:50", sub: "full lock" },
	{ id: "6040", label: "60:40", sub: "40 % lock" },
	{ id: "7525", label: "75:25", sub: "30 % lock" },
	{ id: "8020", label: "80:20", sub: "20 % lock" },
	{ id: "9010", label: "90:10", sub: "10 % lock" },
	{ id: "SPEED", label: "Speed", sub: "speed curve" },
	{ id: "THROTTLE", label: "Pedal", sub: "pedal curve" },
	{ id: "MAP", label: "Map", sub: "pedal × speed" },
	{ id: "RPM", label: "RPM", sub: "rpm curve" },
];

const WINDOW_MS = 30_000;
const FRESH_MS = 1500;

export function badges(s: Status | undefined): { can: [string, string]; haldex: [string, string] } {
	const c = s?.can,
		t = s?.telemetry;
	let can: [string, string];
	if (!c) can = ["CAN: no data", "off"];
	else if (c.busFailure) can = ["CAN: bus fault", "bad"];
	else if (!c.ready) can = ["CAN: not started", "bad"];
	else if (!c.chassis && !c.haldex) can = ["CAN: both buses quiet", "warn"];
	else if (!c.chassis) can = ["CAN: car bus quiet", "warn"];
	else if (!c.haldex) can = ["CAN: Haldex bus quiet", "warn"];
	else can = ["CAN: OK", "ok"];
	let haldex: [string, string];
	if (!t) haldex = ["Haldex: no data", "off"];
	else if (t.haldexAgeMs === undefined || t.haldexAgeMs < 0 || t.haldexAgeMs > FRESH_MS) haldex = ["Haldex: not answering", "warn"];
	else if (t.tempProtection) haldex = ["Haldex: overheated, protecting itself", "bad"];
	else haldex = ["Haldex: OK", "ok"];
	return { can, haldex };
}

const STANDARD_ATMOSPHERE_KPA = 101.325;

export function mount(root: HTMLElement): () => void {
	const msg = messageBox();
	let pending: string | undefined;
	const buttons = new Map<string, HTMLButtonElement>();
	const modeGrid = h(
		"div",
		{ class: "modes", role: "group", "aria-label": "Mode" },
		MODES.map((m) => {
			const b = h(
				"button",
				{ type: "button", class: "mode", "data-mode": m.id, "aria-pressed": "false", onclick: () => choose(m.id) },
				h("span", { class: "mode-label" }, m.label),
				h("span", { class: "mode-sub" }, m.sub),
			);
			buttons.set(m.id, b);
			return b;
		}),
	);
	const applied = h("p", { class: "applied", id: "applied" });

	const value = (id: string, label: string, unit: string, big = false) => {
		const v = h("span", { class: "v", id }, "–");
		return [
			h("div", { class: big ? "tile big" : "tile" }, h("span", { class: "k" }, label), h("span", { class: "vu" }, v, h("span", { class: "u" }, unit))),
			v,
		] as const;
	};
	const [speedT, speedV] = value("v-speed", "Speed", "km/h");
	const [rpmT, rpmV] = value("v-rpm", "Engine", "rpm");
	const [pedalT, pedalV] = value("v-pedal", "Pedal", "%");
	const [targetT, targetV] = value("v-target", "Lock target", "%", true);
	const targetU = targetT.querySelector(".u") as HTMLElement;
	const [engT, engV] = value("v-engagement", "Engagement", "%", true);
	// Only MQB cars (Gen5) send boost: the tile shows while it is received, relative to a standard atmosphere.
	const [boostT, boostV] = value("v-boost", "Boost", "bar");
	boostT.hidden = true;
	const canBadge = h("span", { class: "badge off", id: "badge-can" }, "CAN");
	const haldexBadge = h("span", { class: "badge off", id: "badge-haldex" }, "Haldex");
	const canvas = h("canvas", { class: "chart", id: "live-chart", role: "img", "aria-label": "Lock target and engagement over the last 30 seconds" });
	const note = h("p", { class: "muted small", id: "live-note" });

	const history: { t: number; target: number | undefined; eng: number }[] = [];

	fill(
		root,
		h("section", { class: "card" }, h("h2", null, "Mode"), modeGrid, applied, msg),
		h(
			"section",
			{ class: "card" },
			h("h2", null, "Live"),
			h("div", { class: "badges" }, canBadge, haldexBadge),
			h("div", { class: "tiles" }, speedT, rpmT, pedalT, boostT, targetT, engT),
			note,
		),
		h(
			"section",
			{ class: "card" },
			h("h2", null, "Last 30 seconds"),
			h("div", { class: "legend" }, h("span", { class: "key target" }, "Lock target"), h("span", { class: "key eng" }, "Engagement")),
			canvas,
		),
		simulatorCard(),
	);

	async function choose(mode: string) {
		pending = mode;
		render(undefined);
		msg.show("info", "Switching…");
		try {
			await post("/api/mode", { mode });
			msg.clear();
			await refreshStatus();
		} catch (e) {
			msg.error(e);
		} finally {
			pending = undefined;
			render(undefined);
		}
	}

	let last: Status | undefined;
	function render(s: Status | undefined) {
		if (s) last = s;
		s = last;
		const active = s?.mode;
		for (const [id, b] of buttons) {
			const on = id === active;
			b.setAttribute("aria-pressed", String(on));
			b.classList.toggle("active", on);
			b.classList.toggle("busy", id === pending);
		}
		if (!s) return;
		if (s.mode && s.effectiveMode && s.effectiveMode !== s.mode) {
			const why = s.controller?.holds?.length
				? `held in Stock while ${s.controller.holds.join(", ")}`
				: s.disableController
					? "the controller is switched off in the settings"
					: s.controller?.offReason
						? `the controller is off: ${s.controller.offReason}`
						: "the controller is not running";
			text(applied, `Working as Stock for now: ${why}.`);
			applied.className = "applied warn";
		} else {
			text(applied, s.mode ? `Active: ${MODES.find((m) => m.id === s!.mode)?.label ?? s.mode}` : "");
			applied.className = "applied";
		}
		const t = s.telemetry;
		const show = (el: HTMLElement, v: number | undefined, fresh = true) => text(el, v === undefined || !fresh ? "–" : String(Math.round(v)));
		show(speedV, t?.speed, t ? (t.speedAgeMs ?? 0) >= 0 : false);
		show(rpmV, t?.rpm, t ? (t.engineAgeMs ?? 0) >= 0 : false);
		show(pedalV, t?.throttle, t ? (t.engineAgeMs ?? 0) >= 0 : false);
		const target = lockTargetOf(s);
		if (target === undefined && t) {
			text(targetV, "Stock");
			text(targetU, "");
		} else {
			show(targetV, target);
			text(targetU, "%");
		}
		show(engV, t?.haldexEngagement ?? t?.act);
		boostT.hidden = !t || (t.boostAgeMs ?? -1) < 0;
		if (t && !boostT.hidden) text(boostV, (((t.boostKpa ?? 0) - STANDARD_ATMOSPHERE_KPA) / 100).toFixed(2));
		text(
			note,
			!t
				? "No live data from the car: the CAN bridge is not running in this firmware."
				: s.haldexGeneration
					? `Haldex Gen ${s.haldexGeneration}${s.haldexGeneration === 5 ? " (MQB)" : ""}`
					: "",
		);
		const b = badges(s);
		text(canBadge, b.can[0]);
		canBadge.className = `badge ${b.can[1]}`;
		text(haldexBadge, b.haldex[0]);
		haldexBadge.className = `badge ${b.haldex[1]}`;
	}

	function plot() {
		const now = performance.now();
		while (history.length && history[0].t < now - WINDOW_MS - 2000) history.shift();
		// No target in STOCK: those moments are left out of its line rather than drawn as 0.
		const pts = (k: "target" | "eng") => history.filter((p) => p[k] !== undefined).map((p) => [(p.t - now) / 1000, p[k]!] as [number, number]);
		drawChart(
			canvas,
			[
				{ color: themeColor("--series-target", "#0047b3"), label: "Lock target", points: pts("target"), dashed: true },
				{ color: themeColor("--series-eng", "#c2410c"), label: "Engagement", points: pts("eng"), width: 3 },
			],
			{ xMin: -30, xMax: 0, yMin: 0, yMax: 100, xStep: 10, yStep: 25, xFormat: (v) => (v ? `${v} s` : "now"), yFormat: (v) => `${v}%` },
		);
	}

	const off = onStatus((s, err) => {
		if (err) return;
		render(s);
		const t = s?.telemetry;
		if (t) history.push({ t: performance.now(), target: lockTargetOf(s), eng: t.haldexEngagement ?? t.act ?? 0 });
		plot();
	});
	setPollInterval(400);
	const onResize = () => plot();
	window.addEventListener("resize", onResize);
	plot();
	return () => {
		off();
		setPollInterval(1000);
		window.removeEventListener("resize", onResize);
	};
}
