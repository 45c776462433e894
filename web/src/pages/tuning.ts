/*
 * Tuning: the speed and pedal curves and the pedal × speed map, checked
 * while the owner types by the firmware's own rules (haldex/curve
 * curveProblems / mapProblems: the board refuses exactly these), a
 * preview plot, save and restore defaults. Unsaved edits survive moving
 * between pages and a sign-in.
 */

import { themeColor } from "../theme";
import { h, fill, text } from "../dom";
import { get, post } from "../api";
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
import type { CurveBody, MapBody } from "api/contract";

type Kind = "speed" | "throttle";
type Tab = Kind | "map";

const UNIT: Record<Kind, string> = { speed: "km/h", throttle: "% pedal" };
const XNAME: Record<Kind, string> = { speed: "Speed", throttle: "Pedal" };

/** Edits not saved yet, kept while the app is open. */
const drafts: { speed?: Point[]; throttle?: Point[]; map?: LockMap } = {};
const saved: { speed?: Point[]; throttle?: Point[]; map?: LockMap } = {};
let tab: Tab = "speed";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const num = (v: string) => (v.trim() === "" ? NaN : Number(v));
const fmt = (v: number) => (Number.isFinite(v) ? String(v) : "");

/** The axes every tuning preview shares: 0..xMax (speed or pedal) against 0..100 % lock, with the car's live value marked. */
function lockAxes(xMax: number, marker: number | undefined): ChartOptions {
	return { xMin: 0, xMax, yMin: 0, yMax: 100, xStep: xMax > 150 ? 50 : 20, yStep: 25, yFormat: (v) => `${v}%`, marker };
}

export function mount(root: HTMLElement): () => void {
	const body = h("div");
	const tabs = h(
		"div",
		{ class: "tabs", role: "tablist" },
		(["speed", "throttle", "map"] as Tab[]).map((t) =>
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
				t === "speed" ? "Speed curve" : t === "throttle" ? "Pedal curve" : "Map",
			),
		),
	);
	fill(
		root,
		h(
			"section",
			{ class: "card" },
			h("h2", null, "Tuning"),
			h("p", { class: "muted" }, "How much the rear axle locks in the Speed, Pedal and Map modes. Changes take effect when you press Save."),
			tabs,
		),
		body,
	);
	let cleanup: () => void = () => undefined;
	function show() {
		cleanup();
		tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.id === `tab-${tab}`)));
		cleanup = tab === "map" ? mapEditor(body) : curveEditor(body, tab);
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
			h(
				"p",
				{ class: "muted" },
				kind === "speed"
					? "Lock by road speed, joined by straight lines between the points; flat before the first and after the last."
					: "Lock by accelerator pedal position, joined by straight lines between the points.",
			),
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
		return last ? { x: Math.min(CURVE_X_MAX[kind], last.x + 10), lock: last.lock } : { x: 0, lock: 0 };
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
		const max = CURVE_X_MAX[kind];
		const lastX = valid.length ? Math.max(...valid.map((p) => p.x)) : 0;
		const xMax = kind === "throttle" ? 100 : Math.min(max, Math.max(60, Math.ceil((lastX * 1.2) / 20) * 20));
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
			lockAxes(xMax, t ? (kind === "speed" ? t.speed : t.throttle) : undefined),
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
