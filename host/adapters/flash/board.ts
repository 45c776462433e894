/*
 * A simulated board's flash side: the NOR flash, its layout, the simulated
 * bootloader and the OtaPort of the current boot. boot() is a reset: power
 * back, the bootloader picks (and may rewrite otadata), and a fresh OtaPort
 * runs from the chosen slot. Portable: the Node simulator uses it over a
 * file, the firmware suites over memory.
 */

import type { DigestFactory } from "ports/digest";
import type { OtaChip } from "ports/ota";
import { type NorFlash, SECTOR_SIZE } from "./nor-flash";
import type { FlashLayout } from "./layout";
import { simulateBoot, type BootResult } from "./bootloader";
import { FlashOtaPort, type FlashOtaPortOptions } from "./flash-ota-port";
import { SIMULATED_CHIP } from "./verify-stored";

export class FlashBoard {
	readonly flash: NorFlash;
	readonly layout: FlashLayout;
	readonly digests: DigestFactory;
	/** The chip the bootloader and the OtaPort check images against. */
	readonly chip: OtaChip;
	#port: FlashOtaPort | undefined;
	#last: BootResult | undefined;
	boots = 0;
	onRestart: ((reason: string) => void) | undefined;
	/** Set: a board built for signed releases, whose esp_ota_end checks signatures too (FlashOtaPortOptions). */
	readonly espIdfSignatureCheck: FlashOtaPortOptions["espIdfSignatureCheck"];

	constructor(
		flash: NorFlash,
		layout: FlashLayout,
		digests: DigestFactory,
		chip: OtaChip = SIMULATED_CHIP,
		options: Pick<FlashOtaPortOptions, "espIdfSignatureCheck"> = {},
	) {
		this.flash = flash;
		this.layout = layout;
		this.digests = digests;
		this.chip = chip;
		this.espIdfSignatureCheck = options.espIdfSignatureCheck;
	}

	/** The OtaPort of the current boot (boot() first). */
	get port(): FlashOtaPort {
		if (!this.#port) throw new Error("the simulated board has not booted");
		return this.#port;
	}
	get lastBoot(): BootResult | undefined {
		return this.#last;
	}

	/**
	 * Reset: the bootloader chooses a slot; throws when no slot holds a valid
	 * image (a bricked board). A reset does not bring power back: after a
	 * cut injected by a test (NorFlash.cutPowerAfter) the test says when the
	 * power returns (flash.powerOn()); until then the bootloader's own
	 * writes fail too, as code that caught the cut and ran on would on a
	 * board without power. A pending cut spans resets and can land in them.
	 */
	boot(): BootResult {
		const r = simulateBoot(this.flash, this.layout, this.digests, this.chip);
		this.#last = r;
		this.boots++;
		if (r.slot < 0) throw new Error(`no bootable firmware: ${r.log.join("; ")}`);
		this.#port = new FlashOtaPort(this.flash, this.layout, r.slot, this.digests, {
			onRestart: (why) => this.onRestart?.(why),
			chip: this.chip,
			espIdfSignatureCheck: this.espIdfSignatureCheck,
		});
		return r;
	}

	/** Write an image into a slot as a USB flash would (erase + write), leaving otadata alone. */
	flashImage(slotIndex: number, image: Uint8Array): void {
		const s = this.layout.slots.find((x) => x.index === slotIndex);
		if (!s || image.length > s.size) throw new RangeError(`image does not fit slot ${slotIndex}`);
		this.flash.eraseRange(s.offset, Math.ceil(image.length / SECTOR_SIZE) * SECTOR_SIZE);
		this.flash.write(s.offset, image);
	}

	/**
	 * Put the binary partition table at 0x8000 (ESP-IDF's offset) unless the
	 * flash already holds exactly it, so tools that read a board's flash
	 * (parttool, otatool) read this one. Returns true when it wrote.
	 */
	ensurePartitionTable(table: Uint8Array, offset = 0x8000): boolean {
		const current = this.flash.read(offset, table.length);
		if (current.every((b, i) => b === table[i])) return false;
		this.flash.eraseRange(offset, Math.ceil(table.length / SECTOR_SIZE) * SECTOR_SIZE);
		this.flash.write(offset, table);
		return true;
	}

	/** True when slot `index` starts with an image header (the simulator writes its factory image once). */
	slotHasImage(index: number): boolean {
		const s = this.layout.slots.find((x) => x.index === index)!;
		return this.flash.read(s.offset, 1)[0] === 0xe9;
	}
}
