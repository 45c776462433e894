/*
 * Update: running version and history, check for updates, upload a file
 * with progress, install with a clear confirmation, then follow the
 * restart until the board answers again with the new version.
 */

import { fileProblem } from "../status-view";
import { simulatorCard } from "../sim";
import { h, fill, text, fmtBytes, fmtDate } from "../dom";
import { ApiError, get, post, upload, api } from "../api";
import { explain, codeOf } from "../errors";
import { messageBox, modal, section } from "../ui";
import type { ImageBody, ImagesBody, StatusBody, UpdateBody } from "api/contract";

type UpdateStatus = UpdateBody;
type ImageInfo = ImageBody;

const STAGE_WORDS: Record<string, string> = {
	idle: "Idle", uploading: "Sending the file", downloading: "Downloading", validating: "Checking the file",
	staged: "Ready to install", ready: "Ready to install", preparing: "Preparing", restarting: "Restarting",
	verifying: "Checking the new firmware", failed: "Failed",
};

/** The follow-the-reboot state, kept across page changes. */
let follow: { target: string; from: string; startedAt: number } | undefined;

export function mount(root: HTMLElement): () => void {
	let alive = true;
	const runningEl = h("strong", { id: "running-version" }, "…");
	const stateEl = h("p", { class: "muted", id: "update-state" });
	const historyBody = h("tbody", { id: "history" });
	const checkMsg = messageBox();
	const checkBtn = h("button", { type: "button", id: "check-btn", onclick: () => check() }, "Check for updates");
	const remoteBox = h("div", { id: "remote" });
	const fileInput = h("input", { type: "file", id: "file", accept: ".bin,application/octet-stream", onchange: () => { uploadBtn.disabled = !fileInput.files?.length; upMsg.clear(); } });
	const uploadBtn = h("button", { type: "button", class: "primary", id: "upload-btn", disabled: true, onclick: () => doUpload() }, "Upload");
	const bar = h("progress", { id: "upload-bar", max: 100, value: 0 });
	const barText = h("p", { class: "small", id: "upload-progress" });
	const progressBox = h("div", { class: "progress hidden" }, bar, barText);
	const upMsg = messageBox();
	upMsg.id = "upload-msg";
	const stagedBox = h("div", { id: "staged" });
	const followBox = h("div", { id: "follow", class: "follow", role: "status", "aria-live": "polite" });
	const followCard = section("Installing", followBox);
	followCard.classList.add("hidden");

	fill(root,
		followCard,
		section("Firmware", h("p", null, "Running version: ", runningEl), stateEl,
			h("h3", null, "History"),
			h("div", { class: "scroll" }, h("table", { class: "list" }, h("thead", null, h("tr", null, h("th", null, "Version"), h("th", null, "Installed"))), historyBody))),
		section("Check online", h("p", { class: "muted" }, "Asks the update server set in Setup whether a newer version exists (needs the board joined to a network with internet)."),
			h("div", { class: "row" }, checkBtn), checkMsg, remoteBox),
		section("Install from a file", h("p", { class: "muted" }, "Pick the OpenHaldex XS firmware file (.bin) saved on this phone. The board checks it completely before anything can be installed."),
			h("div", { class: "row" }, fileInput, uploadBtn), progressBox, upMsg, stagedBox),
		simulatorCard());

	let status: UpdateStatus | undefined;

	async function refresh() {
		try {
			status = await get<UpdateStatus>("/api/update", { timeoutMs: 4000 });
			if (!alive) return;
			text(runningEl, status.current);
			text(stateEl, status.state_description);
			fill(historyBody, [...status.update_history].reverse().map((e, i, all) =>
				h("tr", null, h("td", null, e.version, i === all.length - 1 ? h("span", { class: "muted" }, " (first)") : null), h("td", null, fmtDate(e.time)))));
			if (!status.update_history.length) fill(historyBody, h("tr", null, h("td", { colSpan: 2, class: "muted" }, "No updates yet.")));
			renderRemote();
		}
		catch (e) {
			if (!alive) return;
			text(stateEl, explain(e));
		}
	}

	function renderRemote() {
		if (!status) return;
		if (status.checkError) fill(remoteBox, h("p", { class: "msg warn" }, `The last check failed: ${status.checkError}`));
		else if (status.available) fill(remoteBox, h("p", null, `Version ${status.latest} is available.`), h("button", { type: "button", class: "primary", id: "install-remote", onclick: () => install(status!.latest, true) }, `Download and install ${status.latest}`));
		else if (status.lastCheckMs) fill(remoteBox, h("p", { class: "msg ok" }, `This is the newest version (${status.current}).`));
		else fill(remoteBox);
	}

	async function check() {
		checkBtn.disabled = true;
		checkMsg.show("info", "Checking…");
		const before = status?.lastCheckMs ?? 0;
		try {
			await post("/api/update/check");
			for (let i = 0; i < 20 && alive; i++) {
				await sleep(1000);
				await refresh();
				if (status && status.lastCheckMs !== before) break;
			}
			checkMsg.clear();
		}
		catch (e) {
			checkMsg.error(e);
		}
		checkBtn.disabled = false;
	}

	async function doUpload() {
		const file = fileInput.files?.[0];
		if (!file) return;
		const problem = fileProblem(file);
		if (problem) { upMsg.show("bad", problem); return; }
		uploadBtn.disabled = true;
		fileInput.disabled = true;
		progressBox.classList.remove("hidden");
		fill(stagedBox);
		upMsg.show("info", "Sending the file…");
		let serverStage = "uploading";
		let polling = true;
		const poll = (async () => {
			while (polling && alive) {
				await sleep(700);
				const s = await get<UpdateStatus>("/api/update", { timeoutMs: 2000 }).catch(() => undefined);
				if (s && polling) serverStage = s.stage;
			}
		})();
		try {
			const image = await upload<ImageInfo>("/api/update/images/upload", file, (p) => {
				bar.value = p.total ? Math.round((p.sent * 100) / p.total) : 0;
				const done = p.sent >= p.total;
				text(barText, `${fmtBytes(p.sent)} of ${fmtBytes(p.total)} · ${p.bps ? `${fmtBytes(p.bps)}/s` : "…"} · ${done ? STAGE_WORDS.validating : STAGE_WORDS[serverStage] ?? serverStage}`);
				if (done) upMsg.show("info", "File sent. The board is checking it…");
			});
			bar.value = 100;
			upMsg.show("ok", `The file is good: firmware ${image.version ?? ""} is ready to install.`);
			showStaged(image);
		}
		catch (e) {
			upMsg.show("bad", h("strong", null, "The board refused this file. "), h("span", { class: "say" }, explain(e)), codeOf(e) ? h("small", { class: "code" }, ` ${codeOf(e)}`) : null);
			// The progress line described the transfer; next to the refusal it would read as still going.
			bar.value = 0;
			text(barText, "");
			progressBox.classList.add("hidden");
		}
		finally {
			polling = false;
			await poll;
			fileInput.disabled = false;
			uploadBtn.disabled = !fileInput.files?.length;
			void refresh();
		}
	}

	function showStaged(image: ImageInfo) {
		if (image.state !== "VALID") {
			fill(stagedBox);
			return;
		}
		fill(stagedBox, h("div", { class: "staged" },
			h("p", null, "Ready to install: ", h("strong", null, image.version ?? "new firmware")),
			h("div", { class: "row" },
				h("button", { type: "button", class: "danger", id: "install-btn", onclick: () => install(image.version ?? "the new firmware", false) }, "Install…"),
				h("button", { type: "button", id: "discard-btn", onclick: () => discard(image.id) }, "Discard"))));
	}

	async function discard(id: number) {
		try {
			await api("DELETE", `/api/update/images/${id}`);
			fill(stagedBox);
			upMsg.show("info", "The file was removed from the board.");
		}
		catch (e) { upMsg.error(e); }
	}

	async function install(version: string, remote: boolean) {
		const answer = await modal(`Install ${version}?`, [
			h("p", null, "Before you continue:"),
			h("ul", { class: "checklist" },
				h("li", null, h("strong", null, "The car is stopped"), " and the engine is off (the ignition can stay on)."),
				h("li", null, h("strong", null, "Keep the power on. "), "Don't switch the ignition off or unplug the board until this page says it is done (about a minute)."),
				h("li", null, "The board restarts. Meanwhile the Haldex works as stock; your mode comes back afterwards.")),
			h("p", { class: "muted" }, "If the new firmware does not start properly, the board goes back to the current version by itself."),
		], [{ label: "Cancel", value: "cancel" }, { label: remote ? "Download and install" : "Install and restart", cls: "danger", value: "go" }]);
		if (answer !== "go") return;
		const msg = remote ? checkMsg : upMsg;
		msg.show("info", "Starting the install…");
		const from = status?.current ?? "";
		try {
			await post("/api/update/install");
			msg.clear();
			follow = { target: version, from, startedAt: Date.now() };
			void followReboot();
		}
		catch (e) {
			msg.show("bad", h("strong", null, "Not installed. "), h("span", { class: "say" }, explain(e)), h("small", { class: "code" }, ` ${codeOf(e)}`));
		}
	}

	async function followReboot() {
		const f = follow;
		if (!f) return;
		followCard.classList.remove("hidden");
		followCard.scrollIntoView?.({ block: "start" });
		const steps = ["Switching to the new firmware", "Restarting: the board is away for a moment", "Checking the new firmware (about 30 s)", "Done"];
		const render = (step: number, note: string, tone = "info") => fill(followBox,
			h("ol", { class: "steps" }, steps.map((s, i) => h("li", { class: i < step ? "done" : i === step ? "now" : "" }, s))),
			h("p", { class: `msg ${tone}`, id: "follow-note" }, note));
		render(0, "Keep the power on.");
		let sawDown = false;
		let firstUptime: number | undefined;
		while (alive && follow === f) {
			await sleep(1000);
			const elapsed = (Date.now() - f.startedAt) / 1000;
			let s: UpdateStatus | undefined, up: StatusBody | undefined;
			try {
				up = await get<StatusBody>("/api/status", { timeoutMs: 2500 });
				s = await get<UpdateStatus>("/api/update", { timeoutMs: 2500 });
			}
			catch (e) {
				if (!(e instanceof ApiError) || e.status === 0) {
					sawDown = true;
					render(1, elapsed > 180 ? "The board has not answered for 3 minutes. Keep the power on a little longer. If it never comes back, switch the ignition off and on: it then starts the previous firmware." : "Waiting for the board to come back… Keep the power on.", elapsed > 180 ? "warn" : "info");
					continue;
				}
				render(1, explain(e), "warn");
				continue;
			}
			const uptime = up?.uptimeMs ?? 0;
			firstUptime ??= uptime;
			const restarted = sawDown || uptime < firstUptime;
			if (!restarted && s.current === f.from) { render(elapsed > 20 ? 1 : 0, "Keep the power on."); continue; }
			if (s.current !== f.target && !(f.target === "the new firmware" && s.current !== f.from)) {
				if (s.state === "FAILED_GRACEFUL" || s.state === "FAILED_CRITICAL" || restarted) {
					render(4, `The new firmware did not start properly, so the board went back to ${s.current}. ${s.state_description}`, "bad");
					follow = undefined;
					break;
				}
				continue;
			}
			if (s.state === "RUNNING" || s.stage === "verifying") { render(2, `The board is back with ${s.current}. It is checking that everything works; keep the power on.`); continue; }
			render(4, `Done: the board now runs ${s.current}.`, "ok");
			follow = undefined;
			void refresh();
			break;
		}
	}

	async function loadImages() {
		const r = await get<ImagesBody>("/api/update/images").catch(() => undefined);
		const valid = r?.items.find((i) => i.state === "VALID");
		if (valid && !follow) showStaged(valid);
	}

	void refresh();
	void loadImages();
	if (follow) void followReboot();
	return () => { alive = false; };
}

function sleep(ms: number) { return new Promise((r) => setTimeout(r, ms)); }
