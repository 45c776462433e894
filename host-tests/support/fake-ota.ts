/*
 * An in-memory board for firmware suites (portable: runs in XS): the real
 * FlashOtaPort, NOR flash model and simulated bootloader over a small
 * 320 KiB flash with two 128 KiB slots, a factory image of `version` in
 * ota_0 and blank otadata, as a USB flash leaves a board; its first boot
 * then writes otadata[0] = {seq 1, VALID}, as the v6.0 bootloader does.
 */

import { pureDigests } from "../../host/portable/sha256";
import { FlashBoard } from "../../host/adapters/flash/board";
import { MemoryFlashStorage, NorFlash } from "../../host/adapters/flash/nor-flash";
import { SMALL_TEST_CSV, SMALL_TEST_FLASH, layoutFromCsv } from "../../host/adapters/flash/layout";
import { buildEspImage, type EspImageOptions } from "../../host/adapters/flash/esp-image";

export function memoryBoard(version = "1.2.3+ohxs", image: EspImageOptions = {}): FlashBoard {
	const flash = new NorFlash(new MemoryFlashStorage(SMALL_TEST_FLASH));
	const board = new FlashBoard(flash, layoutFromCsv(SMALL_TEST_CSV, SMALL_TEST_FLASH), pureDigests);
	board.flashImage(0, buildEspImage({ version, size: 4096, ...image }));
	flash.clearLog();
	board.boot();
	return board;
}
