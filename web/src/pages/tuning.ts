/*
 * Tuning: the speed, pedal and RPM curves, the pedal × speed map and the
 * gates that say when the modes may lock, checked
 * while the owner types by the firmware's own rules (haldex/curve
 * curveProblems / mapProblems: the board refuses exactly these), a
 * preview plot, save and restore defaults. Unsaved edits survive moving
 * between pages and a sign-in.
 */

import { themeColor } from "../theme";
import { h, fill, text } from "../dom";
import { get, post } from "../api";
import { SETTINGS_LIMITS } from "haldex/target";
import { drawChart, type ChartOptions } from "../chart";
import {
	CURVE_MAX_POINTS,
	CURVE_X_MAX,
	curveProblems,
	factoryCurve,
	factoryMap,
	interpolateMap,
	mapProblems,
	type CurvePoint as Point,
	type LockMap,
} from "haldex/curve";
import { lastStatus, messageBox, modal, onStatus } from "../ui";
import type { CurveBody, MapBody, SettingsBody } from "api/contract";

type Kind = "speed" | "throttle" | "rpm";
type Tab = Kind | "map" | "gates";

const UNIT: Record<Kind, string> = { speed: "km/h", throttle: "% pedal", rpm: "rpm" };
const XNAME: Record<Kind, string> = { speed: "Speed", throttle: "Pedal", rpm: "Engine speed" };
const TAB_LABEL: Record<Tab, string> = { speed: "Speed curve", throttle: "Pedal curve", rpm: "RPM curve", map: "Map", gates: "Gates" };
const ABOUT: Record<Kind, string> = {
	speed: "Lock by road speed, joined by straight lines between the points; flat before the first and after the last.",
	throttle: "Lock by accelerator pedal position, joined by straight lines between the points.",
	rpm: "Lock by engine speed, joined by straight lines between the points; flat before the first and after the last.",
};

/** Edits not saved yet, kept while the app is open. */
const drafts: { speed?: Point[]; throttle?: Point[]; rpm?: Point[]; map?: LockMap } = {};
const saved: { speed?: Point[]; throttle?: Point[]; rpm?: Point[]; map?: LockMap } = {};
let tab: Tab = "speed";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const num = (v: string) => (v.trim() === "" ? NaN : Number(v));
const fmt = (v: number) => (Number.isFinite(v) ? String(v) : "");

/** The axes every tuning preview shares: 0..xMax (speed, pedal or rpm) against 0..100 % lock, with the car's live value marked. */
function lockAxes(xMax: number, marker: number | undefined): ChartOptions {
	return { xMin: 0, xMax, yMin: 0, yMax: 100, xStep: xMax > 1500 ? 1000 : xMax > 150 ? 50 : 20, yStep: 25, yFormat: (v) => `${v}%`, marker };
}

/** How far the preview's x axis reaches: the pedal's whole travel, else a round figure past the last point. */
function previewXMax(kind: Kind, lastX: number): number {
	if (kind === "throttle") return 100;
	const step = kind === "rpm" ? 1000 : 20;
	return Math.min(CURVE_X_MAX[kind], Math.max(3 * step, Math.ceil((lastX * 1.2) / step) * step));
}

export function mount(root: HTMLElement): () => void {
	const body = h("div");
	const tabs = h(
		"div",
		{ class: "tabs", role: "tablist" },
		(["speed", "throttle", "rpm", "map", "gates"] as Tab[]).map((t) =>
			h(
				"button",
				{
					type: "button",
					role: "tab",
					id: `tab-${t}`,
					"aria-selected": String(t === tab),
					onclick: () => {
						tab = t;
						show();
					},
				},
				TAB_LABEL[t],
			),
		),
	);
	fill(
		root,
		h(
			"section",
			{ class: "card" },
			h("h2", null, "Tuning"),
			h(
				"p",
				{ class: "muted" },
				"How much the rear axle locks in the Speed, Pedal, RPM and Map modes, and when the modes may lock at all. Changes take effect when you press Save.",
			),
			tabs,
		),
		body,
	);
	let cleanup: () => void = () => undefined;
	function show() {
		cleanup();
		tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.id === `tab-${tab}`)));
		cleanup = tab === "map" ? mapEditor(body) : tab === "gates" ? gatesEditor(body) : curveEditor(body, tab);
	}
	show();
	return () => cleanup();
}

function curveEditor(root: HTMLElement, kind: Kind): () => void {
	const msg = messageBox();
	const problems = h("ul", { class: "problems", id: "curve-problems" });
	const tbody = h("tbody");
	const canvas = h("canvas", { class: "chart", id: "curve-chart", role: "img", "aria-label": "Preview of the curve" });
	const saveBtn = h("button", { type: "button", class: "primary", id: "curve-save", onclick: () => save() }, "Save");
	const addBtn = h(
		"button",
		{
			type: "button",
			id: "curve-add",
			onclick: () => {
				points.push(nextPoint());
				changed(true);
			},
		},
		"Add point",
	);
	const defBtn = h("button", { type: "button", id: "curve-defaults", onclick: () => restore() }, "Restore defaults");
	const dirtyNote = h("span", { class: "dirty", id: "curve-dirty" });
	let points: Point[] = drafts[kind]?.map((p) => ({ ...p })) ?? [];

	fill(
		root,
		h(
			"section",
			{ class: "card" },
			h("h2", null, `${XNAME[kind]} curve`),
			h("p", { class: "muted" }, ABOUT[kind]),
			canvas,
			h(
				"div",
				{ class: "scroll" },
				h(
					"table",
					{ class: "grid curve" },
					h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, `${XNAME[kind]} (${UNIT[kind]})`), h("th", null, "Lock (%)"), h("th", null, ""))),
					tbody,
				),
			),
			problems,
			h("div", { class: "row" }, addBtn, defBtn, h("span", { class: "grow" }), dirtyNote, saveBtn),
			msg,
		),
	);

	function nextPoint(): Point {
		const last = points[points.length - 1];
		return last ? { x: Math.min(CURVE_X_MAX[kind], last.x + (kind === "rpm" ? 500 : 10)), lock: last.lock } : { x: 0, lock: 0 };
	}

	function rows() {
		fill(
			tbody,
			points.map((p, i) => {
				const x = h("input", {
					type: "number",
					inputMode: "decimal",
					step: "any",
					value: fmt(p.x),
					"aria-label": `Point ${i + 1} ${XNAME[kind].toLowerCase()}`,
					"data-path": `points[${i}].x`,
					oninput: () => {
						points[i].x = num(x.value);
						changed(false);
					},
				});
				const l = h("input", {
					type: "number",
					inputMode: "decimal",
					step: "any",
					value: fmt(p.lock),
					"aria-label": `Point ${i + 1} lock`,
					"data-path": `points[${i}].lock`,
					oninput: () => {
						points[i].lock = num(l.value);
						changed(false);
					},
				});
				return h(
					"tr",
					null,
					h("td", null, i + 1),
					h("td", null, x),
					h("td", null, l),
					h(
						"td",
						null,
						h(
							"button",
							{
								type: "button",
								class: "small",
								"aria-label": `Remove point ${i + 1}`,
								disabled: points.length <= 1,
								onclick: () => {
									points.splice(i, 1);
									changed(true);
								},
							},
							"✕",
						),
					),
				);
			}),
		);
	}

	function changed(rebuild: boolean) {
		drafts[kind] = points.map((p) => ({ ...p }));
		if (rebuild) rows();
		const errs = curveProblems(kind, { points });
		const badPaths = new Set(errs.map((e) => e.path));
		tbody.querySelectorAll("input").forEach((inp) => {
			const bad = badPaths.has(inp.dataset.path!);
			inp.classList.toggle("invalid", bad);
			inp.setAttribute("aria-invalid", String(bad));
		});
		fill(
			problems,
			errs.map((e) => h("li", null, e.message)),
		);
		addBtn.disabled = points.length >= CURVE_MAX_POINTS;
		const dirty = !!saved[kind] && !same(points, saved[kind]);
		text(dirtyNote, dirty ? "Unsaved changes" : "");
		saveBtn.disabled = errs.length > 0 || !dirty;
		plot();
	}

	function plot() {
		const valid = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.lock));
		const lastX = valid.length ? Math.max(...valid.map((p) => p.x)) : 0;
		const xMax = previewXMax(kind, lastX);
		const line: [number, number][] = valid.length
			? [[0, valid[0].lock], ...valid.map((p) => [p.x, p.lock] as [number, number]), [xMax, valid[valid.length - 1].lock]]
			: [];
		const t = lastStatus?.telemetry;
		drawChart(
			canvas,
			[
				{ color: themeColor("--series-target", "#0047b3"), label: "Lock", points: line },
				{ color: themeColor("--series-target", "#0047b3"), label: "Points", points: valid.map((p) => [p.x, p.lock]), dots: true, width: 0.01 },
			],
			lockAxes(xMax, t ? (kind === "speed" ? t.speed : kind === "throttle" ? t.throttle : t.rpm) : undefined),
		);
	}

	async function load() {
		try {
			const res = await get<CurveBody>(`/api/curve/${kind}`);
			saved[kind] = res.points.map((p) => ({ x: p.x, lock: p.lock }));
			if (!drafts[kind]) points = saved[kind]!.map((p) => ({ ...p }));
			changed(true);
		} catch (e) {
			msg.error(e);
			rows();
			plot();
		}
	}

	async function save() {
		if (curveProblems(kind, { points }).length) return;
		saveBtn.disabled = true;
		msg.show("info", "Saving…");
		try {
			const res = await post<CurveBody>(`/api/curve/${kind}`, { points });
			saved[kind] = res.points.map((p) => ({ x: p.x, lock: p.lock }));
			points = saved[kind]!.map((p) => ({ ...p }));
			delete drafts[kind];
			changed(true);
			msg.show("ok", "Saved. The board uses the new curve now.");
		} catch (e) {
			msg.error(e);
			changed(false);
		}
	}

	async function restore() {
		const ok = await modal(
			"Restore the factory curve?",
			[h("p", null, "The editor gets the factory curve. Nothing changes on the board until you press Save.")],
			[
				{ label: "Cancel", value: "cancel" },
				{ label: "Put defaults in the editor", cls: "primary", value: "ok" },
			],
		);
		if (ok !== "ok") return;
		points = factoryCurve(kind);
		changed(true);
		msg.show("info", "Factory curve in the editor. Press Save to keep it.");
	}

	const off = onStatus(() => plot());
	const onResize = () => plot();
	window.addEventListener("resize", onResize);
	rows();
	plot();
	void load();
	return () => {
		off();
		window.removeEventListener("resize", onResize);
	};
}

function mapEditor(root: HTMLElement): () => void {
	const msg = messageBox();
	const problems = h("ul", { class: "problems", id: "map-problems" });
	const table = h("table", { class: "grid map", id: "map-table" });
	const canvas = h("canvas", { class: "chart", id: "map-chart", role: "img", "aria-label": "Preview: lock against speed for each pedal row" });
	const saveBtn = h("button", { type: "button", class: "primary", id: "map-save", onclick: () => save() }, "Save");
	const dirtyNote = h("span", { class: "dirty" });
	const clone = (m: LockMap): LockMap => ({ speedBins: [...m.speedBins], throttleBins: [...m.throttleBins], lockTable: m.lockTable.map((r) => [...r]) });
	let map: LockMap | undefined = drafts.map ? clone(drafts.map) : undefined;

	fill(
		root,
		h(
			"section",
			{ class: "card" },
			h("h2", null, "Pedal × speed map"),
			h(
				"p",
				{ class: "muted" },
				"Each cell is the lock (%) at a pedal position (rows) and a speed (columns); between cells the board blends smoothly. The header cells are editable too. Darker cells lock more.",
			),
			h("div", { class: "scroll" }, table),
			problems,
			h("h3", null, "Preview: lock against speed, one line per pedal row"),
			canvas,
			h(
				"div",
				{ class: "row" },
				h("button", { type: "button", id: "map-defaults", onclick: () => restore() }, "Restore defaults"),
				h("span", { class: "grow" }),
				dirtyNote,
				saveBtn,
			),
			msg,
		),
	);

	const cellInput = (value: number, label: string, path: string, set: (v: number) => void) => {
		const i = h("input", {
			type: "number",
			inputMode: "decimal",
			step: "any",
			value: fmt(value),
			"aria-label": label,
			"data-path": path,
			oninput: () => {
				set(num(i.value));
				changed();
			},
		});
		return i;
	};

	function build() {
		if (!map) {
			fill(table);
			return;
		}
		const m = map;
		fill(
			table,
			h(
				"thead",
				null,
				h(
					"tr",
					null,
					h("th", { class: "corner" }, "pedal % \\ km/h"),
					m.speedBins.map((v, s) =>
						h(
							"th",
							null,
							cellInput(v, `Speed column ${s + 1} (km/h)`, `speedBins[${s}]`, (x) => {
								m.speedBins[s] = x;
							}),
						),
					),
				),
			),
			h(
				"tbody",
				null,
				m.throttleBins.map((tv, t) =>
					h(
						"tr",
						null,
						h(
							"th",
							null,
							cellInput(tv, `Pedal row ${t + 1} (%)`, `throttleBins[${t}]`, (x) => {
								m.throttleBins[t] = x;
							}),
						),
						m.lockTable[t].map((v, s) =>
							h(
								"td",
								null,
								cellInput(v, `Lock at pedal row ${t + 1}, speed column ${s + 1}`, `lockTable[${t}][${s}]`, (x) => {
									m.lockTable[t][s] = x;
								}),
							),
						),
					),
				),
			),
		);
		changed();
	}

	function changed() {
		if (!map) return;
		drafts.map = clone(map);
		const errs = mapProblems(map);
		const bad = new Set(errs.map((e) => e.path));
		table.querySelectorAll("input").forEach((inp) => {
			const k = inp.dataset.path!;
			inp.classList.toggle("invalid", bad.has(k));
			inp.setAttribute("aria-invalid", String(bad.has(k)));
			if (k.startsWith("lockTable")) {
				const v = Number(inp.value);
				const a = Number.isFinite(v) ? Math.max(0, Math.min(100, v)) / 100 : 0;
				inp.style.backgroundColor = `rgba(${themeColor("--map-cell", "0, 71, 179")}, ${(a * 0.85).toFixed(2)})`;
				inp.style.color = a > 0.45 ? themeColor("--accent-ink", "#fff") : "";
			}
		});
		fill(
			problems,
			errs.slice(0, 6).map((e) => h("li", null, e.message)),
			errs.length > 6 ? h("li", null, `…and ${errs.length - 6} more.`) : null,
		);
		const dirty = !!saved.map && !same(map, saved.map);
		text(dirtyNote, dirty ? "Unsaved changes" : "");
		saveBtn.disabled = errs.length > 0 || !dirty;
		plot(errs.length === 0);
	}

	function plot(valid: boolean) {
		const m = map;
		const series = [];
		if (m && valid) {
			const top = m.speedBins[m.speedBins.length - 1];
			const cell = themeColor("--map-cell", "0, 71, 179");
			for (let t = 0; t < m.throttleBins.length; t++) {
				const pts: [number, number][] = [];
				for (let i = 0; i <= 60; i++) {
					const s = (top * i) / 60;
					pts.push([s, interpolateMap(m, m.throttleBins[t], s)]);
				}
				const alpha = 0.25 + (0.75 * t) / (m.throttleBins.length - 1); // light to full: low to high throttle
				series.push({ color: `rgba(${cell}, ${alpha.toFixed(2)})`, label: `${m.throttleBins[t]} %`, points: pts, width: 2 });
			}
		}
		const xMax = m && valid ? m.speedBins[m.speedBins.length - 1] : 140;
		drawChart(canvas, series, lockAxes(xMax, lastStatus?.telemetry?.speed));
	}

	async function load() {
		try {
			const res = await get<MapBody>("/api/map");
			saved.map = clone(res);
			if (!map) map = clone(res);
			build();
		} catch (e) {
			msg.error(e);
		}
	}

	async function save() {
		if (!map || mapProblems(map).length) return;
		saveBtn.disabled = true;
		msg.show("info", "Saving…");
		try {
			const res = await post<MapBody>("/api/map", map);
			saved.map = clone({ speedBins: res.speedBins, throttleBins: res.throttleBins, lockTable: res.lockTable });
			map = clone(saved.map);
			delete drafts.map;
			build();
			msg.show("ok", "Saved. The board uses the new map now.");
		} catch (e) {
			msg.error(e);
			changed();
		}
	}

	async function restore() {
		const ok = await modal(
			"Restore the factory map?",
			[h("p", null, "The editor gets the factory map. Nothing changes on the board until you press Save.")],
			[
				{ label: "Cancel", value: "cancel" },
				{ label: "Put defaults in the editor", cls: "primary", value: "ok" },
			],
		);
		if (ok !== "ok") return;
		map = factoryMap();
		build();
		msg.show("info", "Factory map in the editor. Press Save to keep it.");
	}

	const onResize = () => plot(!!map && mapProblems(map).length === 0);
	window.addEventListener("resize", onResize);
	if (map) build();
	void load();
	return () => window.removeEventListener("resize", onResize);
}

type GateField = "disableThrottle" | "disableSpeed" | "lockReleaseRatePctPerSec" | "speed" | "throttle" | "map" | "rpm";
interface Gate {
	field: GateField;
	/** The setting's path in POST /api/settings, as the board's errors name it. */
	path: string;
	label: string;
	unit: string;
	range: readonly [number, number];
}

const DISENGAGE_LABEL: Record<"speed" | "throttle" | "map" | "rpm", string> = { speed: "Speed", throttle: "Pedal", map: "Map", rpm: "RPM" };
const GATES: Gate[] = [
	{ field: "disableThrottle", path: "disableThrottle", label: "Presets lock only from this pedal", unit: "%", range: SETTINGS_LIMITS.disableThrottle },
	{ field: "disableSpeed", path: "disableSpeed", label: "Presets stop locking above", unit: "km/h", range: SETTINGS_LIMITS.disableSpeed },
	...(["speed", "throttle", "map", "rpm"] as const).map((m) => ({
		field: m,
		path: `disengageUnderSpeed.${m}`,
		label: `${DISENGAGE_LABEL[m]} mode: no lock below`,
		unit: "km/h",
		range: SETTINGS_LIMITS.disengageUnderSpeed,
	})),
	{
		field: "lockReleaseRatePctPerSec",
		path: "lockReleaseRatePctPerSec",
		label: "Lock falls at most by",
		unit: "% per second",
		range: SETTINGS_LIMITS.lockReleaseRatePctPerSec,
	},
];

/** The gates and the release rate (POST /api/settings); 0 turns a gate off. */
function gatesEditor(root: HTMLElement): () => void {
	const msg = messageBox();
	const problems = h("ul", { class: "problems", id: "gates-problems" });
	const saveBtn = h("button", { type: "button", class: "primary", id: "gates-save", onclick: () => save() }, "Save");
	const dirtyNote = h("span", { class: "dirty" });
	const inputs = new Map<GateField, HTMLInputElement>();
	let stored: Record<GateField, number> | undefined;

	const rows = GATES.map((g) => {
		const input = h("input", {
			type: "number",
			inputMode: "decimal",
			step: "any",
			min: String(g.range[0]),
			max: String(g.range[1]),
			"aria-label": g.label,
			"data-path": g.path,
			oninput: () => changed(),
		});
		inputs.set(g.field, input);
		return h("tr", null, h("th", { scope: "row" }, g.label), h("td", null, input), h("td", null, g.unit));
	});
	fill(
		root,
		h(
			"section",
			{ class: "card" },
			h("h2", null, "Gates"),
			h(
				"p",
				{ class: "muted" },
				"When the modes may lock. 0 turns a gate off. Below a mode's speed the curve or map asks for no lock, except at full pedal (a launch). The preset gates apply to 50:50 … 90:10.",
			),
			h("div", { class: "scroll" }, h("table", { class: "grid gates", id: "gates-table" }, h("tbody", null, rows))),
			problems,
			h("div", { class: "row" }, h("span", { class: "grow" }), dirtyNote, saveBtn),
			msg,
		),
	);

	const read = (): Record<GateField, number> => {
		const out = {} as Record<GateField, number>;
		for (const g of GATES) out[g.field] = num(inputs.get(g.field)!.value);
		return out;
	};
	const errorsOf = (v: Record<GateField, number>) =>
		GATES.filter((g) => !(v[g.field] >= g.range[0] && v[g.field] <= g.range[1])).map((g) => ({
			path: g.path,
			message: `${g.label}: enter ${g.range[0]} to ${g.range[1]} ${g.unit}.`,
		}));

	function changed() {
		const v = read();
		const errs = errorsOf(v);
		const bad = new Set(errs.map((e) => e.path));
		for (const g of GATES) {
			const input = inputs.get(g.field)!;
			input.classList.toggle("invalid", bad.has(g.path));
			input.setAttribute("aria-invalid", String(bad.has(g.path)));
		}
		fill(
			problems,
			errs.map((e) => h("li", null, e.message)),
		);
		const dirty = !!stored && !same(v, stored);
		text(dirtyNote, dirty ? "Unsaved changes" : "");
		saveBtn.disabled = errs.length > 0 || !dirty;
	}

	function show(s: SettingsBody) {
		const d = s.disengageUnderSpeed as unknown as Record<GateField, number>;
		const all = s as unknown as Record<GateField, number>;
		// In GATES' order, as read() makes it: the dirty check compares them as JSON.
		stored = {} as Record<GateField, number>;
		for (const g of GATES) stored[g.field] = g.path.startsWith("disengageUnderSpeed.") ? d[g.field] : all[g.field];
		for (const g of GATES) inputs.get(g.field)!.value = fmt(stored[g.field]);
		changed();
	}

	async function load() {
		try {
			show(await get<SettingsBody>("/api/settings"));
		} catch (e) {
			msg.error(e);
		}
	}

	async function save() {
		const v = read();
		if (errorsOf(v).length) return;
		saveBtn.disabled = true;
		msg.show("info", "Saving…");
		try {
			const res = await post<{ settings: SettingsBody }>("/api/settings", {
				disableThrottle: v.disableThrottle,
				disableSpeed: v.disableSpeed,
				lockReleaseRatePctPerSec: v.lockReleaseRatePctPerSec,
				disengageUnderSpeed: { speed: v.speed, throttle: v.throttle, map: v.map, rpm: v.rpm },
			});
			show(res.settings);
			msg.show("ok", "Saved. The board uses the new gates now.");
		} catch (e) {
			msg.error(e);
			changed();
		}
	}

	saveBtn.disabled = true;
	void load();
	return () => undefined;
}
