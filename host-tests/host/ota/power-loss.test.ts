/*
 * Proof: power loss at 200+ points of a whole update cycle (staging the
 * image, sector erases, the two otadata sectors, the bootloader's
 * NEW -> PENDING_VERIFY rewrite, mark-valid) never leaves a board that
 * boots a partial image or loses a setting. Seeded, so a failure names a
 * reproducible cut point.
 */

import { assert } from "chai";
import { nodeDigests } from "../../../host/adapters/node-platform";
import { MemoryFlashStorage, NorFlash, PowerCutError } from "../../../host/adapters/flash/nor-flash";
import { FlashBoard } from "../../../host/adapters/flash/board";
import { SMALL_TEST_CSV, SMALL_TEST_FLASH, layoutFromCsv } from "../../../host/adapters/flash/layout";
import { buildEspImage, Prng } from "../../support/esp-image";
import { ManualTime, MemoryStore, RecordingLogger } from "../../support/fakes";
import { ImageStager } from "ota/stager";
import { BootConfirmer } from "ota/boot-confirm";
import { readHistory } from "ota/history";

const layout = layoutFromCsv(SMALL_TEST_CSV, SMALL_TEST_FLASH);
const OLD = buildEspImage({ version: "1.0.0+ohxs", size: 24 * 1024, seed: 1 });
const NEW = buildEspImage({ version: "1.1.0+ohxs", size: 30 * 1024 + 123, seed: 2 });
const healthy = { canNodes: () => [{ name: "chassis", started: true, busOff: false }, { name: "haldex", started: true, busOff: false }], selfTestPassed: () => true, httpAnswered: () => true };

/** A board with OLD installed and confirmed, settings saved. */
function freshBoard(): { board: FlashBoard; store: MemoryStore; base: Uint8Array } {
	const flash = new NorFlash(new MemoryFlashStorage(SMALL_TEST_FLASH), { logOps: false });
	const board = new FlashBoard(flash, layout, nodeDigests);
	board.flashImage(0, OLD);
	board.boot();
	const store = new MemoryStore();
	store.set("haldex", "mode", "5050");
	store.set("auth", "hash", "x".repeat(64));
	return { board, store, base: (flash.storage as MemoryFlashStorage).bytes.slice() };
}

type Phase = "stage" | "install" | "first-boot" | "mark-valid";

/** The whole cycle; returns the flash units at each phase start. Throws PowerCutError where the power goes. */
function cycle(board: FlashBoard, store: MemoryStore, marks: Partial<Record<Phase, number>>): void {
	const time = new ManualTime();
	const logger = new RecordingLogger();
	marks.stage = board.flash.units;
	const s = new ImageStager({ ota: board.port, digests: nodeDigests, store, clock: time, logger });
	s.begin();
	for (let i = 0; i < NEW.length; i += 1460) s.write(NEW.subarray(i, i + 1460));
	s.end();
	marks.install = board.flash.units;
	s.install();
	marks["first-boot"] = board.flash.units;
	board.boot();
	const c = new BootConfirmer({ ota: board.port, store, clock: time, timers: time, logger, health: healthy }, { windowMs: 3000 });
	marks["mark-valid"] = board.flash.units;
	c.start();
	time.advance(5000);
}

function withBoard(base: Uint8Array): { board: FlashBoard; storage: MemoryFlashStorage } {
	const storage = new MemoryFlashStorage(SMALL_TEST_FLASH, base);
	const board = new FlashBoard(new NorFlash(storage, { logOps: false }), layout, nodeDigests);
	board.boot();
	return { board, storage };
}

describe("power loss during an update", function () {
	this.timeout(120_000);
	const { base } = freshBoard();
	const marks: Partial<Record<Phase, number>> = {};
	const dry = withBoard(base);
	const dryStore = new MemoryStore();
	const startUnits = dry.board.flash.units;
	cycle(dry.board, dryStore, marks);
	const total = dry.board.flash.units - startUnits;

	it("a cycle without power loss ends on the new image, confirmed", () => {
		assert.equal(dry.board.port.running().index, 1);
		assert.equal(dry.board.port.runningState(), "VALID");
		assert.isAbove(total, NEW.length);
	});

	// Cut points: seeded random over the whole cycle, plus each phase densely.
	const prng = new Prng(20260101);
	const points = new Set<number>();
	const rel = (p: Phase) => marks[p]! - startUnits;
	for (let i = 0; i < 140; i++) points.add(prng.below(total));
	for (const p of ["install", "first-boot", "mark-valid"] as Phase[]) {
		const from = rel(p);
		const to = p === "install" ? rel("first-boot") : p === "first-boot" ? rel("mark-valid") : total;
		for (let u = from; u <= Math.min(to, from + 40); u++) points.add(u); // every unit of the otadata erase+write
	}
	for (let sector = 0; sector * 4096 < NEW.length; sector++) points.add(rel("stage") + sector * 4097); // at sector erases
	points.add(rel("stage") + 2048); // mid-sector
	const cuts = [...points].sort((a, b) => a - b);

	it(`has ${cuts.length} cut points (at least 200) covering data, erases, both otadata sectors, first boot and mark-valid`, () => {
		assert.isAtLeast(cuts.length, 200);
		for (const p of ["install", "first-boot", "mark-valid"] as Phase[]) assert.isTrue(cuts.some((c) => c >= rel(p) && c < rel(p) + 40), p);
	});

	it("after every cut the bootloader starts a complete valid image, old or new, and no setting is lost", () => {
		const outcomes = { old: 0, new: 0 };
		for (const cut of cuts) {
			const { board, storage } = withBoard(base);
			const store = new MemoryStore();
			store.set("haldex", "mode", "5050");
			store.set("auth", "hash", "x".repeat(64));
			board.flash.cutPowerAfter(cut);
			let lost = false;
			try { cycle(board, store, {}); }
			catch (e) {
				if (!(e instanceof PowerCutError) && !(board.flash.powerLost)) throw new Error(`cut ${cut}: unexpected ${String(e)}`);
				lost = true;
			}
			// Two reboots after the power returns (the second one follows a possible abort).
			for (let k = 0; k < 2; k++) {
				const r = board.boot();
				assert.isAtLeast(r.slot, 0, `cut ${cut}: no bootable image`);
				const bytes = board.port.read(r.slot, 0, r.version === "1.1.0+ohxs" ? NEW.length : OLD.length);
				const expected = r.version === "1.1.0+ohxs" ? NEW : OLD;
				assert.isTrue(bytes.every((b, i) => b === expected[i]), `cut ${cut}: slot ${r.slot} is not a complete ${r.version}`);
				const time = new ManualTime();
				const c = new BootConfirmer({ ota: board.port, store, clock: time, timers: time, logger: new RecordingLogger(), health: healthy }, { windowMs: 1000 });
				c.start();
				time.advance(2000);
				if (k === 1) (r.version === "1.1.0+ohxs" ? outcomes.new++ : outcomes.old++);
			}
			const below = layout.otadata.offset;
			assert.isTrue(storage.bytes.subarray(0, below).every((b, i) => b === base[i]), `cut ${cut}: flash below otadata (nvs) changed`);
			assert.equal(store.get("haldex", "mode"), "5050", `cut ${cut}: setting lost`);
			assert.equal(store.get("auth", "hash"), "x".repeat(64), `cut ${cut}: setting lost`);
			assert.isAtLeast(readHistory(store).length, 1);
			assert.isTrue(lost || board.port.running().index === 1, `cut ${cut} beyond the cycle`);
		}
		assert.isAbove(outcomes.old, 0);
		assert.isAbove(outcomes.new, 0);
	});
});
