/*
 * OtaPort on the board (and mcsim) over "platform/ota-native", the thin
 * esp_ota_* binding. Translates ESP-IDF error names into OtaError codes;
 * every decision stays in modules/ota.
 */

import * as native from "platform/ota-native";
import type { OtaChip, OtaImageState, OtaPort, OtaSignatureCheck, OtaSlot, OtaSlotWriter } from "ports/ota";
import { OtaError, type OtaErrorCode } from "ota/errors";
import { stateName } from "ota/otadata";
import { frozen } from "util/frozen";

const ESP_ERRORS: Record<string, OtaErrorCode> = frozen({
	ESP_ERR_OTA_PARTITION_CONFLICT: "ota_running_slot",
	ESP_ERR_OTA_ROLLBACK_INVALID_STATE: "ota_pending_verify",
	ESP_ERR_OTA_VALIDATE_FAILED: "ota_no_valid_image",
	ESP_ERR_NOT_FOUND: "ota_no_slot",
	ESP_ERR_NOT_SUPPORTED: "ota_unavailable",
});

function call<T>(what: string, f: () => T): T {
	try {
		return f();
	} catch (e) {
		throw espError(what, e);
	}
}

/** An esp_err thrown by a native ("ESP_ERR_... (0x..) in ...") as the OtaError its name maps to. */
function espError(what: string, e: unknown): OtaError {
	const message = e instanceof Error ? e.message : String(e);
	const name = /^(ESP_[A-Z_]+)/.exec(message);
	const code = (name && ESP_ERRORS[name[1]]) || "ota_write_failed";
	return new OtaError(code, `${what} failed: ${message}`);
}

export class EspOtaPort implements OtaPort {
	#slots: OtaSlot[] | undefined;

	chip(): OtaChip {
		const c = native.chip();
		return { id: c[0], revision: c[1] };
	}

	signatureCheck(): OtaSignatureCheck {
		return native.signatureCheck() === 1 ? "first-block" : "none";
	}

	slots(): OtaSlot[] {
		if (!this.#slots) {
			const out: OtaSlot[] = [];
			for (let i = 0; i < 16; i++) {
				const info = native.slotInfo(i);
				if (!info) break;
				out.push({ label: info[0], index: i, offset: info[1], size: info[2] });
			}
			this.#slots = out;
		}
		return this.#slots;
	}
	running(): OtaSlot {
		return this.#slot(native.running());
	}
	runningState(): OtaImageState {
		return this.slotState(native.running());
	}
	/** Read five times a second (the LED's PENDING_VERIFY signal): no closure, and the message only on failure. @hot */
	slotState(index: number): OtaImageState {
		let code: number;
		try {
			code = native.state(index);
		} catch (e) {
			throw espError("reading the slot state", e);
		}
		return stateName(code);
	}
	bootSlot(): OtaSlot {
		return this.#slot(native.bootSlot());
	}
	read(index: number, offset: number, length: number): Uint8Array {
		return new Uint8Array(call("reading the slot", () => native.read(index, offset, length)));
	}
	begin(index: number): OtaSlotWriter {
		const handle = call("starting the update (esp_ota_begin)", () => native.begin(index));
		let written = 0;
		let open = true;
		return {
			get written() {
				return written;
			},
			write(chunk: Uint8Array) {
				if (!open) throw new OtaError("ota_write_failed", "The slot writer is closed.");
				// No closure per chunk (this runs for every network fragment of an upload).
				try {
					native.write(handle, chunk);
				} catch (e) {
					throw espError("writing the update (esp_ota_write)", e);
				}
				written += chunk.length;
			},
			end() {
				open = false;
				call("finishing the update (esp_ota_end)", () => native.end(handle));
			},
			abort() {
				if (!open) return;
				open = false;
				call("abandoning the update (esp_ota_abort)", () => native.abort(handle));
			},
		};
	}
	setBoot(index: number): void {
		call("switching the boot slot", () => native.setBoot(index));
	}
	markValid(): void {
		call("confirming the running firmware", () => native.markValid());
	}
	markInvalidAndRestart(): void {
		call("rolling back", () => native.markInvalidAndRestart());
	}
	invalidate(index: number): void {
		call("invalidating the slot", () => native.invalidate(index));
	}

	#slot(index: number): OtaSlot {
		const s = this.slots().find((x) => x.index === index);
		if (!s) throw new OtaError("ota_no_slot", `There is no OTA slot ${index}.`);
		return s;
	}
}
