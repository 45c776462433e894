/*
 * Proof: power loss at 200+ points of a whole update cycle (staging the
 * image, sector erases, the two otadata sectors, the bootloader's
 * NEW -> PENDING_VERIFY rewrite, mark-valid) never leaves a board that
 * boots a partial image or loses a setting; and at every flash operation
 * of the confirm step (the store's records, otadata's erase and each byte
 * of its write) the record afterwards tells what happened. Store writes
 * (NVS on the board) are cut points too, atomic as NVS entries are.
 * Seeded, so a failure names a reproducible cut point.
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
import { readHistory, readResult } from "ota/history";
import type { StoreValue } from "ports/store";

const layout = layoutFromCsv(SMALL_TEST_CSV, SMALL_TEST_FLASH);
const OLD = buildEspImage({ version: "1.0.0+ohxs", size: 24 * 1024, seed: 1 });
const NEW = buildEspImage({ version: "1.1.0+ohxs", size: 30 * 1024 + 123, seed: 2 });
const canNodes = () => [
	{ name: "chassis", started: true, busOff: false },
	{ name: "haldex", started: true, busOff: false },
];
/** Health that fails its first sample (the HTTP server not up yet), then holds: the trial records a problem it later outgrows. */
const healthAfterFirstSample = () => {
	let samples = 0;
	return { canNodes, selfTestPassed: () => true, httpAnswered: () => samples++ > 0 };
};

/** A MemoryStore on the board's flash: each write costs a unit of the power-cut budget and is atomic (an NVS entry). */
class PoweredStore extends MemoryStore {
	readonly flash: NorFlash;
	/** Flash units at the start of each write, with what was written (for finding the confirm step). */
	readonly at: { units: number; key: string; value: StoreValue | undefined }[] = [];
	constructor(flash: NorFlash) {
		super();
		this.flash = flash;
	}
	override set(domain: string, key: string, value: StoreValue): void {
		this.at.push({ units: this.flash.units, key, value });
		this.flash.atomicWork(1, `the store write of ${domain}/${key}`);
		super.set(domain, key, value);
	}
	override delete(domain: string, key: string): void {
		this.at.push({ units: this.flash.units, key, value: undefined });
		this.flash.atomicWork(1, `the store delete of ${domain}/${key}`);
		super.delete(domain, key);
	}
}

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
function cycle(board: FlashBoard, store: PoweredStore, marks: Partial<Record<Phase, number>>): void {
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
	const c = new BootConfirmer({ ota: board.port, store, clock: time, timers: time, logger, health: healthAfterFirstSample() }, { windowMs: 3000 });
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
	const dryStore = new PoweredStore(dry.board.flash);
	const startUnits = dry.board.flash.units;
	cycle(dry.board, dryStore, marks);
	const total = dry.board.flash.units - startUnits;
	// The confirm step starts with the pending record marked healthPassed, then otadata's erase (1 unit) and write (32).
	const journal = dryStore.at.find((w) => w.key === "pending" && typeof w.value === "string" && w.value.includes("healthPassed"));
	const confirmFrom = journal ? journal.units - startUnits : -1;
	const OTADATA_REWRITE = 1 + 32;

	it("a cycle without power loss ends on the new image, confirmed, after the trial saw one problem", () => {
		assert.equal(dry.board.port.running().index, 1);
		assert.equal(dry.board.port.runningState(), "VALID");
		assert.isAbove(total, NEW.length);
		assert.isAtLeast(confirmFrom, 0, "the pending record is marked before otadata");
		assert.isTrue(
			dryStore.at.some((w) => w.key === "pending" && String(w.value).includes("lastProblem")),
			"the trial recorded a health problem",
		);
		assert.equal(readResult(dryStore)!.state, "CONFIRMED");
	});

	// Cut points: seeded random over the whole cycle, plus each phase densely.
	const prng = new Prng(20260101);
	const points = new Set<number>();
	const rel = (p: Phase) => marks[p]! - startUnits;
	for (let i = 0; i < 140; i++) points.add(prng.below(total));
	for (let u = confirmFrom - 2; u <= total; u++) points.add(u); // every unit of the confirm step: journal, erase, each byte, history, result
	for (const p of ["install", "first-boot", "mark-valid"] as Phase[]) {
		const from = rel(p);
		const to = p === "install" ? rel("first-boot") : p === "first-boot" ? rel("mark-valid") : total;
		for (let u = from; u <= Math.min(to, from + 40); u++) points.add(u); // every unit of the otadata erase+write
	}
	for (let sector = 0; sector * 4096 < NEW.length; sector++) points.add(rel("stage") + sector * 4097); // at sector erases
	points.add(rel("stage") + 2048); // mid-sector
	const cuts = [...points].sort((a, b) => a - b);

	it(`has ${cuts.length} cut points (at least 200) covering data, erases, both otadata sectors, first boot and every unit of mark-valid`, () => {
		assert.isAtLeast(cuts.length, 200);
		for (let u = confirmFrom; u < confirmFrom + 1 + OTADATA_REWRITE + 3; u++) assert.include(cuts, u);
		for (const p of ["install", "first-boot", "mark-valid"] as Phase[])
			assert.isTrue(
				cuts.some((c) => c >= rel(p) && c < rel(p) + 40),
				p,
			);
	});

	it("after every cut the bootloader starts a complete valid image, old or new, and no setting is lost", () => {
		const outcomes = { old: 0, new: 0 };
		for (const cut of cuts) {
			const { board, storage } = withBoard(base);
			const store = new PoweredStore(board.flash);
			store.set("haldex", "mode", "5050");
			store.set("auth", "hash", "x".repeat(64));
			board.flash.cutPowerAfter(cut);
			let lost = false;
			try {
				cycle(board, store, {});
			} catch (e) {
				if (!(e instanceof PowerCutError) && !board.flash.powerLost) throw new Error(`cut ${cut}: unexpected ${String(e)}`);
				lost = true;
			}
			board.flash.powerOn(); // the power comes back (and a cut that did not land inside the cycle is cancelled)
			// Two reboots after the power returns (the second one follows a possible abort).
			for (let k = 0; k < 2; k++) {
				const r = board.boot();
				assert.isAtLeast(r.slot, 0, `cut ${cut}: no bootable image`);
				const bytes = board.port.read(r.slot, 0, r.version === "1.1.0+ohxs" ? NEW.length : OLD.length);
				const expected = r.version === "1.1.0+ohxs" ? NEW : OLD;
				assert.isTrue(
					bytes.every((b, i) => b === expected[i]),
					`cut ${cut}: slot ${r.slot} is not a complete ${r.version}`,
				);
				const time = new ManualTime();
				const c = new BootConfirmer(
					{
						ota: board.port,
						store,
						clock: time,
						timers: time,
						logger: new RecordingLogger(),
						health: { canNodes, selfTestPassed: () => true, httpAnswered: () => true },
					},
					{ windowMs: 1000 },
				);
				c.start();
				time.advance(2000);
				if (k === 1) r.version === "1.1.0+ohxs" ? outcomes.new++ : outcomes.old++;
			}
			const below = layout.otadata.offset;
			assert.isTrue(
				storage.bytes.subarray(0, below).every((b, i) => b === base[i]),
				`cut ${cut}: flash below otadata (nvs) changed`,
			);
			assert.equal(store.get("haldex", "mode"), "5050", `cut ${cut}: setting lost`);
			assert.equal(store.get("auth", "hash"), "x".repeat(64), `cut ${cut}: setting lost`);
			assert.isAtLeast(readHistory(store).length, 1);
			assert.isTrue(lost || board.port.running().index === 1, `cut ${cut} beyond the cycle`);
			if (cut < total) assert.isTrue(lost, `cut ${cut}: the power must go inside the cycle (${total} units)`);
			// The record tells the truth about the confirm step.
			const result = readResult(store);
			const final = board.lastBoot!.version;
			if (final === "1.1.0+ohxs") {
				assert.equal(result?.state, "CONFIRMED", `cut ${cut}: running the new image, the record says ${JSON.stringify(result)}`);
				assert.equal(readHistory(store).at(-1)!.version, "1.1.0+ohxs", `cut ${cut}: history`);
			}
			const inOtadataRewrite = cut > confirmFrom && cut <= confirmFrom + OTADATA_REWRITE;
			if (inOtadataRewrite) {
				assert.equal(final, "1.0.0+ohxs", `cut ${cut}: otadata was torn, the previous image must boot`);
				assert.equal(result?.state, "FAILED_GRACEFUL", `cut ${cut}`);
				assert.match(result!.reason!, /passed its health check/, `cut ${cut}`);
				assert.notMatch(result!.reason!, /health problem/, `cut ${cut}: no stale health problem`);
			}
		}
		assert.isAbove(outcomes.old, 0);
		assert.isAbove(outcomes.new, 0);
	});
});
