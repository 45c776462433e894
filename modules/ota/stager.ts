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
 *
 * A VALID image survives a restart: end() keeps what it is in the store
 * (ota/staged: slot, size, SHA-256, version, the caller's id), and
 * restoreStaged() at boot reads the slot again through a full validator
 * with that SHA-256 expected. Whatever no longer verifies (the slot was
 * overwritten, a newer firmware now runs, the bytes decayed) is dropped,
 * with a log line. Any other outcome (a new upload, install, discard, a
 * failure) forgets the record.
 */

import type { OtaPort, OtaSlotWriter } from "ports/ota";
import type { DigestFactory } from "ports/digest";
import type { KeyValueStore } from "ports/store";
import type { Clock } from "ports/clock";
import type { Logger } from "ports/log";
import { epochSeconds } from "ports/clock";
import { OtaError, isImageRejection, type OtaErrorCode } from "ota/errors";
import { ImageValidator, type ValidatedImage, type ValidatorOptions } from "ota/validator";
import { runningImage, slotSigners } from "ota/slot-info";
import { writePending } from "ota/history";
import { fromHex } from "util/hex";

export const STAGED_DOMAIN = "ota";
export const STAGED_KEY = "staged";

/** What the store keeps of a VALID image, to find and re-verify it after a restart. */
export interface StagedRecord {
	slot: number;
	size: number;
	sha256: string;
	version: string;
	/** The caller's name for it (the update service's image id). */
	id?: number;
	allowDowngrade?: boolean;
	allowLowerSecureVersion?: boolean;
}

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
	#policy: Pick<StageOptions, "allowDowngrade" | "allowLowerSecureVersion"> = {};
	#trusted: readonly string[] | undefined;

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
		const { ota } = this.#deps;
		if (this.#state === "RECEIVING") throw new OtaError("ota_busy", "Another update is being received; wait for it to finish or cancel it.");
		if (ota.runningState() === "PENDING_VERIFY")
			throw new OtaError("ota_pending_verify", "The running firmware was just installed and is still being checked; an update can start once it is confirmed.");
		const running = ota.running().index;
		const target = ota.slots().find((s) => s.index !== running);
		if (!target) throw new OtaError("ota_no_slot", "There is no second firmware slot to receive an update.");
		let validator: ImageValidator;
		try {
			validator = new ImageValidator({
				...this.#validatorOptions(target.size),
				expectedSha256: options.expectedSha256,
				declaredSize: options.declaredSize,
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
		this.#policy = { allowDowngrade: options.allowDowngrade, allowLowerSecureVersion: options.allowLowerSecureVersion };
		this.#state = "RECEIVING";
		this.#forgetStaged();
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

	/** The upload is complete: final checks; VALID on success, and kept across a restart under `id`. */
	end(id?: number): ValidatedImage {
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
		this.#keepStaged({ slot: this.#slot!, size: image.size, sha256: image.sha256, version: image.version, id, ...this.#policy });
		this.#deps.logger?.log("info", `update ${image.version} staged in slot ${this.#slot} (${image.size} bytes, sha256 ${image.sha256})`);
		return image;
	}

	/**
	 * The key digests uploads must be signed by: those that signed the
	 * running image (read once per boot). None: a developer build, which
	 * accepts unsigned images (and says so in /api/status).
	 */
	trustedKeys(): readonly string[] {
		if (!this.#trusted) {
			const { ota, digests } = this.#deps;
			const signers = slotSigners(ota, ota.running().index, digests);
			// ESP-IDF's own check (first-block) trusts only the running image's first key.
			this.#trusted = this.espIdfVerifies ? signers.slice(0, 1) : signers;
		}
		return this.#trusted;
	}

	/** ESP-IDF checks signatures too (OtaPort signatureCheck): only the first block counts. */
	get espIdfVerifies(): boolean {
		return this.#deps.ota.signatureCheck() === "first-block";
	}

	/** The options every validation of an upload or of the staged image shares. */
	#validatorOptions(slotSize: number): ValidatorOptions {
		const { ota, digests } = this.#deps;
		const me = runningImage(ota);
		const chip = ota.chip();
		return {
			digests,
			slotSize,
			chipId: chip.id,
			chipRevision: chip.revision,
			running: me.version,
			runningSecureVersion: me.secureVersion,
			trustedKeys: this.trustedKeys(),
			firstBlockOnly: this.espIdfVerifies,
		};
	}

	/**
	 * At boot: bring back the VALID image the store remembers, if its slot
	 * still holds exactly it and it still passes every check (identity,
	 * version policy against what runs now, chip, structure, SHA-256). Reads
	 * the slot 4 KiB at a time. Returns it with the caller's id, or
	 * undefined (nothing kept, or dropped with a log line).
	 */
	restoreStaged(): { image: ValidatedImage; id?: number } | undefined {
		const { ota, store, logger } = this.#deps;
		if (this.#state !== "IDLE") return undefined;
		const record = readStaged(store);
		if (!record) return undefined;
		const drop = (why: string) => {
			logger?.log("warn", `the staged update ${record.version} was dropped: ${why}`);
			this.#forgetStaged();
			return undefined;
		};
		const slot = ota.slots().find((s) => s.index === record.slot);
		if (!slot) return drop(`its slot ${record.slot} does not exist`);
		if (slot.index === ota.running().index) return drop("its slot is the running one now");
		if (record.size > slot.size) return drop("it is larger than its slot");
		const expected = fromHex(record.sha256);
		if (expected?.length !== 32) return drop("its record is damaged");
		let image: ValidatedImage;
		try {
			const v = new ImageValidator({
				...this.#validatorOptions(slot.size),
				expectedSha256: expected,
				declaredSize: record.size,
				allowDowngrade: record.allowDowngrade,
				allowLowerSecureVersion: record.allowLowerSecureVersion,
			});
			for (let at = 0; at < record.size; at += 4096) v.write(ota.read(slot.index, at, Math.min(4096, record.size - at)));
			image = v.end();
		} catch (e) {
			if (e instanceof OtaError) return drop(`it no longer verifies (${e.code}): ${e.message}`);
			throw e;
		}
		this.#slot = slot.index;
		this.#image = image;
		this.#policy = { allowDowngrade: record.allowDowngrade, allowLowerSecureVersion: record.allowLowerSecureVersion };
		this.#state = "VALID";
		logger?.log("info", `update ${image.version} is still staged in slot ${slot.index} (verified again after the restart)`);
		return { image, id: record.id };
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
		this.#forgetStaged();
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
		this.#forgetStaged();
	}

	#keepStaged(record: StagedRecord): void {
		try {
			this.#deps.store.set(STAGED_DOMAIN, STAGED_KEY, JSON.stringify(record));
		} catch (e) {
			// The image stays VALID for this boot; only its survival of a restart is lost.
			this.#deps.logger?.log("error", `the staged update could not be remembered: ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	#forgetStaged(): void {
		try {
			if (this.#deps.store.get(STAGED_DOMAIN, STAGED_KEY) !== undefined) this.#deps.store.delete(STAGED_DOMAIN, STAGED_KEY);
		} catch (e) {
			this.#deps.logger?.log("error", `forgetting the staged update failed: ${e instanceof Error ? e.message : String(e)}`);
		}
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
		this.#forgetStaged();
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

/** The stored record of a staged image, or undefined when there is none or it is damaged. */
export function readStaged(store: KeyValueStore): StagedRecord | undefined {
	const v = store.get(STAGED_DOMAIN, STAGED_KEY);
	if (typeof v !== "string") return undefined;
	try {
		const r = JSON.parse(v) as StagedRecord;
		return r && typeof r.slot === "number" && typeof r.size === "number" && typeof r.sha256 === "string" && typeof r.version === "string" ? r : undefined;
	} catch {
		return undefined;
	}
}
