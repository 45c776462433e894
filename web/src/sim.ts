/*
 * In the simulator only: a small card to drive or park the simulated car
 * (updates are refused while its engine runs). It asks GET /api/sim once;
 * the firmware has no such endpoint, so on a board the card never appears.
 */

import { h, text } from "./dom";
import { get, post } from "./api";
import { messageBox } from "./ui";

interface SimState {
	simulator: boolean;
	car: "drive" | "parked" | "log";
}

export function simulatorCard(): HTMLElement {
	const card = h("section", { class: "card", id: "sim-card", hidden: true });
	const state = h("p", { id: "sim-car" });
	const msg = messageBox();
	const drive = h("button", { type: "button", id: "sim-drive", onclick: () => set("drive") }, "Drive");
	const park = h("button", { type: "button", id: "sim-park", onclick: () => set("parked") }, "Park, engine off");
	card.append(h("h2", null, "Simulator"), state, h("div", { class: "row" }, drive, park), msg);

	const show = (s: SimState) => {
		card.hidden = false;
		text(
			state,
			s.car === "log"
				? "The car replays a CAN log."
				: s.car === "parked"
					? "The simulated car is parked with the engine off: updates can be installed."
					: "The simulated car is driving its cycle: updates wait until it is parked.",
		);
		drive.disabled = s.car !== "parked";
		park.disabled = s.car !== "drive";
	};
	async function set(scenario: "drive" | "parked") {
		try {
			show(await post<SimState>("/api/sim/car", { scenario }));
			msg.clear();
		} catch (e) {
			msg.error(e);
		}
	}
	get<SimState>("/api/sim").then(
		(s) => {
			if (s?.simulator) show(s);
		},
		() => {
			/* a board: no simulator controls */
		},
	);
	return card;
}
