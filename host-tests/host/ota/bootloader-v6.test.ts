/*
 * Specification: the simulated bootloader and the flash OtaPort follow
 * ESP-IDF v6.0 (bootloader_utility.c, esp_ota_ops.c) where it differs from
 * v5.5.5, the model they were first written from. Each test names the
 * v5.5.5 behaviour it would have accepted.
 */

import { assert } from "chai";
import { nodeDigests } from "../../../host/adapters/node-platform";
import { FlashBoard } from "../../../host/adapters/flash/board";
import { MemoryFlashStorage, NorFlash } from "../../../host/adapters/flash/nor-flash";
import { SMALL_TEST_CSV, SMALL_TEST_FLASH, layoutFromCsv } from "../../../host/adapters/flash/layout";
import { readOtadata, writeOtadataEntry } from "../../../host/adapters/flash/bootloader";
import { buildEspImage } from "../../support/esp-image";
import { ManualTime, MemoryStore, RecordingLogger } from "../../support/fakes";
import { ImageStager } from "ota/stager";
import { BootConfirmer } from "ota/boot-confirm";
import { STATE_CODES, stateName } from "ota/otadata";

const layout = layoutFromCsv(SMALL_TEST_CSV, SMALL_TEST_FLASH);
const image = (version: string, seed = 1) => buildEspImage({ version, size: 12 * 1024, seed });
const healthy = {
	canNodes: () => [
		{ name: "chassis", started: true, busOff: false },
		{ name: "haldex", started: true, busOff: false },
	],
	selfTestPassed: () => true,
	httpAnswered: () => true,
};

/** A board fresh from a USB flash: `version` in ota_0, otadata erased, not booted yet. */
function usbFlashed(version = "1.0.0+ohxs"): FlashBoard {
	const board = new FlashBoard(new NorFlash(new MemoryFlashStorage(SMALL_TEST_FLASH)), layout, nodeDigests);
	board.flashImage(0, image(version));
	return board;
}

function entries(board: FlashBoard): { seq: number; state: string }[] {
	return readOtadata(board.flash, layout).map((e) => ({ seq: e.seq, state: e.seq === 0xffffffff ? "blank" : stateName(e.state) }));
}

/** Stage and install `version` into the slot that is not running. */
function install(board: FlashBoard, store: MemoryStore, version: string, seed = 2): void {
	const time = new ManualTime();
	const s = new ImageStager({ ota: board.port, digests: nodeDigests, store, clock: time, logger: new RecordingLogger() });
	const bytes = image(version, seed);
	s.begin({ declaredSize: bytes.length });
	for (let i = 0; i < bytes.length; i += 1460) s.write(bytes.subarray(i, i + 1460));
	s.end();
	s.install();
}

/** Boot and run the health check to the end of its window. */
function bootAndConfirm(board: FlashBoard, store: MemoryStore): ReturnType<BootConfirmer["start"]> {
	board.boot();
	const time = new ManualTime();
	const c = new BootConfirmer({ ota: board.port, store, clock: time, timers: time, logger: new RecordingLogger(), health: healthy }, { windowMs: 1000 });
	c.start();
	time.advance(2000);
	return c.status;
}

describe("ESP-IDF v6.0 boot choice and otadata writes", () => {
	it("first boot after a USB flash: the bootloader writes otadata[0] = {seq 1, VALID} (v5.5.5 model: left erased)", () => {
		const board = usbFlashed();
		assert.deepEqual(entries(board), [
			{ seq: 0xffffffff, state: "blank" },
			{ seq: 0xffffffff, state: "blank" },
		]);
		const r = board.boot();
		assert.equal(r.slot, 0);
		assert.deepEqual(entries(board)[0], { seq: 1, state: "VALID" });
		assert.equal(board.port.runningState(), "VALID", "not UNDEFINED");
		assert.isTrue(
			r.log.some((l) => /set actual ota_seq 1/.test(l)),
			r.log.join("\n"),
		);
		board.boot();
		assert.deepEqual(entries(board)[0], { seq: 1, state: "VALID" }, "written once, then left alone");
	});

	it("so the first install writes the other sector, and a failed trial leaves ota_0 VALID", () => {
		const board = usbFlashed();
		board.boot();
		const store = new MemoryStore();
		assert.isFalse(board.port.rollbackPossible(), "nothing to return to before an install");
		install(board, store, "1.1.0+ohxs");
		assert.deepEqual(
			entries(board),
			[
				{ seq: 1, state: "VALID" },
				{ seq: 2, state: "NEW" },
			],
			"v5.5.5 model: sector 0 = {2, NEW}, sector 1 blank",
		);
		board.boot();
		assert.equal(board.port.running().index, 1);
		assert.equal(board.port.runningState(), "PENDING_VERIFY");
		assert.isTrue(board.port.rollbackPossible(), "ota_0's entry is valid and its image verifies");
		// The owner resets during the trial: the bootloader aborts it and returns to ota_0.
		const r = board.boot();
		assert.equal(r.slot, 0);
		assert.equal(board.port.runningState(), "VALID");
		assert.equal(board.port.slotState(1), "ABORTED");
	});

	it("installing into the slot otadata already selects (after a bootloader fallback) gets its trial (v5.5.5: booted VALID, no rollback)", () => {
		const board = usbFlashed("1.0.0+ohxs");
		const store = new MemoryStore();
		board.boot();
		install(board, store, "1.1.0+ohxs", 2); // ota_1, sector 1 seq 2
		assert.equal(bootAndConfirm(board, store).phase, "CONFIRMED");
		install(board, store, "1.2.0+ohxs", 3); // ota_0, sector 0 seq 3
		assert.equal(bootAndConfirm(board, store).phase, "CONFIRMED");
		assert.deepEqual(entries(board), [
			{ seq: 3, state: "VALID" },
			{ seq: 2, state: "VALID" },
		]);
		// ota_0's image decays (a flipped bit): the bootloader still selects ota_0, fails to verify it and falls back to ota_1.
		const at = layout.slots[0].offset + 2000;
		const storage = board.flash.storage as MemoryFlashStorage;
		storage.bytes[at] ^= 0x10;
		const fallback = board.boot();
		assert.equal(fallback.slot, 1, fallback.log.join("\n"));
		assert.equal(board.port.bootSlot().index, 0, "otadata still selects ota_0");
		// The owner installs again; the free slot is ota_0, the one otadata already selects.
		install(board, store, "1.3.0+ohxs", 4);
		assert.deepEqual(
			entries(board),
			[
				{ seq: 3, state: "NEW" },
				{ seq: 2, state: "VALID" },
			],
			"sector 0 rewritten in place, same seq",
		);
		const r = board.boot();
		assert.equal(r.slot, 0);
		assert.equal(r.version, "1.3.0+ohxs");
		assert.equal(board.port.runningState(), "PENDING_VERIFY", "on trial, so a bad image can still roll back");
		assert.equal(board.boot().version, "1.1.0+ohxs", "a reset during the trial returns to the previous image");
	});

	it("rewrites every PENDING_VERIFY entry as ABORTED before it chooses, not only the winner (v5.5.5 model: the winner only)", () => {
		const board = usbFlashed();
		board.boot();
		board.flashImage(1, image("1.1.0+ohxs", 5));
		writeOtadataEntry(board.flash, layout, 0, 1, STATE_CODES.PENDING_VERIFY);
		writeOtadataEntry(board.flash, layout, 1, 2, STATE_CODES.NEW);
		const r = board.boot();
		assert.equal(r.slot, 1);
		assert.deepEqual(entries(board), [
			{ seq: 1, state: "ABORTED" },
			{ seq: 2, state: "PENDING_VERIFY" },
		]);
	});

	it("damaged entries select no slot; every slot is tried from ota_0, and otadata is not rewritten", () => {
		const board = usbFlashed();
		board.boot();
		const at = layout.otadata.offset;
		board.flash.eraseSector(at);
		board.flash.write(at, new Uint8Array([5, 0, 0, 0])); // seq 5, CRC left 0xFFFFFFFF: set but damaged
		const r = board.boot();
		assert.equal(r.slot, 0);
		assert.isTrue(
			r.log.some((l) => /no slot selected/.test(l)),
			r.log.join("\n"),
		);
		assert.equal(entries(board)[0].seq, 5, "not taken for a blank otadata");
		assert.equal(board.port.bootSlot().index, 0, "esp_ota_get_boot_partition: the first OTA slot");
	});

	it("rollback is possible only when the other entry is valid and its image verifies", () => {
		const board = usbFlashed();
		const store = new MemoryStore();
		board.boot();
		install(board, store, "1.1.0+ohxs");
		board.boot();
		assert.isTrue(board.port.rollbackPossible());
		const storage = board.flash.storage as MemoryFlashStorage;
		storage.bytes[layout.slots[0].offset + 3000] ^= 1; // ota_0's image no longer verifies
		assert.isFalse(board.port.rollbackPossible());
		assert.throws(() => board.port.markInvalidAndRestart(), /Rollback is not possible/);
		assert.equal(board.port.runningState(), "PENDING_VERIFY", "nothing written");
	});

	it("the bootloader refuses what the v6.0 image rules refuse: an image for a newer chip revision does not boot", () => {
		const board = new FlashBoard(new NorFlash(new MemoryFlashStorage(SMALL_TEST_FLASH)), layout, nodeDigests, { id: 0x0d, revision: 0 });
		board.flashImage(0, buildEspImage({ version: "1.0.0+ohxs", size: 8192, minChipRevFull: 1 }));
		board.flashImage(1, buildEspImage({ version: "0.9.0+ohxs", size: 8192 }));
		const r = board.boot();
		assert.equal(r.slot, 1, r.log.join("\n"));
		assert.isTrue(r.log.some((l) => /image_chip_revision/.test(l)));
	});
});
