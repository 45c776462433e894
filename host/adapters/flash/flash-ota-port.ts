/*
 * OtaPort over the NOR flash model, behaving as ESP-IDF's esp_ota_* do
 * (components/app_update/esp_ota_ops.c), so the firmware meets the same
 * rules in the simulator and in tests as on the board:
 *   - begin refuses the running slot and a running image in
 *     PENDING_VERIFY; writes are sequential with erase-ahead, sector by
 *     sector, never the whole slot up front;
 *   - end() verifies the image as written (esp_ota_end: esp_image_verify);
 *   - setBoot verifies the slot's image, then writes otadata as v6.0's
 *     esp_rewrite_ota_data does (ota/otadata planSelection): the sector not
 *     holding the current choice, or, when the choice already is that slot,
 *     the same sector in place; state NEW;
 *   - markValid rewrites the active entry in place with state VALID
 *     (esp_ota_mark_app_valid_cancel_rollback);
 *   - markInvalidAndRestart only when esp_ota_check_rollback_is_possible
 *     would say yes: the other entry valid and its slot's image verified.
 * Portable (no Node API): the in-memory fake for firmware suites is this
 * class over MemoryFlashStorage.
 */

import type { OtaChip, OtaImageState, OtaPort, OtaSignatureCheck, OtaSlot, OtaSlotWriter } from "ports/ota";
import type { DigestFactory } from "ports/digest";
import { OtaError } from "ota/errors";
import { STATE_CODES, activeEntry, bootPartition, planSelection, rollbackTarget, slotStateCode, stateName, type OtaSelectEntry } from "ota/otadata";
import { SIMULATED_CHIP, verifyStoredImage } from "./verify-stored";
import { readOtadata, writeOtadataEntry } from "./bootloader";
import { SECTOR_SIZE, type NorFlash } from "./nor-flash";
import type { FlashLayout } from "./layout";

/** An image in a slot: its bytes and where the image proper ends (header through appended hash). */
export interface StoredImage {
	read(offset: number, length: number): Uint8Array;
	imageLength: number;
}

export interface FlashOtaPortOptions {
	/** Called by markInvalidAndRestart after otadata is updated (the simulator reboots). */
	onRestart?: (reason: string) => void;
	chip?: OtaChip;
	/**
	 * A board built with CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT: end()
	 * also checks the signature as ESP-IDF does (esp-idf-signature-check.ts,
	 * Node only), and signatureCheck() says "first-block". Returns why it
	 * refuses, or undefined.
	 */
	espIdfSignatureCheck?: (image: StoredImage, running: StoredImage) => string | undefined;
}

export class FlashOtaPort implements OtaPort {
	readonly flash: NorFlash;
	readonly layout: FlashLayout;
	readonly #running: number;
	readonly #digests: DigestFactory;
	readonly #options: FlashOtaPortOptions;
	#writing = false;
	/** Calls made, in order (for tests). */
	readonly calls: string[] = [];

	constructor(flash: NorFlash, layout: FlashLayout, runningSlot: number, digests: DigestFactory, options: FlashOtaPortOptions = {}) {
		this.flash = flash;
		this.layout = layout;
		this.#running = runningSlot;
		this.#digests = digests;
		this.#options = options;
	}

	chip(): OtaChip {
		const c = this.#options.chip ?? SIMULATED_CHIP;
		return { id: c.id, revision: c.revision };
	}

	signatureCheck(): OtaSignatureCheck {
		return this.#options.espIdfSignatureCheck ? "first-block" : "none";
	}

	slots(): OtaSlot[] {
		return this.layout.slots.map((s) => ({ label: s.name, index: s.index, offset: s.offset, size: s.size }));
	}

	running(): OtaSlot {
		return this.#slot(this.#running);
	}

	/** The two otadata entries as they are in flash. */
	otadata(): OtaSelectEntry[] {
		return readOtadata(this.flash, this.layout);
	}

	runningState(): OtaImageState {
		return this.slotState(this.#running);
	}

	slotState(index: number): OtaImageState {
		this.#slot(index);
		const code = slotStateCode(this.otadata(), index, this.layout.slots.length);
		return code === undefined ? "UNDEFINED" : stateName(code);
	}

	bootSlot(): OtaSlot {
		return this.#slot(bootPartition(this.otadata(), this.layout.slots.length));
	}

	read(index: number, offset: number, length: number): Uint8Array {
		const s = this.#slot(index);
		if (offset < 0 || length < 0 || offset + length > s.size) throw new RangeError(`read ${offset}+${length} is outside slot ${index}`);
		return this.flash.read(s.offset + offset, length);
	}

	begin(index: number): OtaSlotWriter {
		this.calls.push(`begin(${index})`);
		const slot = this.#slot(index);
		if (index === this.#running) throw new OtaError("ota_running_slot", `Slot ${slot.label} holds the running firmware; it cannot be overwritten.`);
		if (this.runningState() === "PENDING_VERIFY")
			throw new OtaError("ota_pending_verify", "The running firmware is not confirmed yet (PENDING_VERIFY); no update can start.");
		if (this.#writing) throw new OtaError("ota_busy", "A slot is already being written.");
		this.#writing = true;
		const port = this;
		const flash = this.flash;
		let written = 0;
		let erasedTo = 0; // slot offset up to which sectors are erased
		let open = true;
		const guard = <T>(f: () => T): T => {
			try {
				return f();
			} catch (e) {
				open = false;
				port.#writing = false;
				if (e instanceof OtaError) throw e;
				throw new OtaError("ota_write_failed", `Flash ${e instanceof Error ? e.message : String(e)}`);
			}
		};
		return {
			get written() {
				return written;
			},
			write(chunk: Uint8Array) {
				if (!open) throw new OtaError("ota_write_failed", "The slot writer is closed.");
				if (!chunk.length) return;
				if (written + chunk.length > slot.size) {
					open = false;
					port.#writing = false;
					throw new OtaError("ota_write_failed", `The image does not fit slot ${slot.label} (${slot.size} bytes).`);
				}
				guard(() => {
					// Erase just ahead of the data, sector by sector.
					while (erasedTo < written + chunk.length) {
						flash.eraseSector(slot.offset + erasedTo);
						erasedTo += SECTOR_SIZE;
					}
					flash.write(slot.offset + written, chunk);
				});
				written += chunk.length;
			},
			end() {
				if (!open) throw new OtaError("ota_write_failed", "The slot writer is closed.");
				open = false;
				port.#writing = false;
				port.calls.push(`end(${index})`);
				if (written === 0) throw new OtaError("ota_write_failed", "Nothing was written.");
				const r = port.#verify(index);
				if (!r.ok) throw new OtaError("ota_write_failed", `The image read back from slot ${slot.label} is not valid (${r.error.code}): ${r.error.message}`);
				const check = port.#options.espIdfSignatureCheck;
				const refused = check && port.#signatureRefusal(check, index, r.image.imageLength);
				if (refused) throw new OtaError("ota_no_valid_image", `esp_ota_end refused slot ${slot.label}: ${refused} (ESP_ERR_OTA_VALIDATE_FAILED)`);
			},
			abort() {
				port.calls.push(`abort(${index})`);
				open = false;
				port.#writing = false;
			},
		};
	}

	setBoot(index: number): void {
		this.calls.push(`setBoot(${index})`);
		const slot = this.#slot(index);
		const r = this.#verify(index);
		if (!r.ok) throw new OtaError("ota_no_valid_image", `Slot ${slot.label} holds no valid image (${r.error.code}); it cannot be made the boot slot.`);
		const entries = this.otadata();
		const plan = planSelection(entries, index, this.layout.slots.length);
		// esp_rewrite_ota_data: the entry keeps that sector's seq_label bytes; state NEW (rollback enabled).
		this.#writeEntry(plan.sector, plan.seq, STATE_CODES.NEW, entries[plan.sector].label);
	}

	markValid(): void {
		this.calls.push("markValid()");
		const entries = this.otadata();
		const active = activeEntry(entries);
		if (active === -1)
			throw new OtaError("ota_write_failed", "otadata selects no slot (the running firmware was flashed without otadata); nothing to confirm.");
		if (entries[active].state === STATE_CODES.VALID) return;
		this.#writeEntry(active as 0 | 1, entries[active].seq, STATE_CODES.VALID, entries[active].label);
	}

	/** esp_ota_check_rollback_is_possible: the other entry is valid and its slot holds an image that verifies. */
	rollbackPossible(): boolean {
		const target = rollbackTarget(this.otadata(), this.layout.slots.length);
		return target !== undefined && this.#verify(target).ok;
	}

	markInvalidAndRestart(): void {
		this.calls.push("markInvalidAndRestart()");
		const entries = this.otadata();
		const active = activeEntry(entries);
		if (active === -1 || !this.rollbackPossible()) throw new OtaError("ota_write_failed", "Rollback is not possible: no other slot holds a bootable image.");
		this.#writeEntry(active as 0 | 1, entries[active].seq, STATE_CODES.INVALID, entries[active].label);
		this.#options.onRestart?.("the running firmware marked itself invalid");
	}

	invalidate(index: number): void {
		this.calls.push(`invalidate(${index})`);
		const slot = this.#slot(index);
		if (index === this.#running) throw new OtaError("ota_running_slot", `Slot ${slot.label} holds the running firmware.`);
		try {
			this.flash.eraseSector(slot.offset);
		} catch (e) {
			throw new OtaError("ota_write_failed", `Flash ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	#writeEntry(sector: 0 | 1, seq: number, state: number, label: Uint8Array): void {
		try {
			writeOtadataEntry(this.flash, this.layout, sector, seq, state, label);
		} catch (e) {
			throw new OtaError("ota_write_failed", `otadata update failed: ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	#signatureRefusal(check: NonNullable<FlashOtaPortOptions["espIdfSignatureCheck"]>, index: number, imageLength: number): string | undefined {
		const stored = (i: number, length: number): StoredImage => {
			const s = this.#slot(i);
			return { read: (o, l) => this.flash.read(s.offset + o, Math.min(l, s.size - o)), imageLength: length };
		};
		const running = this.#verify(this.#running);
		if (!running.ok) return "No signatures were found for the running app";
		return check(stored(index, imageLength), stored(this.#running, running.image.imageLength));
	}

	#verify(index: number) {
		const s = this.#slot(index);
		return verifyStoredImage((o, l) => this.flash.read(s.offset + o, l), s.size, this.#digests, this.#options.chip ?? SIMULATED_CHIP);
	}

	#slot(index: number): OtaSlot {
		const s = this.layout.slots.find((x) => x.index === index);
		if (!s) throw new OtaError("ota_no_slot", `There is no OTA slot ${index}.`);
		return { label: s.name, index: s.index, offset: s.offset, size: s.size };
	}
}
