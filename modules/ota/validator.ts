/*
 * Streaming image validator. Feed it the upload chunk by chunk (1 byte to
 * 64 KiB or more; chunks are never copied or kept): it holds only a fixed
 * 288-byte prefix buffer, an 8-byte segment header buffer and a 32-byte
 * hash buffer, so its memory does not grow with the image.
 *
 *  - Prefix (first 288 bytes: header, first segment header, app
 *    descriptor): magic, chip and its revision, segment count, the
 *    descriptor at the start of segment 0, segment 0's placement, identity.
 *    `prefixAccepted` turns true only after these pass; callers erase and
 *    write nothing before that.
 *  - Version policy (downgrade, secure_version): judged with the prefix,
 *    but refused last. `policyRefusal` is set at once so callers write
 *    nothing to flash, and validation goes on, so a damaged older file is
 *    reported for its damage ("bad checksum"), not as "older version".
 *  - Streaming: each segment header (length a multiple of 4, below 16 MiB,
 *    inside the image and the slot; a mapped segment aligned to its MMU
 *    page, a loaded one inside the C6's app RAM), the 0xEF XOR checksum of segment
 *    data, SHA-256 of the whole file, SHA-256 through the checksum byte
 *    when the header says a hash is appended, total size within the slot.
 *  - end(): the image is complete, the appended hash matches, the caller's
 *    expected SHA-256 matches.
 *
 * Every rejection is an OtaError with its own code; after one, every call
 * throws the same error again.
 */

import type { Digest, DigestFactory } from "ports/digest";
import { OtaError } from "ota/errors";
import {
	APPENDED_HASH_LENGTH,
	APP_DESC_LENGTH,
	APP_DESC_MAGIC,
	CHECKSUM_SEED,
	CHIP_ESP32C6,
	IMAGE_HEADER_LENGTH,
	IMAGE_MAGIC,
	IMAGE_PREFIX_LENGTH,
	MAX_SEGMENTS,
	MAX_SEGMENT_LENGTH,
	SEGMENT_HEADER_LENGTH,
	C6_MEMORY,
	checksumPadding,
	chipName,
	chipRevisionName,
	parseAppDescriptor,
	parseImageHeader,
	u32,
	type AppDescriptor,
	type ImageHeader,
} from "ota/image-format";
import { checkIdentity, checkUpgrade, type VersionPolicy } from "ota/version";
import { toHex } from "util/hex";
import { SIG_BLOCK_MAGIC, SIG_SECTOR_SIZE, parseSignatureSector, signatureOffset, verifyBlock } from "ota/signature";

export interface ValidatorOptions extends VersionPolicy {
	digests: DigestFactory;
	/** Bytes available in the target slot. */
	slotSize: number;
	/** The board's chip (image header chip_id); ESP32-C6 by default. */
	chipId?: number;
	/**
	 * The board's chip revision, major * 100 + minor (esp_chip_info), checked
	 * against the header's min/max_chip_rev_full as the bootloader does.
	 * Undefined: not known to the caller, not checked.
	 */
	chipRevision?: number;
	/** SHA-256 of the whole file, when the caller knows it (server metadata, the browser). */
	expectedSha256?: Uint8Array;
	/** The upload's announced length (Content-Length), when known. */
	declaredSize?: number;
	/**
	 * Check the structure only (magic, chip and revision, segments and
	 * their addresses, the app descriptor's presence, checksum, appended
	 * hash), as the bootloader and esp_ota_end do: no identity or version
	 * checks. For images already in flash.
	 */
	structureOnly?: boolean;
	/** Ignore whatever follows the image (a slot's stale bytes past its end). */
	ignoreTrailing?: boolean;
	/**
	 * Key digests (hex, ota/signature) the running firmware trusts: when
	 * any, the image must carry a Secure Boot V2 signature by one of them.
	 * None (a developer build): unsigned images pass; a signature that is
	 * present must still be right.
	 */
	trustedKeys?: readonly string[];
	/**
	 * ESP-IDF checks the signature too, at esp_ota_end (OtaPort
	 * signatureCheck "first-block"): only the image's first block counts,
	 * and it must be by trustedKeys[0]. Without trusted keys nothing can pass.
	 */
	firstBlockOnly?: boolean;
}

export interface ValidatedImage {
	version: string;
	secureVersion: number;
	projectName: string;
	idfVersion: string;
	/** Bytes received (the file). */
	size: number;
	/** Bytes of the image proper: header through checksum, plus the appended hash. */
	imageLength: number;
	segments: number;
	/** SHA-256 of the whole file, lower-case hex. */
	sha256: string;
	/** The appended SHA-256 (checked), when the image has one. */
	appendedHash?: string;
	/** The Secure Boot V2 signature, when the file carries one (verified): the signing keys' digests. */
	signedBy?: string[];
}

// A const enum inlines to numbers: a plain enum would be a module-level object (a preload hazard, docs/preload-hazards.md).
// biome-ignore lint/suspicious/noConstEnum: used only inside this module, so isolated compilation loses nothing.
const enum Phase {
	Header,
	SegmentHeader,
	SegmentData,
	Padding,
	Checksum,
	Hash,
	Trailing,
}

export class ImageValidator {
	readonly #options: ValidatorOptions;
	readonly #prefix = new Uint8Array(IMAGE_PREFIX_LENGTH);
	readonly #views = new WordViews();
	readonly #segHeader = new Uint8Array(SEGMENT_HEADER_LENGTH);
	readonly #hash = new Uint8Array(APPENDED_HASH_LENGTH);
	readonly #fileDigest: Digest;
	#imageDigest: Digest | undefined;
	#received = 0;
	#accepted = false;
	#failure: OtaError | undefined;
	#policy: OtaError | undefined;
	#done: ValidatedImage | undefined;
	#header: ImageHeader | undefined;
	#descriptor: AppDescriptor | undefined;
	#limit: number;
	// Parser state (positions are file offsets).
	#pos = 0;
	#phase = Phase.Header;
	#left = IMAGE_HEADER_LENGTH; // bytes left in the current phase
	#segment = 0;
	#fill = 0;
	#xor = CHECKSUM_SEED;
	#imageEnd = 0;
	#mmuPage: number = C6_MEMORY.defaultMmuPage;
	/** SHA-256 of what a signature covers: the file before the signature sector. */
	#signedDigest: Digest | undefined;
	#sigOffset = Infinity;
	/** The 4 KiB signature sector, allocated only when the file has one. */
	#sigSector: Uint8Array | undefined;
	#sigFill = 0;

	constructor(options: ValidatorOptions) {
		this.#options = options;
		if (options.expectedSha256 !== undefined && options.expectedSha256.length !== 32)
			throw new OtaError("ota_bad_expected_sha256", `The expected SHA-256 must be 32 bytes (64 hex digits), got ${options.expectedSha256.length} bytes.`);
		if (options.declaredSize !== undefined && options.declaredSize > options.slotSize)
			throw new OtaError("image_too_large", `The upload is ${options.declaredSize} bytes; the update slot holds ${options.slotSize}.`);
		this.#limit = options.declaredSize ?? options.slotSize;
		this.#fileDigest = options.digests.sha256();
		if (!options.structureOnly) this.#signedDigest = options.digests.sha256();
	}

	/** Bytes received so far. */
	get received(): number {
		return this.#received;
	}
	/** True once the first 288 bytes passed every check: only then may the slot be erased. */
	get prefixAccepted(): boolean {
		return this.#accepted;
	}
	/** The version policy's refusal, known from the prefix; end() throws it if the file is otherwise sound. */
	get policyRefusal(): OtaError | undefined {
		return this.#policy;
	}
	/** The first 288 bytes (complete once prefixAccepted). */
	get prefix(): Uint8Array {
		return this.#prefix;
	}
	get header(): ImageHeader | undefined {
		return this.#header;
	}
	get descriptor(): AppDescriptor | undefined {
		return this.#descriptor;
	}
	get failure(): OtaError | undefined {
		return this.#failure;
	}
	/** True once the whole image (through the checksum and any appended hash) has been seen. */
	get complete(): boolean {
		return this.#phase === Phase.Trailing;
	}
	/** Bytes this validator keeps between calls (fixed buffers), for the memory benchmark. */
	static readonly retainedBufferBytes = IMAGE_PREFIX_LENGTH + SEGMENT_HEADER_LENGTH + APPENDED_HASH_LENGTH;

	write(chunk: Uint8Array): void {
		if (this.#failure) throw this.#failure;
		if (this.#done) throw this.#fail("image_trailing_data", "The image was already complete; no more bytes were expected.");
		if (!chunk.length) return;
		try {
			this.#write(chunk);
		} catch (e) {
			if (e instanceof OtaError) this.#failure = e;
			throw e;
		}
	}

	/** The upload ended: final checks. Returns what was validated. */
	end(): ValidatedImage {
		if (this.#failure) throw this.#failure;
		if (this.#done) return this.#done;
		try {
			return (this.#done = this.#end());
		} catch (e) {
			if (e instanceof OtaError) this.#failure = e;
			throw e;
		}
	}

	#fail(code: ConstructorParameters<typeof OtaError>[0], message: string): OtaError {
		return (this.#failure = new OtaError(code, message));
	}

	#write(chunk: Uint8Array): void {
		const start = this.#received;
		if (start + chunk.length > this.#options.slotSize)
			throw new OtaError("image_too_large", `The upload is larger than the update slot (${this.#options.slotSize} bytes).`);
		if (this.#options.declaredSize !== undefined && start + chunk.length > this.#options.declaredSize)
			throw new OtaError("image_trailing_data", `The upload is longer than the ${this.#options.declaredSize} bytes it announced.`);
		this.#received += chunk.length;
		this.#fileDigest.write(chunk);
		if (!this.#accepted) {
			const take = Math.min(IMAGE_PREFIX_LENGTH - start, chunk.length);
			this.#prefix.set(chunk.subarray(0, take), start);
			if (start === 0) this.#checkMagic(); // garbage is refused at its first byte
			if (start + take >= IMAGE_PREFIX_LENGTH) {
				this.#checkPrefix();
				this.#accepted = true;
				this.#parse(this.#prefix);
				if (take < chunk.length) this.#parse(chunk.subarray(take));
			}
		} else this.#parse(chunk);
		this.#feedSigned(chunk, start);
	}

	/** Everything before the signature sector goes into the signed digest (its end is known once the image is). */
	#feedSigned(chunk: Uint8Array, start: number): void {
		if (!this.#signedDigest) return;
		const take = Math.min(chunk.length, this.#sigOffset - start);
		if (take <= 0) return;
		this.#signedDigest.write(take === chunk.length ? chunk : chunk.subarray(0, take));
	}

	#checkMagic(): void {
		const m = this.#prefix[0];
		if (m !== IMAGE_MAGIC)
			throw new OtaError("image_bad_magic", `This is not an ESP32 application image: it starts with 0x${m.toString(16).padStart(2, "0")}, not 0xe9.`);
	}

	#checkPrefix(): void {
		const b = this.#prefix;
		this.#checkMagic();
		const h = (this.#header = parseImageHeader(b));
		const chip = this.#options.chipId ?? CHIP_ESP32C6;
		if (h.chipId !== chip) throw new OtaError("image_wrong_chip", `The image is built for ${chipName(h.chipId)}; this board is ${chipName(chip)}.`);
		this.#checkRevision(h);
		if (h.segmentCount === 0) throw new OtaError("image_no_segments", "The image header says it has no segments.");
		if (h.segmentCount > MAX_SEGMENTS)
			throw new OtaError("image_too_many_segments", `The image header says ${h.segmentCount} segments; at most ${MAX_SEGMENTS} are allowed.`);
		if (h.hashAppended > 1) throw new OtaError("image_bad_header", `The image header's hash_appended field is ${h.hashAppended}; it must be 0 or 1.`);
		const firstLength = u32(b, IMAGE_HEADER_LENGTH + 4);
		this.#checkSegmentLength(0, firstLength, IMAGE_HEADER_LENGTH + SEGMENT_HEADER_LENGTH);
		if (h.hashAppended) this.#imageDigest = this.#options.digests.sha256();
		// On the C6 (SOC_MMU_PAGE_SIZE_CONFIGURABLE) the bootloader and esp_ota_end read the
		// MMU page size from the descriptor at the start of segment 0: an image without one fails.
		const d = parseAppDescriptor(b);
		if (firstLength < APP_DESC_LENGTH || d.magic !== APP_DESC_MAGIC)
			throw new OtaError(
				"image_no_app_descriptor",
				"The image has no ESP-IDF app descriptor where one must be (the start of segment 0, offset 0x20), so the bootloader cannot load it and its name and version are unknown.",
			);
		this.#descriptor = d;
		this.#mmuPage = d.mmuPageSizeLog2 > 0 ? 2 ** d.mmuPageSizeLog2 : C6_MEMORY.defaultMmuPage;
		this.#checkPlacement(0, u32(b, IMAGE_HEADER_LENGTH), firstLength, IMAGE_HEADER_LENGTH + SEGMENT_HEADER_LENGTH);
		if (this.#options.structureOnly) return;
		const version = checkIdentity(d);
		try {
			checkUpgrade(version, d.secureVersion, this.#options);
		} catch (e) {
			if (!(e instanceof OtaError)) throw e;
			this.#policy = e; // refused at the end: what is wrong with the file is said first
		}
	}

	/** bootloader_common_check_chip_revision_validity: min <= revision, and revision <= max when max is set. */
	#checkRevision(h: ImageHeader): void {
		const rev = this.#options.chipRevision;
		if (rev === undefined) return;
		if (h.minChipRevFull > rev)
			throw new OtaError(
				"image_chip_revision",
				`The image needs chip revision ${chipRevisionName(h.minChipRevFull)} or newer; this board's chip is ${chipRevisionName(rev)}.`,
			);
		const max = h.maxChipRevFull;
		if (max !== 0 && max !== 0xffff && rev > max)
			throw new OtaError(
				"image_chip_revision",
				`The image supports chip revisions up to ${chipRevisionName(max)}; this board's chip is ${chipRevisionName(rev)}.`,
			);
	}

	/**
	 * Where a segment goes, by the C6's map (ota/image-format C6_MEMORY):
	 * a flash-mapped segment must sit at the same offset within an MMU page
	 * in the file as at its address (verify_segment_header); a segment the
	 * bootloader copies into RAM must lie inside the RAM an app may use
	 * (verify_load_addresses).
	 */
	#checkPlacement(index: number, addr: number, length: number, dataOffset: number): void {
		const m = C6_MEMORY;
		if (addr >= m.mappedLow && addr < m.mappedHigh) {
			const page = this.#mmuPage;
			if (dataOffset % page !== addr % page)
				throw new OtaError(
					"image_segment_misaligned",
					`Segment ${index} is mapped at 0x${hex8(addr)} but its data is at file offset 0x${dataOffset.toString(16)}: the two must agree modulo the ${page / 1024} KiB MMU page.`,
				);
			return;
		}
		if (addr < m.notLoadedBelow || length === 0) return;
		const end = addr + length;
		if (addr >= m.sramLow && end <= m.sramHigh) {
			if (end > m.appSramEnd)
				throw new OtaError(
					"image_bad_load_address",
					`Segment ${index} (0x${hex8(addr)}-0x${hex8(end)}) reaches into the RAM the bootloader uses while it loads the app (from 0x${hex8(m.appSramEnd)}).`,
				);
			return;
		}
		if (addr >= m.lpLow && end <= m.lpHigh) return;
		throw new OtaError("image_bad_load_address", `Segment ${index} would be loaded at 0x${hex8(addr)}-0x${hex8(end)}, outside the ESP32-C6's RAM.`);
	}

	#checkSegmentLength(index: number, length: number, dataStart: number): void {
		if (length % 4 !== 0 || length >= MAX_SEGMENT_LENGTH)
			throw new OtaError("image_bad_segment_length", `Segment ${index} claims ${length} bytes; a segment length must be a multiple of 4 and below 16 MiB.`);
		if (dataStart + length > this.#limit)
			throw new OtaError(
				"image_segment_past_end",
				`Segment ${index} (${length} bytes at offset ${dataStart}) ends past the end of the ${this.#options.declaredSize !== undefined ? "upload" : "update slot"} (${this.#limit} bytes).`,
			);
	}

	/** Walk the image structure over `data` (the bytes at file offset this.#pos). */
	#parse(data: Uint8Array): void {
		let i = 0;
		const n = data.length;
		while (i < n) {
			switch (this.#phase) {
				case Phase.Header: {
					const take = Math.min(this.#left, n - i);
					this.#advanceHashed(data, i, take);
					i += take;
					if ((this.#left -= take) === 0) this.#enterSegmentHeader();
					break;
				}
				case Phase.SegmentHeader: {
					const take = Math.min(SEGMENT_HEADER_LENGTH - this.#fill, n - i);
					this.#segHeader.set(data.subarray(i, i + take), this.#fill);
					this.#advanceHashed(data, i, take);
					i += take;
					this.#fill += take;
					if (this.#fill === SEGMENT_HEADER_LENGTH) {
						const length = u32(this.#segHeader, 4);
						this.#checkSegmentLength(this.#segment, length, this.#pos);
						this.#checkPlacement(this.#segment, u32(this.#segHeader, 0), length, this.#pos);
						this.#left = length;
						this.#phase = Phase.SegmentData;
						if (length === 0) this.#endSegment();
					}
					break;
				}
				case Phase.SegmentData: {
					const take = Math.min(this.#left, n - i);
					this.#xor ^= xorFold(data, i, take, this.#views);
					this.#advanceHashed(data, i, take);
					i += take;
					if ((this.#left -= take) === 0) this.#endSegment();
					break;
				}
				case Phase.Padding: {
					const take = Math.min(this.#left, n - i);
					this.#advanceHashed(data, i, take);
					i += take;
					if ((this.#left -= take) === 0) this.#phase = Phase.Checksum;
					break;
				}
				case Phase.Checksum: {
					const stored = data[i];
					const computed = this.#xor & 255;
					this.#advanceHashed(data, i, 1);
					i += 1;
					if (stored !== computed)
						throw new OtaError(
							"image_bad_checksum",
							`The image checksum is 0x${hex2(stored)} but its segments add up to 0x${hex2(computed)}: the file is damaged.`,
						);
					if (this.#imageDigest) {
						this.#phase = Phase.Hash;
						this.#fill = 0;
					} else this.#imageComplete();
					break;
				}
				case Phase.Hash: {
					const take = Math.min(APPENDED_HASH_LENGTH - this.#fill, n - i);
					this.#hash.set(data.subarray(i, i + take), this.#fill);
					this.#fill += take;
					this.#pos += take;
					i += take;
					if (this.#fill === APPENDED_HASH_LENGTH) {
						const computed = this.#imageDigest!.close();
						if (!sameBytes(computed, this.#hash))
							throw new OtaError("image_bad_appended_hash", "The SHA-256 appended to the image does not match its contents: the file is damaged.");
						this.#imageComplete();
					}
					break;
				}
				case Phase.Trailing: {
					if (this.#options.ignoreTrailing) {
						this.#pos += n - i;
						i = n;
						break;
					}
					for (; i < n; i++, this.#pos++) {
						const sigAt = this.#pos - this.#sigOffset;
						if (sigAt >= 0 && sigAt < SIG_SECTOR_SIZE && (this.#sigSector || (sigAt === 0 && data[i] === SIG_BLOCK_MAGIC))) {
							// The Secure Boot V2 signature sector, at the first 4 KiB boundary after the image.
							this.#sigSector ??= new Uint8Array(SIG_SECTOR_SIZE);
							this.#sigSector[this.#sigFill++] = data[i];
							continue;
						}
						if (data[i] === SIG_BLOCK_MAGIC && !this.#sigSector && this.#pos % 16 === 0)
							throw new OtaError(
								"image_bad_signature_block",
								`A signature block starts at offset ${this.#pos}, not at the 4 KiB boundary after the image (${this.#sigOffset}) where the bootloader reads it.`,
							);
						if (data[i] !== 0xff)
							throw new OtaError(
								"image_trailing_data",
								`Unexpected data after the end of the image (offset ${this.#pos}); only 0xFF padding and a signature sector at offset ${this.#sigOffset} may follow it.`,
							);
					}
					break;
				}
			}
		}
	}

	#imageComplete(): void {
		this.#phase = Phase.Trailing;
		this.#imageEnd = this.#pos;
		this.#sigOffset = signatureOffset(this.#pos);
	}

	/** The signature rule (ValidatorOptions.trustedKeys): the signing keys' digests, or a refusal. */
	#judgeSignature(): string[] | undefined {
		const trusted = this.#options.trustedKeys ?? [];
		const firstBlockOnly = this.#options.firstBlockOnly === true;
		if (firstBlockOnly && !trusted.length)
			throw new OtaError(
				"image_untrusted_key",
				"This firmware was built for signed releases, so ESP-IDF accepts only updates signed by the key of the running image, but the running image carries no signature: no update can be installed over the air. Flash a signed build over USB.",
			);
		const sector = this.#sigSector;
		if (!sector) {
			if (trusted.length)
				throw new OtaError("image_unsigned", "The image is not signed, and this board accepts only images signed by the keys its firmware was signed with.");
			return undefined;
		}
		if (this.#sigFill < SIG_SECTOR_SIZE)
			throw new OtaError("image_bad_signature_block", `The signature sector was cut short (${this.#sigFill} of ${SIG_SECTOR_SIZE} bytes).`);
		const { digests } = this.#options;
		const blocks = parseSignatureSector(sector, digests);
		const signed = this.#signedDigest!.close();
		const candidates = firstBlockOnly
			? blocks.slice(0, 1).filter((b) => b.keyDigest === trusted[0])
			: trusted.length
				? blocks.filter((b) => trusted.includes(b.keyDigest))
				: blocks;
		if (firstBlockOnly && !candidates.length && blocks.some((b) => b.keyDigest === trusted[0]))
			throw new OtaError(
				"image_untrusted_key",
				`The image's first signature block is by ${blocks[0].keyDigest.slice(0, 16)}…; ESP-IDF on this board checks only the first block, against the key ${trusted[0].slice(0, 16)}… that signed the running firmware. Sign with that key first.`,
			);
		if (!candidates.length)
			throw new OtaError(
				"image_untrusted_key",
				`The image is signed by ${blocks.map((b) => b.keyDigest.slice(0, 16)).join(", ")}…, a key this board does not trust (it trusts ${trusted.map((k) => k.slice(0, 16)).join(", ")}…).`,
			);
		for (const b of candidates) {
			if (!sameBytes(b.imageDigest, signed))
				throw new OtaError("image_bad_signature", `Signature block ${b.index + 1} signs another image (its SHA-256 does not match this file's).`);
			if (!verifyBlock(b, signed, digests))
				throw new OtaError(
					"image_bad_signature",
					`Signature block ${b.index + 1} does not verify with the key it carries: the image was changed after signing, or the block is forged.`,
				);
		}
		return blocks.map((b) => b.keyDigest);
	}

	#advanceHashed(data: Uint8Array, at: number, length: number): void {
		if (this.#imageDigest && length) this.#imageDigest.write(at === 0 && length === data.length ? data : data.subarray(at, at + length));
		this.#pos += length;
	}

	#enterSegmentHeader(): void {
		this.#phase = Phase.SegmentHeader;
		this.#fill = 0;
	}

	#endSegment(): void {
		this.#segment++;
		if (this.#segment < this.#header!.segmentCount) {
			this.#enterSegmentHeader();
			return;
		}
		this.#left = checksumPadding(this.#pos);
		this.#phase = this.#left ? Phase.Padding : Phase.Checksum;
	}

	#end(): ValidatedImage {
		const n = this.#received;
		if (n === 0) throw new OtaError("image_empty", "The upload was empty.");
		if (!this.#accepted) {
			this.#checkMagic();
			throw new OtaError(
				"image_truncated_header",
				`The upload ended after ${n} bytes, before the image header and app descriptor (${IMAGE_PREFIX_LENGTH} bytes) were complete.`,
			);
		}
		if (this.#phase !== Phase.Trailing)
			throw new OtaError(
				"image_truncated",
				`The upload ended after ${n} bytes, in the middle of the image (${phaseName(this.#phase)} of segment ${Math.min(this.#segment, this.#header!.segmentCount - 1)}).`,
			);
		if (this.#options.declaredSize !== undefined && n !== this.#options.declaredSize)
			throw new OtaError("image_truncated", `The upload announced ${this.#options.declaredSize} bytes but ended after ${n}.`);
		const sha = this.#fileDigest.close();
		const expected = this.#options.expectedSha256;
		if (expected && !sameBytes(sha, expected))
			throw new OtaError(
				"image_sha256_mismatch",
				`The file's SHA-256 is ${toHex(sha)}, not the expected ${toHex(expected)}: it was damaged or is a different file.`,
			);
		const signedBy = this.#options.structureOnly ? undefined : this.#judgeSignature();
		if (this.#policy) throw this.#policy;
		const d = this.#descriptor;
		return {
			version: d ? d.version : "",
			secureVersion: d ? d.secureVersion : 0,
			projectName: d ? d.projectName : "",
			idfVersion: d ? d.idfVersion : "",
			size: n,
			imageLength: this.#imageEnd,
			segments: this.#header!.segmentCount,
			sha256: toHex(sha),
			appendedHash: this.#imageDigest ? toHex(this.#hash) : undefined,
			signedBy,
		};
	}
}

function phaseName(p: Phase): string {
	return p === Phase.SegmentHeader ? "the header" : p === Phase.SegmentData ? "the data" : p === Phase.Hash ? "the appended hash" : "the checksum";
}

function hex8(n: number): string {
	return n.toString(16).padStart(8, "0");
}

function hex2(n: number): string {
	return n.toString(16).padStart(2, "0");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}

/**
 * A 32-bit view of the last buffer seen: the server reads every body piece
 * into the same buffer, so one view serves the whole upload instead of a
 * new Int32Array per chunk.
 */
export class WordViews {
	#buffer: ArrayBufferLike | undefined;
	#words: Int32Array | undefined;
	of(buffer: ArrayBufferLike): Int32Array {
		if (buffer !== this.#buffer) {
			this.#buffer = buffer;
			this.#words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
		}
		return this.#words!;
	}
}

/** XOR of data[at .. at+length), folded to one byte (in 32-bit words where aligned). */
export function xorFold(data: Uint8Array, at: number, length: number, views: WordViews = new WordViews()): number {
	let x = 0,
		i = at;
	const end = at + length;
	while (i < end && (data.byteOffset + i) & 3) x ^= data[i++];
	const words = (end - i) >> 2;
	if (words > 8) {
		const w = views.of(data.buffer);
		const from = (data.byteOffset + i) >> 2;
		let acc = 0;
		for (let k = from, to = from + words; k < to; k++) acc ^= w[k];
		x ^= acc ^ (acc >>> 8) ^ (acc >>> 16) ^ (acc >>> 24);
		i += words << 2;
	}
	while (i < end) x ^= data[i++];
	return x & 255;
}
