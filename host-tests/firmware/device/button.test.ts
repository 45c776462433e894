/* Specification of the mode button's gestures (modules/device/button): debounce, short press, 3 s long press. */

import { assert } from "../../support/assert";
import { ManualTime } from "../../support/fakes";
import { ButtonGestures, DEBOUNCE_MS, LONG_PRESS_MS, nextFavourite, type Gesture } from "device/button";

describe("device/button", () => {
	let time: ManualTime;
	let got: Gesture[];
	let button: ButtonGestures;
	beforeEach(() => {
		time = new ManualTime();
		got = [];
		button = new ButtonGestures(time, time, (g) => got.push(g));
	});

	it("reports a short press on release", () => {
		button.edge(true);
		time.advance(200);
		assert.deepEqual(got, []);
		button.edge(false);
		time.advance(DEBOUNCE_MS);
		assert.deepEqual(got, ["short"]);
	});

	it("ignores contact bounce shorter than the debounce time", () => {
		for (let i = 0; i < 5; i++) {
			button.edge(true);
			time.advance(5);
			button.edge(false);
			time.advance(5);
		}
		time.advance(100);
		assert.deepEqual(got, []);
		assert.isFalse(button.pressed);
	});

	it("fires a long press at 3 s while still held, and nothing on release", () => {
		button.edge(true);
		time.advance(LONG_PRESS_MS - 1);
		assert.deepEqual(got, []);
		time.advance(1);
		assert.deepEqual(got, ["long"]);
		button.edge(false);
		time.advance(100);
		assert.deepEqual(got, ["long"]);
	});

	it("counts a 2.9 s press as short", () => {
		button.edge(true);
		time.advance(2900);
		button.edge(false);
		time.advance(DEBOUNCE_MS);
		assert.deepEqual(got, ["short"]);
	});

	it("cycles the favourite modes and starts over from the first for a mode outside them", () => {
		const fav = ["STOCK", "5050", "FWD"];
		assert.equal(nextFavourite(fav, "STOCK"), "5050");
		assert.equal(nextFavourite(fav, "FWD"), "STOCK");
		assert.equal(nextFavourite(fav, "MAP"), "STOCK");
		assert.isUndefined(nextFavourite([], "STOCK"));
	});
});
