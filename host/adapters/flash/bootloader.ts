/*
 * The second-stage bootloader's choice, simulated at every reboot with
 * ESP-IDF's rules (bootloader_utility.c, CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE):
 *   1. both otadata entries unusable (unset, or INVALID/ABORTED): boot ota_0
 *      (there is no factory partition);
 *   2. otherwise the selectable entry with the highest seq wins, slot =
 *      (seq - 1) % slots; if its state is NEW it becomes PENDING_VERIFY
 *      (first boot); if it is already PENDING_VERIFY the previous boot never
 *      confirmed it, so it becomes ABORTED and the choice is made again;
 *      both rewrites erase and write that entry's sector in place;
 *   3. the chosen slot's image is verified (header, segments, checksum,
 *      appended SHA-256); if it fails, the lower slots are tried, then the
 *      higher ones. No bootable image at all: slot -1 (a bricked board).
 * Portable: the tests run it after every simulated power cut.
 */

import type { DigestFactory } from "ports/digest";
import { OTADATA_SECTOR_SIZE, STATE_CODES, activeEntry, decodeEntry, encodeEntry, entryInvalid, slotOfSeq, type OtaSelectEntry } from "ota/otadata";
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

function readEntries(flash: NorFlash, layout: FlashLayout): OtaSelectEntry[] {
	const at = layout.otadata.offset;
	return [decodeEntry(flash.read(at, 32)), decodeEntry(flash.read(at + OTADATA_SECTOR_SIZE, 32))];
}

function rewrite(flash: NorFlash, layout: FlashLayout, sector: number, e: OtaSelectEntry, state: number): void {
	const at = layout.otadata.offset + sector * OTADATA_SECTOR_SIZE;
	const entry = encodeEntry(e.seq, state);
	entry.set(e.label, 4);
	flash.eraseSector(at);
	flash.write(at, entry);
}

export function simulateBoot(flash: NorFlash, layout: FlashLayout, digests: DigestFactory, chipId?: number): BootResult {
	const log: string[] = [];
	const n = layout.slots.length;
	let start = 0;
	for (;;) {
		const entries = readEntries(flash, layout);
		if (entryInvalid(entries[0]) && entryInvalid(entries[1])) {
			log.push("otadata: no usable entry; booting ota_0");
			start = 0;
			break;
		}
		const active = activeEntry(entries);
		if (active === -1) {
			log.push("otadata: no entry with a valid CRC; booting ota_0");
			start = 0;
			break;
		}
		const e = entries[active];
		start = slotOfSeq(e.seq, n);
		if (e.state === STATE_CODES.NEW) {
			log.push(`otadata[${active}]: seq ${e.seq} -> ota_${start} NEW -> PENDING_VERIFY (first boot)`);
			rewrite(flash, layout, active, e, STATE_CODES.PENDING_VERIFY);
			break;
		}
		if (e.state === STATE_CODES.PENDING_VERIFY) {
			log.push(`otadata[${active}]: ota_${start} was never confirmed: PENDING_VERIFY -> ABORTED, rolling back`);
			rewrite(flash, layout, active, e, STATE_CODES.ABORTED);
			continue;
		}
		log.push(`otadata[${active}]: seq ${e.seq} -> ota_${start}`);
		break;
	}
	const order = [start];
	for (let i = start - 1; i >= 0; i--) order.push(i);
	for (let i = start + 1; i < n; i++) order.push(i);
	for (const index of order) {
		const s = layout.slots.find((x) => x.index === index)!;
		const r = verifyStoredImage((o, l) => flash.read(s.offset + o, l), s.size, digests, chipId);
		if (r.ok) {
			log.push(`loading ota_${index} (${r.image.version || "no descriptor"})`);
			return { slot: index, version: r.image.version, log };
		}
		log.push(`ota_${index}: image not valid (${r.error.code}): ${r.error.message}`);
	}
	log.push("no bootable app image");
	return { slot: -1, version: "", log };
}
