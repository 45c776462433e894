/*
 * The second-stage bootloader's choice, simulated at every reboot with
 * ESP-IDF v6.0's rules (bootloader_utility.c, no factory app,
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE):
 *   1. every PENDING_VERIFY entry (the previous boot never confirmed it)
 *      is rewritten as ABORTED, each sector erased and written in place,
 *      before anything is chosen;
 *   2. the choice (ota/otadata bootChoice): both entries invalid -> ota_0;
 *      else the valid entry with the highest seq, slot = (seq - 1) % slots,
 *      and if its state is NEW it becomes PENDING_VERIFY (first boot);
 *      else (entries set but damaged) no slot: every slot is tried;
 *   3. the chosen slot's image is verified (header, chip and revision,
 *      segments, checksum, appended SHA-256); if it fails, the lower slots
 *      are tried, then the higher ones. No bootable image: slot -1 (bricked);
 *   4. a board fresh from a USB flash (both entries blank or CRC-damaged):
 *      when a slot loads, otadata[0] = {slot + 1, VALID} is written
 *      (set_actual_ota_seq), so otadata is never blank after a first boot.
 * Portable: the tests run it after every simulated power cut.
 */

import type { DigestFactory } from "ports/digest";
import type { OtaChip } from "ports/ota";
import { OTADATA_SECTOR_SIZE, STATE_CODES, bootChoice, decodeEntry, encodeEntry, type OtaSelectEntry } from "ota/otadata";
import { verifyStoredImage } from "./verify-stored";
import type { NorFlash } from "./nor-flash";
import type { FlashLayout } from "./layout";

export interface BootResult {
	/** The slot that boots, -1 when none holds a valid image. */
	slot: number;
	/** The version in its descriptor ("" when none). */
	version: string;
	/** What the bootloader did, as lines (like its serial log). */
	log: string[];
}

export function readOtadata(flash: NorFlash, layout: FlashLayout): OtaSelectEntry[] {
	const at = layout.otadata.offset;
	return [decodeEntry(flash.read(at, 32)), decodeEntry(flash.read(at + OTADATA_SECTOR_SIZE, 32))];
}

/** Erase one otadata sector and write its entry (write_otadata / rewrite_ota_seq). */
export function writeOtadataEntry(flash: NorFlash, layout: FlashLayout, sector: number, seq: number, state: number, label?: Uint8Array): void {
	const at = layout.otadata.offset + sector * OTADATA_SECTOR_SIZE;
	const entry = encodeEntry(seq, state);
	if (label) entry.set(label, 4);
	flash.eraseSector(at);
	flash.write(at, entry);
}

export function simulateBoot(flash: NorFlash, layout: FlashLayout, digests: DigestFactory, chip?: OtaChip): BootResult {
	const log: string[] = [];
	const n = layout.slots.length;
	let entries = readOtadata(flash, layout);
	for (let i = 0; i < 2; i++) {
		const e = entries[i];
		if (e.state !== STATE_CODES.PENDING_VERIFY) continue;
		log.push(`otadata[${i}]: seq ${e.seq} was never confirmed: PENDING_VERIFY -> ABORTED`);
		writeOtadataEntry(flash, layout, i, e.seq, STATE_CODES.ABORTED, e.label);
	}
	entries = readOtadata(flash, layout);
	const choice = bootChoice(entries, n);
	if (choice.entry >= 0) {
		const e = entries[choice.entry];
		if (e.state === STATE_CODES.NEW) {
			log.push(`otadata[${choice.entry}]: seq ${e.seq} -> ota_${choice.slot} NEW -> PENDING_VERIFY (first boot)`);
			writeOtadataEntry(flash, layout, choice.entry, e.seq, STATE_CODES.PENDING_VERIFY, e.label);
		} else log.push(`otadata[${choice.entry}]: seq ${e.seq} -> ota_${choice.slot}`);
	} else if (choice.slot === 0)
		log.push(choice.initial ? "otadata: blank (first boot after a USB flash); trying ota_0" : "otadata: no valid entry; trying ota_0");
	else log.push("otadata: entries damaged, no slot selected; trying every slot");

	const start = Math.max(choice.slot, 0);
	const order = [start];
	for (let i = start - 1; i >= 0; i--) order.push(i);
	for (let i = start + 1; i < n; i++) order.push(i);
	for (const index of order) {
		const s = layout.slots.find((x) => x.index === index)!;
		const r = verifyStoredImage((o, l) => flash.read(s.offset + o, l), s.size, digests, chip);
		if (r.ok) {
			if (choice.initial) {
				log.push(`otadata[0]: set actual ota_seq ${index + 1} (ota_${index}, VALID)`);
				writeOtadataEntry(flash, layout, 0, index + 1, STATE_CODES.VALID);
			}
			log.push(`loading ota_${index} (${r.image.version || "no descriptor"})`);
			return { slot: index, version: r.image.version, log };
		}
		log.push(`ota_${index}: image not valid (${r.error.code}): ${r.error.message}`);
	}
	log.push("no bootable app image");
	return { slot: -1, version: "", log };
}
