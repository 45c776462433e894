/*
 * Update: running version and history, check for updates, upload a file
 * with progress, install with a clear confirmation, then follow the
 * restart until the board answers again with the new version.
 */

import { fileProblem, signingWords } from "../status-view";
import { simulatorCard } from "../sim";
import { h, fill, text, fmtBytes, fmtDate } from "../dom";
import { ApiError, get, post, upload, api } from "../api";
import { explain, codeOf } from "../errors";
import { messageBox, modal, onStatus, section } from "../ui";
import type { ImageBody, ImagesBody, StatusBody, UpdateBody } from "api/contract";
import { FOLLOW_STEPS, followStep, observed, type FollowMemory, type FollowTarget, type Observation } from "../reboot-follow";

type UpdateStatus = UpdateBody;
type ImageInfo = ImageBody;

const STAGE_WORDS: Record<string, string> = {
	idle: "Idle",
	uploading: "Sending the file",
	downloading: "Downloading",
	validating: "Checking the file",
	staged: "Ready to install",
	ready: "Ready to install",
	preparing: "Preparing",
	restarting: "Restarting",
	verifying: "Checking the new firmware",
	failed: "Failed",
};

/** The install being followed through its restart, kept across page changes. */
let follow: FollowTarget | undefined;

/** What the page's cards share. */
interface UpdatePage {
	/** False once the page is left: loops stop. */
	alive: boolean;
	/** The last GET /api/update answer. */
	status?: UpdateStatus;
	/** Fetch /api/update again and let every card render it. */
	refresh(): Promise<void>;
	/** Ask, install, then follow the restart; messages go to `msg`. */
	install(version: string, remote: boolean, msg: ReturnType<typeof messageBox>): Promise<void>;
}

export function mount(root: HTMLElement): () => void {
	const renders: ((s: UpdateStatus) => void)[] = [];
	const page: UpdatePage = {
		alive: true,
		async refresh() {
			try {
				const s = await get<UpdateStatus>("/api/update", { timeoutMs: 4000 });
				if (!page.alive) return;
				page.status = s;
				for (const r of renders) r(s);
			} catch (e) {
				if (page.alive) firmware.showError(e);
			}
		},
		install: (version, remote, msg) => install(page, following, version, remote, msg),
	};
	const following = followCard(page);
	const firmware = firmwareCard();
	const online = onlineCard(page);
	const upload = uploadCard(page);
	renders.push(firmware.render, online.render);
	fill(root, following.el, firmware.el, online.el, upload.el, simulatorCard());
	void page.refresh();
	void upload.loadStaged();
	if (follow) void following.run();
	return () => {
		page.alive = false;
		upload.stop();
	};
}

/** Running version, its state and the update history. */
function firmwareCard() {
	const runningEl = h("strong", { id: "running-version" }, "…");
	const stateEl = h("p", { class: "muted", id: "update-state" });
	const historyBody = h("tbody", { id: "history" });
	const el = section(
		"Firmware",
		h("p", null, "Running version: ", runningEl),
		stateEl,
		h("h3", null, "History"),
		h(
			"div",
			{ class: "scroll" },
			h("table", { class: "list" }, h("thead", null, h("tr", null, h("th", null, "Version"), h("th", null, "Installed"))), historyBody),
		),
	);
	return {
		el,
		render(status: UpdateStatus) {
			text(runningEl, status.current);
			text(stateEl, status.state_description);
			fill(
				historyBody,
				[...status.update_history]
					.reverse()
					.map((e, i, all) =>
						h("tr", null, h("td", null, e.version, i === all.length - 1 ? h("span", { class: "muted" }, " (first)") : null), h("td", null, fmtDate(e.time))),
					),
			);
			if (!status.update_history.length) fill(historyBody, h("tr", null, h("td", { colSpan: 2, class: "muted" }, "No updates yet.")));
		},
		showError(e: unknown) {
			text(stateEl, explain(e));
		},
	};
}

/** Ask the update server for a newer version, and install it from there. */
function onlineCard(page: UpdatePage) {
	const checkMsg = messageBox();
	const checkBtn = h("button", { type: "button", id: "check-btn", onclick: () => check() }, "Check for updates");
	const remoteBox = h("div", { id: "remote" });
	const el = section(
		"Check online",
		h("p", { class: "muted" }, "Asks the update server set in Setup whether a newer version exists (needs the board joined to a network with internet)."),
		h("div", { class: "row" }, checkBtn),
		checkMsg,
		remoteBox,
	);

	function render(status: UpdateStatus) {
		if (status.checkError) fill(remoteBox, h("p", { class: "msg warn" }, `The last check failed: ${status.checkError}`));
		else if (status.available)
			fill(
				remoteBox,
				h("p", null, `Version ${status.latest} is available.`),
				h(
					"button",
					{ type: "button", class: "primary", id: "install-remote", onclick: () => page.install(status.latest, true, checkMsg) },
					`Download and install ${status.latest}`,
				),
			);
		else if (status.lastCheckMs) fill(remoteBox, h("p", { class: "msg ok" }, `This is the newest version (${status.current}).`));
		else fill(remoteBox);
	}

	async function check() {
		checkBtn.disabled = true;
		checkMsg.show("info", "Checking…");
		const before = page.status?.lastCheckMs ?? 0;
		try {
			await post("/api/update/check");
			for (let i = 0; i < 20 && page.alive; i++) {
				await sleep(1000);
				await page.refresh();
				if (page.status && page.status.lastCheckMs !== before) break;
			}
			checkMsg.clear();
		} catch (e) {
			checkMsg.error(e);
		}
		checkBtn.disabled = false;
	}
	return { el, render };
}

/** Send a file with progress, show the staged image, install or discard it. */
function uploadCard(page: UpdatePage) {
	const fileInput = h("input", {
		type: "file",
		id: "file",
		accept: ".bin,application/octet-stream",
		onchange: () => {
			uploadBtn.disabled = !fileInput.files?.length;
			upMsg.clear();
		},
	});
	const uploadBtn = h("button", { type: "button", class: "primary", id: "upload-btn", disabled: true, onclick: () => doUpload() }, "Upload");
	const bar = h("progress", { id: "upload-bar", max: 100, value: 0 });
	const barText = h("p", { class: "small", id: "upload-progress" });
	const progressBox = h("div", { class: "progress hidden" }, bar, barText);
	const upMsg = messageBox();
	upMsg.id = "upload-msg";
	const stagedBox = h("div", { id: "staged" });
	const signingNote = h("p", { class: "small", id: "signing-note" });
	const el = section(
		"Install from a file",
		h(
			"p",
			{ class: "muted" },
			"Pick the OpenHaldex XS firmware file (.bin) saved on this phone. The board checks it completely before anything can be installed.",
		),
		signingNote,
		h("div", { class: "row" }, fileInput, uploadBtn),
		progressBox,
		upMsg,
		stagedBox,
	);
	// What the board demands of a file (update.signing), from the status the app polls anyway.
	const stopSigning = onStatus((s) => {
		if (s) text(signingNote, signingWords(s.update.signing));
	});

	async function doUpload() {
		const file = fileInput.files?.[0];
		if (!file) return;
		const problem = fileProblem(file);
		if (problem) {
			upMsg.show("bad", problem);
			return;
		}
		uploadBtn.disabled = true;
		fileInput.disabled = true;
		progressBox.classList.remove("hidden");
		fill(stagedBox);
		upMsg.show("info", "Sending the file…");
		let serverStage = "uploading";
		let polling = true;
		const poll = (async () => {
			while (polling && page.alive) {
				await sleep(700);
				const s = await get<UpdateStatus>("/api/update", { timeoutMs: 2000 }).catch(() => undefined);
				if (s && polling) serverStage = s.stage;
			}
		})();
		try {
			const image = await upload<ImageInfo>("/api/update/images/upload", file, (p) => {
				bar.value = p.total ? Math.round((p.sent * 100) / p.total) : 0;
				const done = p.sent >= p.total;
				text(
					barText,
					`${fmtBytes(p.sent)} of ${fmtBytes(p.total)} · ${p.bps ? `${fmtBytes(p.bps)}/s` : "…"} · ${done ? STAGE_WORDS.validating : (STAGE_WORDS[serverStage] ?? serverStage)}`,
				);
				if (done) upMsg.show("info", "File sent. The board is checking it…");
			});
			bar.value = 100;
			upMsg.show("ok", `The file is good: firmware ${image.version ?? ""} is ready to install.`);
			showStaged(image);
		} catch (e) {
			upMsg.show(
				"bad",
				h("strong", null, "The board refused this file. "),
				h("span", { class: "say" }, explain(e)),
				codeOf(e) ? h("small", { class: "code" }, ` ${codeOf(e)}`) : null,
			);
			// The progress line described the transfer; next to the refusal it would read as still going.
			bar.value = 0;
			text(barText, "");
			progressBox.classList.add("hidden");
		} finally {
			polling = false;
			await poll;
			fileInput.disabled = false;
			uploadBtn.disabled = !fileInput.files?.length;
			void page.refresh();
		}
	}

	function showStaged(image: ImageInfo) {
		if (image.state !== "VALID") {
			fill(stagedBox);
			return;
		}
		fill(
			stagedBox,
			h(
				"div",
				{ class: "staged" },
				h("p", null, "Ready to install: ", h("strong", null, image.version ?? "new firmware")),
				h(
					"div",
					{ class: "row" },
					h(
						"button",
						{ type: "button", class: "danger", id: "install-btn", onclick: () => page.install(image.version ?? "the new firmware", false, upMsg) },
						"Install…",
					),
					h("button", { type: "button", id: "discard-btn", onclick: () => discard(image.id) }, "Discard"),
				),
			),
		);
	}

	async function discard(id: number) {
		try {
			await api("DELETE", `/api/update/images/${id}`);
			fill(stagedBox);
			upMsg.show("info", "The file was removed from the board.");
		} catch (e) {
			upMsg.error(e);
		}
	}

	async function loadStaged() {
		const r = await get<ImagesBody>("/api/update/images").catch(() => undefined);
		const valid = r?.items.find((i) => i.state === "VALID");
		if (valid && !follow) showStaged(valid);
	}
	return { el, loadStaged, stop: stopSigning };
}

/** The confirmation, the install request, then the restart followed. */
async function install(page: UpdatePage, following: ReturnType<typeof followCard>, version: string, remote: boolean, msg: ReturnType<typeof messageBox>) {
	const answer = await modal(
		`Install ${version}?`,
		[
			h("p", null, "Before you continue:"),
			h(
				"ul",
				{ class: "checklist" },
				h("li", null, h("strong", null, "The car is stopped"), " and the engine is off (the ignition can stay on)."),
				h(
					"li",
					null,
					h("strong", null, "Keep the power on. "),
					"Don't switch the ignition off or unplug the board until this page says it is done (about a minute).",
				),
				h("li", null, "The board restarts. Meanwhile the Haldex works as stock; your mode comes back afterwards."),
			),
			h("p", { class: "muted" }, "If the new firmware does not start properly, the board goes back to the current version by itself."),
		],
		[
			{ label: "Cancel", value: "cancel" },
			{ label: remote ? "Download and install" : "Install and restart", cls: "danger", value: "go" },
		],
	);
	if (answer !== "go") return;
	msg.show("info", "Starting the install…");
	const from = page.status?.current ?? "";
	try {
		await post("/api/update/install");
		msg.clear();
		follow = { target: version, from, startedAt: Date.now() };
		void following.run();
	} catch (e) {
		msg.show("bad", h("strong", null, "Not installed. "), h("span", { class: "say" }, explain(e)), h("small", { class: "code" }, ` ${codeOf(e)}`));
	}
}

/** The steps of an install while the board restarts (web/src/reboot-follow decides; this card shows it). */
function followCard(page: UpdatePage) {
	const box = h("div", { id: "follow", class: "follow", role: "status", "aria-live": "polite" });
	const el = section("Installing", box);
	el.classList.add("hidden");
	const render = (step: number, note: string, tone: string) =>
		fill(
			box,
			h(
				"ol",
				{ class: "steps" },
				FOLLOW_STEPS.map((s, i) => h("li", { class: i < step ? "done" : i === step ? "now" : "" }, s)),
			),
			h("p", { class: `msg ${tone}`, id: "follow-note" }, note),
		);

	async function run() {
		const f = follow;
		if (!f) return;
		el.classList.remove("hidden");
		el.scrollIntoView?.({ block: "start" });
		render(0, "Keep the power on.", "info");
		const memory: FollowMemory = { sawDown: false };
		while (page.alive && follow === f) {
			await sleep(1000);
			const view = followStep(f, memory, await observe(), Date.now());
			if (!view) continue;
			render(view.step, view.note, view.tone);
			if (view.finished) {
				follow = undefined;
				if (view.tone === "ok") void page.refresh();
			}
		}
	}
	return { el, run };
}

/** One poll of the board while it restarts. */
async function observe(): Promise<Observation> {
	try {
		const status = await get<StatusBody>("/api/status", { timeoutMs: 2500 });
		return observed(status, await get<UpdateStatus>("/api/update", { timeoutMs: 2500 }));
	} catch (e) {
		if (!(e instanceof ApiError) || e.status === 0) return { kind: "unreachable" };
		return { kind: "error", message: explain(e) };
	}
}

function sleep(ms: number) {
	return new Promise((r) => setTimeout(r, ms));
}
