/*
 * Setup: the admin password (first run and after a long press), Wi-Fi,
 * the Haldex generation, the update server and the board's clock.
 */

import { h, fill, text, fmtDuration } from "../dom";
import { get, post, setPassword, signedIn } from "../api";
import { interfaceLabel } from "../status-view";
import { lastStatus, messageBox, onStatus, refreshStatus, section } from "../ui";

import type { NetworkBody, SettingsBody, SetupBody, UpdateServerBody, WifiBody } from "api/contract";

type SetupState = SetupBody;

export function mount(root: HTMLElement): () => void {
	const timers: number[] = [];
	const cleanups: (() => void)[] = [];
	fill(root, passwordCard(timers), timeCard(cleanups), wifiCard(), generationCard(), serverCard());
	return () => {
		timers.forEach((t) => clearInterval(t));
		cleanups.forEach((f) => f());
	};
}

function passwordCard(timers: number[]): HTMLElement {
	const explain = h("div", { id: "setup-explain" });
	const pw = h("input", { type: "password", id: "new-pw", autocomplete: "new-password", minLength: 8, maxLength: 64 });
	const pw2 = h("input", { type: "password", id: "new-pw2", autocomplete: "new-password" });
	const msg = messageBox();
	const btn = h("button", { type: "submit", class: "primary", id: "set-pw" }, "Set password");
	const form = h(
		"form",
		{
			class: "hidden",
			onsubmit: async (e: Event) => {
				e.preventDefault();
				if (pw.value.length < 8 || pw.value.length > 64) {
					msg.show("bad", "The password must be 8 to 64 characters.");
					return;
				}
				if (pw.value !== pw2.value) {
					msg.show("bad", "The two passwords are not the same.");
					return;
				}
				btn.disabled = true;
				try {
					await post("/api/setup", { password: pw.value }, { noPrompt: true });
					setPassword(pw.value);
					pw.value = pw2.value = "";
					msg.show("ok", "Password set. You are signed in on this phone; keep the password somewhere safe.");
					void load();
				} catch (err) {
					msg.error(err);
				}
				btn.disabled = false;
			},
		},
		h("label", { for: "new-pw" }, "New admin password (8 to 64 characters)"),
		pw,
		h("label", { for: "new-pw2" }, "The same again"),
		pw2,
		h("div", { class: "row" }, btn),
	);

	let state: SetupState | undefined,
		fetchedAt = 0;
	function render() {
		if (!state) return;
		const left = Math.max(0, state.closesInS - Math.floor((Date.now() - fetchedAt) / 1000));
		const open = state.setupOpen && left > 0;
		form.classList.toggle("hidden", !open);
		const press = "hold the mode button on the board (or the external mode switch) for 3 seconds";
		if (!state.passwordSet && open)
			fill(
				explain,
				h(
					"p",
					{ class: "msg warn" },
					h("strong", null, "Choose the admin password now. "),
					`Anyone near the car could otherwise choose it. For safety, a password can only be set for 10 minutes after the board is powered, and this window closes in ${fmtDuration(left)}.`,
				),
			);
		else if (!state.passwordSet)
			fill(
				explain,
				h(
					"p",
					{ class: "msg warn" },
					h("strong", null, "No password is set, and the setup window has closed. "),
					`To prove you are at the car, ${press}. You then have 2 minutes to choose the password here.`,
				),
			);
		else if (open) fill(explain, h("p", { class: "msg info" }, `The setup window is open for ${fmtDuration(left)}: you can set a new admin password.`));
		else
			fill(
				explain,
				h("p", null, signedIn() ? "A password is set and this phone is signed in." : "A password is set."),
				h(
					"p",
					{ class: "muted" },
					`Forgot it, or want to change it? ${press[0].toUpperCase()}${press.slice(1)}, then choose a new one here within 2 minutes. This works only at the car, so nobody else on the Wi-Fi can take over the board.`,
				),
			);
	}
	async function load() {
		try {
			state = await get<SetupState>("/api/setup");
			fetchedAt = Date.now();
			render();
		} catch (e) {
			msg.error(e);
		}
	}
	timers.push(window.setInterval(render, 1000));
	timers.push(
		window.setInterval(() => {
			void load();
		}, 10_000),
	);
	void load();
	return section("Admin password", explain, form, msg);
}

function timeCard(cleanups: (() => void)[]): HTMLElement {
	const line = h("p", { id: "time-line" });
	const msg = messageBox();
	const btn = h(
		"button",
		{
			type: "button",
			id: "send-time",
			onclick: async () => {
				btn.disabled = true;
				try {
					await post("/api/time", { epochMs: Date.now() });
					msg.show("ok", "The board now uses this phone's time.");
					await refreshStatus();
				} catch (e) {
					msg.error(e);
				}
				btn.disabled = false;
			},
		},
		"Use this phone's time",
	);
	const render = () => {
		const t = lastStatus?.time;
		if (!t) {
			text(line, "…");
			return;
		}
		text(
			line,
			t.synced
				? `The board's clock: ${new Date(t.epochMs).toLocaleString()} (from ${t.source === "browser" ? "a phone" : t.source === "sntp" ? "the internet" : t.source}).`
				: "The board doesn't know the date and time (it has no clock battery). Logs and the update history then show no dates.",
		);
	};
	cleanups.push(onStatus(render));
	render();
	return section("Date and time", line, h("div", { class: "row" }, btn), msg);
}

function wifiCard(): HTMLElement {
	const info = h("div", { id: "network-info" });
	const msg = messageBox();
	const apPass = h("input", { type: "password", id: "ap-pass", autocomplete: "new-password", minLength: 8, maxLength: 63 });
	const staSsid = h("input", { type: "text", id: "sta-ssid", autocomplete: "off", maxLength: 32 });
	const staPass = h("input", { type: "password", id: "sta-pass", autocomplete: "new-password", maxLength: 63 });
	// Off keeps the home network's name and password: for a phone hotspot that should not be joined today.
	const staToggle = h("button", { type: "button", id: "sta-toggle", hidden: true, onclick: () => void toggleStation() }, "");
	let stationOn = true;
	async function toggleStation() {
		try {
			await post("/api/wifi", { stationEnabled: !stationOn });
			msg.show("ok", stationOn ? "The board stays off the home network until you switch it on." : "The board joins the home network again.");
			void load();
		} catch (err) {
			msg.error(err);
		}
	}
	const form = h(
		"form",
		{
			onsubmit: async (e: Event) => {
				e.preventDefault();
				const body: { accessPoint?: { password: string }; station?: { ssid: string; password?: string } } = {};
				if (apPass.value) {
					if (apPass.value.length < 8) {
						msg.show("bad", "The Wi-Fi passphrase must be at least 8 characters.");
						return;
					}
					body.accessPoint = { password: apPass.value };
				}
				if (staSsid.value) body.station = { ssid: staSsid.value, ...(staPass.value ? { password: staPass.value } : {}) };
				if (!Object.keys(body).length) {
					msg.show("warn", "Nothing to change.");
					return;
				}
				try {
					await post("/api/wifi", body);
					apPass.value = staPass.value = "";
					msg.show(
						"ok",
						body.accessPoint
							? "Saved. If you changed the board's passphrase, reconnect this phone with the new one."
							: "Saved. The board joins that network in the background.",
					);
					void load();
				} catch (err) {
					msg.error(err);
				}
			},
		},
		h("label", { for: "ap-pass" }, "Board's Wi-Fi passphrase (leave empty to keep it)"),
		apPass,
		h("label", { for: "sta-ssid" }, "Join a home network: name (SSID)"),
		staSsid,
		h("label", { for: "sta-pass" }, "Its password"),
		staPass,
		h("div", { class: "row" }, staToggle, h("span", { class: "grow" }), h("button", { type: "submit", class: "primary" }, "Save Wi-Fi")),
	);

	async function load() {
		try {
			const [wifi, net] = await Promise.all([get<WifiBody>("/api/wifi"), get<NetworkBody>("/api/network")]);
			const ap = wifi.accessPoint,
				sta = wifi.station;
			stationOn = wifi.stationEnabled;
			staToggle.hidden = !sta;
			text(staToggle, stationOn ? "Switch home network off" : "Switch home network on");
			fill(
				info,
				h(
					"dl",
					{ class: "kv" },
					h("dt", null, "Board's network"),
					h("dd", null, `${ap.ssid}${ap.passwordSet ? " (WPA2)" : " (open: anyone nearby can join; set a passphrase)"}`),
					h("dt", null, "Home network"),
					h("dd", null, sta ? `${sta.ssid}: ${sta.enabled ? sta.state : "switched off"}` : "none"),
					h("dt", null, "Name"),
					h("dd", null, `${net.hostName}.local`),
					net.interfaces.map((i) => [h("dt", null, interfaceLabel(i.name)), h("dd", null, "address" in i && i.address ? String(i.address) : "–")]),
				),
			);
		} catch (e) {
			msg.error(e);
		}
	}
	void load();
	return section("Wi-Fi", info, form, msg);
}

function generationCard(): HTMLElement {
	const msg = messageBox();
	const gens = [
		{ v: 1, label: "Gen 1", sub: "e.g. Golf 4, A3 8L, TT 8N" },
		{ v: 2, label: "Gen 2", sub: "e.g. Golf 5 R32" },
		{ v: 4, label: "Gen 4", sub: "e.g. Golf 6 R" },
		{ v: 5, label: "Gen 5 (MQB)", sub: "e.g. Golf 7 R, S3 8V" },
	];
	const radios = gens.map((g) => h("input", { type: "radio", name: "gen", value: String(g.v), id: `gen-${g.v}` }));
	const btn = h("button", { type: "submit", class: "primary", id: "save-gen" }, "Save");
	const form = h(
		"form",
		{
			onsubmit: async (e: Event) => {
				e.preventDefault();
				const chosen = radios.find((r) => r.checked);
				if (!chosen) return;
				try {
					await post("/api/settings", { haldexGeneration: Number(chosen.value) });
					msg.show("ok", `Saved: ${gens.find((g) => String(g.v) === chosen.value)?.label}.`);
				} catch (err) {
					msg.error(err);
				}
			},
		},
		h(
			"fieldset",
			null,
			h("legend", null, "Which Haldex coupling does the car have?"),
			gens.map((g, i) =>
				h("label", { class: "choice", for: `gen-${g.v}` }, radios[i], h("span", null, h("strong", null, g.label), " ", h("span", { class: "muted" }, g.sub))),
			),
		),
		h(
			"p",
			{ class: "muted small" },
			"Not sure? The generation is on the coupling's label. Gen 5 follows OpenHaldex-S3's MQB frames and has not been tried on a car with this firmware.",
		),
		h("div", { class: "row" }, btn),
	);
	(async () => {
		try {
			const s = await get<SettingsBody>("/api/settings");
			radios.forEach((r) => {
				r.checked = Number(r.value) === s.haldexGeneration;
			});
		} catch (e) {
			msg.error(e);
		}
	})();
	return section("Haldex generation", form, msg);
}

function serverCard(): HTMLElement {
	const msg = messageBox();
	const url = h("input", { type: "url", id: "server-url", placeholder: "https://…", autocomplete: "off" });
	const module = h("input", { type: "text", id: "server-module", autocomplete: "off" });
	const token = h("input", { type: "password", id: "server-token", autocomplete: "off" });
	const tokenNote = h("span", { class: "muted small" });
	const form = h(
		"form",
		{
			onsubmit: async (e: Event) => {
				e.preventDefault();
				const body: Record<string, string> = { url: url.value.trim(), module: module.value.trim() };
				if (token.value) body.token = token.value;
				try {
					await post("/api/update/server", body);
					token.value = "";
					msg.show("ok", "Saved. Check for updates on the Update page.");
					void load();
				} catch (err) {
					msg.error(err);
				}
			},
		},
		h("label", { for: "server-url" }, "Server address"),
		url,
		h("label", { for: "server-module" }, "Module name"),
		module,
		h("label", { for: "server-token" }, "Access token (leave empty to keep it) ", tokenNote),
		token,
		h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save server")),
	);
	async function load() {
		try {
			const s = await get<UpdateServerBody>("/api/update/server");
			url.value = s.url;
			module.value = s.module;
			text(tokenNote, s.tokenSet ? "(a token is saved)" : "(none saved)");
		} catch (e) {
			msg.error(e);
		}
	}
	void load();
	return section("Update server", form, msg);
}
