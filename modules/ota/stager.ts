/*
 * Image staging: one upload at a time, from the first byte to a VALID image
 * waiting in the inactive slot, or to INVALID / UPLOAD_ERROR with that slot
 * left unbootable. Staging never changes the boot choice; install() does,
 * and only for a VALID image.
 *
 *   IDLE --begin--> RECEIVING --end (all checks pass)--> VALID --install--> INSTALLED
 *                      |  image_* rejection            -> INVALID
 *                      |  abort / flash failure        -> UPLOAD_ERROR
 *
 * Each chunk goes through the validator first (and its digests); the slot
 * is erased and written only after the first 288 bytes passed the
 * validator's checks, so a wrong chip, identity or version erases nothing.
 * The slot writer erases 4 KiB sectors just ahead of the data.
 */

import type { OtaPort, OtaSlotWriter } from "ports/ota";
import type { DigestFactory } from "ports/digest";
import type { KeyValueStore } from "ports/store";
import type { Clock } from "ports/clock";
import type { Logger } from "ports/log";
import { epochSeconds } from "ports/clock";
import { OtaError, isImageRejection, type OtaErrorCode } from "ota/errors";
import { ImageValidator, type ValidatedImage } from "ota/validator";
import { runningImage } from "ota/slot-info";
import { writePending } from "ota/history";

export type StageState = "IDLE" | "RECEIVING" | "VALID" | "INVALID" | "UPLOAD_ERROR" | "INSTALLED";

export interface StageOptions {
	/** SHA-256 of the whole file, when known; a mismatch rejects the image. */
	expectedSha256?: Uint8Array;
	/** The upload's length (Content-Length), when known: checked against the slot before anything is written. */
	declaredSize?: number;
	/** The owner asked for an older version. */
	allowDowngrade?: boolean;
	allowLowerSecureVersion?: boolean;
}

export interface StageStatus {
	state: StageState;
	/** Target slot while receiving and after. */
	slot?: number;
	received: number;
	image?: ValidatedImage;
	error?: { code: OtaErrorCode; message: string };
}

export interface StagerDeps {
	ota: OtaPort;
	digests: DigestFactory;
	store: KeyValueStore;
	clock: Clock;
	logger?: Logger;
}

export class ImageStager {
	readonly #deps: StagerDeps;
	#state: StageState = "IDLE";
	#slot: number | undefined;
	#validator: ImageValidator | undefined;
	#writer: OtaSlotWriter | undefined;
	#image: ValidatedImage | undefined;
	#error: OtaError | undefined;

	constructor(deps: StagerDeps) {
		this.#deps = deps;
	}

	get state(): StageState {
		return this.#state;
	}

	get status(): StageStatus {
		return {
			state: this.#state,
			slot: this.#slot,
			received: this.#validator ? this.#validator.received : 0,
			image: this.#image,
			error: this.#error ? { code: this.#error.code, message: this.#error.message } : undefined,
		};
	}

	/**
	 * Start receiving an image into the slot that is not running. Throws
	 * ota_busy (an upload is in progress), ota_pending_verify (the running
	 * image is not confirmed yet), ota_no_slot, image_too_large (declared
	 * size), ota_bad_expected_sha256. Nothing is erased yet.
	 */
	begin(options: StageOptions = {}): void {
		const { ota, digests } = this.#deps;
		if (this.#state === "RECEIVING") throw new OtaError("ota_busy", "Another update is being received; wait for it to finish or cancel it.");
		if (ota.runningState() === "PENDING_VERIFY")
			throw new OtaError("ota_pending_verify", "The running firmware was just installed and is still being checked; an update can start once it is confirmed.");
		const running = ota.running().index;
		const target = ota.slots().find((s) => s.index !== running);
		if (!target) throw new OtaError("ota_no_slot", "There is no second firmware slot to receive an update.");
		const me = runningImage(ota);
		const chip = ota.chip();
		let validator: ImageValidator;
		try {
			validator = new ImageValidator({
				digests,
				slotSize: target.size,
				chipId: chip.id,
				chipRevision: chip.revision,
				expectedSha256: options.expectedSha256,
				declaredSize: options.declaredSize,
				running: me.version,
				runningSecureVersion: me.secureVersion,
				allowDowngrade: options.allowDowngrade,
				allowLowerSecureVersion: options.allowLowerSecureVersion,
			});
		} catch (e) {
			// An announced size or expected hash that can never pass: the upload is refused before it starts.
			this.#writer = undefined;
			throw this.#failed(e);
		}
		this.#validator = validator;
		this.#slot = target.index;
		this.#writer = undefined;
		this.#image = undefined;
		this.#error = undefined;
		this.#state = "RECEIVING";
	}

	/** Feed the next chunk (any size). Throws the rejection's OtaError; the state is then INVALID or UPLOAD_ERROR. */
	write(chunk: Uint8Array): void {
		const v = this.#receiving();
		const before = v.received;
		const wasAccepted = v.prefixAccepted;
		try {
			v.write(chunk);
		} catch (e) {
			throw this.#failed(e);
		}
		try {
			// Not yet past the prefix, or refused by the version policy: the slot is not touched,
			// but the file is still checked to its end so its damage, if any, is what the owner hears.
			if (!v.prefixAccepted || v.policyRefusal) return;
			if (!wasAccepted) {
				// The first 288 bytes just passed: only now is the slot touched.
				this.#writer = this.#deps.ota.begin(this.#slot!);
				this.#writer.write(v.prefix);
				const rest = chunk.subarray(v.prefix.length - before);
				if (rest.length) this.#writer.write(rest);
			} else {
				this.#writer!.write(chunk);
			}
		} catch (e) {
			throw this.#failed(e, "ota_write_failed");
		}
	}

	/** The upload is complete: final checks; VALID on success. */
	end(): ValidatedImage {
		const v = this.#receiving();
		let image: ValidatedImage;
		try {
			image = v.end();
		} catch (e) {
			throw this.#failed(e);
		}
		try {
			this.#writer!.end(); // policyRefusal was thrown by v.end() above: a writer exists here
		} catch (e) {
			throw this.#failed(e, "ota_write_failed");
		}
		this.#writer = undefined;
		this.#image = image;
		this.#state = "VALID";
		this.#deps.logger?.log("info", `update ${image.version} staged in slot ${this.#slot} (${image.size} bytes, sha256 ${image.sha256})`);
		return image;
	}

	/** Abandon the upload (client went away, idle timeout): UPLOAD_ERROR, slot left unbootable. */
	abort(reason = "the upload was cancelled"): void {
		if (this.#state !== "RECEIVING") return;
		this.#failed(new OtaError("ota_aborted", `The update was not completed: ${reason}.`));
	}

	/**
	 * Make the staged VALID image the one the next boot starts (otadata ->
	 * slot, state NEW) and remember the install so the next boot can confirm
	 * or explain a rollback. The caller sends its response, then restarts.
	 * Throws ota_no_valid_image or ota_pending_verify.
	 */
	install(): { slot: number; version: string } {
		const { ota, store, clock } = this.#deps;
		if (this.#state !== "VALID" || !this.#image || this.#slot === undefined)
			throw new OtaError("ota_no_valid_image", "There is no complete, validated update to install; upload one first.");
		if (ota.runningState() === "PENDING_VERIFY")
			throw new OtaError("ota_pending_verify", "The running firmware is still being checked after its own install; try again once it is confirmed.");
		const from = runningImage(ota).version;
		writePending(store, { slot: this.#slot, version: this.#image.version, from, time: epochSeconds(clock) });
		ota.setBoot(this.#slot);
		this.#state = "INSTALLED";
		this.#deps.logger?.log("warn", `update ${this.#image.version} installed in slot ${this.#slot}; it starts at the next restart`);
		return { slot: this.#slot, version: this.#image.version };
	}

	/**
	 * Forget the staged or failed image (reset): IDLE. A VALID image that was
	 * not installed is made unbootable, so it cannot be installed by mistake
	 * later. Throws ota_busy while receiving (abort first).
	 */
	discard(): void {
		if (this.#state === "RECEIVING") throw new OtaError("ota_busy", "An update is being received; cancel it first.");
		if (this.#state === "VALID" && this.#slot !== undefined) {
			try {
				this.#deps.ota.invalidate(this.#slot);
			} catch (e) {
				this.#deps.logger?.log("error", `invalidating slot ${this.#slot} failed: ${String(e)}`);
			}
		}
		this.#state = "IDLE";
		this.#validator = undefined;
		this.#image = undefined;
		this.#error = undefined;
		this.#slot = undefined;
	}

	#receiving(): ImageValidator {
		if (this.#state !== "RECEIVING" || !this.#validator) throw new OtaError("ota_not_receiving", "No update is being received; start one first.");
		return this.#validator;
	}

	/** Record a failure, leave the slot unbootable, return the error to throw. */
	#failed(e: unknown, fallback: OtaErrorCode = "ota_write_failed"): OtaError {
		const error = e instanceof OtaError ? e : new OtaError(fallback, `Writing the update to flash failed: ${e instanceof Error ? e.message : String(e)}.`);
		this.#error = error;
		this.#state = isImageRejection(error.code) ? "INVALID" : "UPLOAD_ERROR";
		const writer = this.#writer;
		this.#writer = undefined;
		if (writer) {
			// Something was written: the slot must not hold a bootable half image.
			try {
				writer.abort();
			} catch (err) {
				this.#deps.logger?.log("error", `aborting the slot writer failed: ${String(err)}`);
			}
			try {
				this.#deps.ota.invalidate(this.#slot!);
			} catch (err) {
				this.#deps.logger?.log("error", `invalidating slot ${this.#slot} failed: ${String(err)}`);
			}
		}
		this.#deps.logger?.log("warn", `update refused (${error.code}): ${error.message}`);
		return error;
	}
}
