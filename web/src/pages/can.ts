/*
 * CAN: what crosses the bridge, live. A table of IDs on both buses (rate,
 * last bytes, changed bytes marked, the forwarded bytes beside the
 * received ones for IDs the bridge rewrites), pause and an ID filter; a
 * rolling plot of one signal sampled on every frame; a candump download;
 * and the GVRET (SavvyCAN) server's state and its sending switch.
 * The board captures only while this page (or a download, or SavvyCAN)
 * looks, and drops capture copies, never car frames, when it cannot keep up.
 */

import { h, fill, text } from "../dom";
import { get, post, signedIn } from "../api";
import { drawChart } from "../chart";
import { messageBox, section } from "../ui";
import { themeColor } from "../theme";
import type { CanGvretBody, CanLiveBody, CanSignalBody } from "api/contract";

const BUS_NAME = ["Car", "Haldex"];
const POLL_MS = 500;
const PLOT_SECONDS = 10;

const hexId = (id: number, ext: boolean) =>
	id
		.toString(16)
		.toUpperCase()
		.padStart(ext ? 8 : 3, "0");

/** The bytes of a hex string as spans; `marked` bits (or the bytes differing from `other`) get the "chg" class. */
function byteSpans(hex: string, marked: number, other?: string) {
	const spans = [];
	for (let i = 0; i < hex.length / 2; i++) {
		const b = hex.slice(2 * i, 2 * i + 2);
		const hot = other !== undefined ? other.slice(2 * i, 2 * i + 2) !== b : (marked >> i) & 1;
		spans.push(h("span", { class: hot ? "chg" : "" }, b));
	}
	return spans;
}

export function mount(root: HTMLElement): () => void {
	const msg = messageBox();
	const state = h("p", { class: "muted", id: "can-state" });
	const pauseBtn = h("button", { type: "button", id: "can-pause", "aria-pressed": "false", onclick: () => void setPaused(!paused) }, "Pause");
	const filterIn = h("input", {
		id: "can-filter",
		type: "text",
		inputmode: "text",
		placeholder: "IDs, e.g. 280, 1A0 (empty: all)",
		"aria-label": "ID filter",
	}) as HTMLInputElement;
	const filterBtn = h("button", { type: "button", id: "can-filter-apply", onclick: () => void applyFilter() }, "Filter");
	const body = h("tbody", { id: "can-rows" });
	const table = h(
		"table",
		{ class: "can", id: "can-table" },
		h("thead", null, h("tr", null, h("th", null, "Bus"), h("th", null, "ID"), h("th", { class: "num" }, "Hz"), h("th", null, "Data"))),
		body,
	);

	const sigBus = h(
		"select",
		{ id: "sig-bus", "aria-label": "Bus" },
		h("option", { value: "0" }, "Car"),
		h("option", { value: "1" }, "Haldex"),
	) as HTMLSelectElement;
	const sigId = h("input", { id: "sig-id", type: "text", value: "280", size: 4, "aria-label": "Signal ID" }) as HTMLInputElement;
	const sigStart = h("input", { id: "sig-start", type: "number", value: "16", min: "0", max: "63", "aria-label": "Start bit" }) as HTMLInputElement;
	const sigLen = h("input", { id: "sig-len", type: "number", value: "16", min: "1", max: "32", "aria-label": "Length in bits" }) as HTMLInputElement;
	const sigScale = h("input", { id: "sig-scale", type: "number", value: "0.25", step: "any", "aria-label": "Scale" }) as HTMLInputElement;
	const sigAfter = h("input", { id: "sig-after", type: "checkbox", "aria-label": "As forwarded" }) as HTMLInputElement;
	const sigBtn = h("button", { type: "button", id: "sig-plot", onclick: () => void watch() }, "Plot");
	const sigValue = h("span", { id: "sig-value", class: "sigval" });
	const canvas = h("canvas", { class: "chart", id: "sig-chart", "aria-label": "Signal plot" }) as HTMLCanvasElement;

	const seconds = h(
		"select",
		{ id: "cap-seconds", "aria-label": "Capture length" },
		[10, 60, 300, 600].map((s) => h("option", { value: String(s) }, `${s} s`)),
	) as HTMLSelectElement;
	seconds.value = "60";
	const download = h("a", { class: "button", id: "cap-download", href: "/api/can/capture.log?seconds=60", download: "" }, "Download capture");
	seconds.onchange = () => download.setAttribute("href", `/api/can/capture.log?seconds=${seconds.value}`);

	const gvretState = h("p", { id: "gvret-state" });
	const sendBtn = h("button", { type: "button", id: "gvret-send", onclick: () => void toggleSending() }, "Allow sending");

	fill(
		root,
		section(
			"Live CAN",
			h("div", { class: "row" }, pauseBtn, filterIn, filterBtn),
			state,
			msg,
			h("div", { class: "scroll" }, table),
			h(
				"p",
				{ class: "muted small" },
				"Highlighted bytes changed since the last update. A rewritten ID shows the bytes sent to the Haldex on a second, blue line, the rewritten ones marked.",
			),
		),
		section(
			"Plot a signal",
			h(
				"div",
				{ class: "row sig" },
				sigBus,
				sigId,
				h("label", null, "bit ", sigStart),
				h("label", null, "len ", sigLen),
				h("label", null, "× ", sigScale),
				h("label", null, sigAfter, " sent"),
				sigBtn,
			),
			h("p", null, sigValue),
			canvas,
		),
		section(
			"Capture",
			h(
				"p",
				{ class: "muted" },
				"A candump log (can0 the car, can1 the Haldex) of the frames that cross the bridge from now on. Replay it at the desk with npm start -- --can-log FILE.",
			),
			h("div", { class: "row" }, seconds, download),
		),
		section("SavvyCAN (GVRET)", gvretState, h("div", { class: "row" }, sendBtn)),
	);

	let paused = false;
	let sending = false;
	let since = 0;
	let samples: [number, number][] = [];
	let stopped = false;

	function renderLive(b: CanLiveBody) {
		paused = b.paused;
		pauseBtn.setAttribute("aria-pressed", String(paused));
		text(pauseBtn, paused ? "Resume" : "Pause");
		if (document.activeElement !== filterIn) filterIn.value = b.filter.join(", ");
		const drops = b.dropped.ring[0] + b.dropped.ring[1] + b.dropped.budget;
		text(
			state,
			`${b.rows.length} IDs${b.overflow ? ` (+${b.overflow} not shown)` : ""}${b.filter.length ? `, filtered to ${b.filter.length}` : ""}. ` +
				(drops || b.dropped.download || b.dropped.gvret
					? `Capture copies dropped (the car's frames were not): ring ${drops}, download ${b.dropped.download}, SavvyCAN ${b.dropped.gvret}.`
					: "No capture copies dropped."),
		);
		if (paused) return;
		fill(
			body,
			b.rows.length
				? b.rows.map((r) =>
						h(
							"tr",
							{ "data-id": `${r.bus}:${hexId(r.id, r.ext)}` },
							h("td", null, BUS_NAME[r.bus] ?? r.bus),
							h("td", { class: "mono" }, hexId(r.id, r.ext)),
							h("td", { class: "num" }, r.hz),
							h(
								"td",
								{ class: "mono bytes" },
								h("div", null, byteSpans(r.data, r.changed)),
								r.out !== undefined ? h("div", { class: "after", title: "as sent to the Haldex" }, byteSpans(r.out, 0, r.data)) : null,
							),
						),
					)
				: h("tr", null, h("td", { colspan: 4, class: "muted" }, "No frames yet.")),
		);
	}

	function renderGvret(g: CanGvretBody) {
		sending = g.sending;
		fill(
			gvretState,
			g.port === null
				? "This build serves no GVRET."
				: [
						`In SavvyCAN: Connection → Add New Device Connection → Network Connection (GVRET), this board's address (port ${g.port}). `,
						`${g.clients ? "SavvyCAN is connected" : "Nobody is connected"}; ${g.framesOut} frames sent to it, ${g.framesDropped} dropped. `,
						g.sending
							? g.sendingAllowedNow
								? "Sending onto the buses is allowed now."
								: "Sending is switched on, but refused while the car moves."
							: "Read-only: frames SavvyCAN sends go nowhere.",
					],
		);
		text(sendBtn, g.sending ? "Make read-only" : "Allow sending");
		sendBtn.classList.toggle("danger", !g.sending);
	}

	async function poll() {
		if (stopped || document.hidden) return;
		try {
			renderLive(await get<CanLiveBody>("/api/can/live"));
			const s = await get<CanSignalBody>(`/api/can/signal?since=${since}`);
			since = s.next;
			for (let i = 0; i < s.t.length; i++) samples.push([s.t[i] / 1000, s.v[i]]);
			plot(s);
		} catch (e) {
			msg.error(e);
		}
	}

	function plot(s: CanSignalBody) {
		if (!s.signal) {
			text(sigValue, "Choose a signal and press Plot.");
			return;
		}
		const last = samples.length ? samples[samples.length - 1][0] : 0;
		samples = samples.filter((p) => p[0] >= last - PLOT_SECONDS);
		const ys = samples.map((p) => p[1]);
		let lo = ys.length ? Math.min(...ys) : 0,
			hi = ys.length ? Math.max(...ys) : 1;
		if (hi - lo < 1e-9) {
			lo -= 1;
			hi += 1;
		}
		text(
			sigValue,
			ys.length ? `${s.signal.id} bits ${s.signal.startBit}+${s.signal.length}: ${+ys[ys.length - 1].toFixed(3)}` : "Waiting for frames of that ID…",
		);
		drawChart(canvas, [{ color: themeColor("--series-eng", "#c2410c"), label: s.signal.id, points: samples }], {
			xMin: last - PLOT_SECONDS,
			xMax: last,
			yMin: lo,
			yMax: hi,
			xStep: 2,
			yStep: (hi - lo) / 4,
			xFormat: (v) => `${Math.round(v - last)} s`,
			yFormat: (v) => String(+v.toPrecision(3)),
		});
	}

	async function setPaused(p: boolean) {
		try {
			renderLive(await post<CanLiveBody>("/api/can/live", { paused: p }));
		} catch (e) {
			msg.error(e);
		}
	}

	async function applyFilter() {
		const ids = filterIn.value
			.split(/[\s,]+/)
			.map((s) => s.trim())
			.filter(Boolean);
		try {
			renderLive(await post<CanLiveBody>("/api/can/live", { filter: ids }));
			msg.clear();
		} catch (e) {
			msg.error(e);
		}
	}

	async function watch() {
		try {
			await post("/api/can/signal", {
				bus: Number(sigBus.value),
				id: sigId.value.trim(),
				startBit: Number(sigStart.value),
				length: Number(sigLen.value),
				scale: Number(sigScale.value),
				forwarded: sigAfter.checked,
			});
			since = 0;
			samples = [];
			msg.clear();
		} catch (e) {
			msg.error(e);
		}
	}

	async function toggleSending() {
		try {
			if (!signedIn() && !sending) msg.show("info", "Letting SavvyCAN send onto the car's buses needs the password.");
			renderGvret(await post<CanGvretBody>("/api/can/gvret", { sending: !sending }));
		} catch (e) {
			msg.error(e);
		}
	}

	void poll();
	void get<CanGvretBody>("/api/can/gvret").then(renderGvret, (e) => msg.error(e));
	const timer = window.setInterval(() => void poll(), POLL_MS);
	const gvretTimer = window.setInterval(() => {
		if (!document.hidden) void get<CanGvretBody>("/api/can/gvret").then(renderGvret, () => undefined);
	}, 3000);
	return () => {
		stopped = true;
		clearInterval(timer);
		clearInterval(gvretTimer);
	};
}
