/*
 * A NOR flash model with the rules a real SPI flash enforces:
 *   - erase works on whole 4 KiB sectors and sets every bit to 1 (0xFF);
 *   - a write can only clear bits (new = old AND data); asking a write to
 *     turn a 0 bit into 1 is a bug in the caller, so it throws
 *     FlashRuleError (real flash would silently keep the 0);
 *   - a power cut stops an operation part-way: a cut write leaves the bytes
 *     before the cut written, a cut erase leaves a partly erased sector.
 *
 * Portable (no Node API): the backing store is a FlashStorage, memory here
 * and a 4 MB file in ./file-storage.ts. Counters and an operation log let
 * tests see what was erased and written.
 */

export const SECTOR_SIZE = 0x1000;

/** Where the bytes live. */
export interface FlashStorage {
	readonly size: number;
	read(offset: number, length: number): Uint8Array;
	write(offset: number, data: Uint8Array): void;
}

export class MemoryFlashStorage implements FlashStorage {
	readonly bytes: Uint8Array;
	constructor(size: number, from?: Uint8Array) {
		this.bytes = from ? from.slice() : new Uint8Array(size).fill(0xff);
	}
	get size(): number {
		return this.bytes.length;
	}
	read(offset: number, length: number): Uint8Array {
		return this.bytes.slice(offset, offset + length);
	}
	write(offset: number, data: Uint8Array): void {
		this.bytes.set(data, offset);
	}
}

/** The write broke a NOR rule (a 0 bit written as 1 without an erase, or out of range). */
export class FlashRuleError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "FlashRuleError";
	}
}

/** The simulated power went away during (or before) this operation. */
export class PowerCutError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "PowerCutError";
	}
}

export interface FlashOp {
	kind: "erase" | "write";
	offset: number;
	length: number;
	/** True when a power cut stopped it part-way. */
	torn?: boolean;
}

export class NorFlash {
	readonly storage: FlashStorage;
	/** Every erase and write, in order (cleared by clearLog()). */
	readonly log: FlashOp[] = [];
	erasedSectors = 0;
	bytesWritten = 0;
	#budget: number | undefined;
	#dead = false;
	#logOps: boolean;

	constructor(storage: FlashStorage, options: { logOps?: boolean } = {}) {
		this.storage = storage;
		this.#logOps = options.logOps ?? true;
	}

	get size(): number {
		return this.storage.size;
	}
	/** True after a power cut, until powerOn(). */
	get powerLost(): boolean {
		return this.#dead;
	}
	/** Units (bytes written + sectors erased) since the counters started. */
	get units(): number {
		return this.bytesWritten + this.erasedSectors;
	}

	/**
	 * Power-cut injection: the flash fails after `units` more units of work,
	 * where one byte written or one sector erased is one unit. The operation
	 * that crosses the budget is torn and throws PowerCutError; every later
	 * operation throws too, until powerOn().
	 */
	cutPowerAfter(units: number): void {
		this.#budget = units;
	}
	/** Power back (a reboot): no budget, operations work again. */
	powerOn(): void {
		this.#budget = undefined;
		this.#dead = false;
	}
	clearLog(): void {
		this.log.length = 0;
	}

	read(offset: number, length: number): Uint8Array {
		this.#range(offset, length);
		return this.storage.read(offset, length);
	}

	/**
	 * Work of another user of the same chip that is atomic by its own design
	 * (an NVS entry write: a torn one is discarded at the next mount): it
	 * costs `units` of the power-cut budget and either completes or, when
	 * the budget runs out inside it, does not happen and the power is gone.
	 */
	atomicWork(units: number, what: string): void {
		this.#alive();
		if (this.#budget !== undefined && this.#budget < units) throw this.#cut(`power lost during ${what}`);
		if (this.#budget !== undefined) this.#budget -= units;
		this.bytesWritten += units;
	}

	eraseSector(offset: number): void {
		this.#alive();
		if (offset % SECTOR_SIZE) throw new FlashRuleError(`erase at 0x${offset.toString(16)} is not on a 4 KiB sector boundary`);
		this.#range(offset, SECTOR_SIZE);
		if (this.#budget !== undefined && this.#budget <= 0) {
			// Torn erase: the first half of the sector reads erased, the rest keeps stale data.
			this.storage.write(offset, new Uint8Array(SECTOR_SIZE / 2).fill(0xff));
			this.#record({ kind: "erase", offset, length: SECTOR_SIZE, torn: true });
			throw this.#cut(`power lost while erasing the sector at 0x${offset.toString(16)}`);
		}
		this.storage.write(offset, new Uint8Array(SECTOR_SIZE).fill(0xff));
		this.erasedSectors++;
		if (this.#budget !== undefined) this.#budget--;
		this.#record({ kind: "erase", offset, length: SECTOR_SIZE });
	}

	eraseRange(offset: number, length: number): void {
		if (length % SECTOR_SIZE) throw new FlashRuleError(`erase length ${length} is not a whole number of sectors`);
		for (let at = offset; at < offset + length; at += SECTOR_SIZE) this.eraseSector(at);
	}

	write(offset: number, data: Uint8Array): void {
		this.#alive();
		this.#range(offset, data.length);
		const old = this.storage.read(offset, data.length);
		for (let i = 0; i < data.length; i++) {
			if ((old[i] & data[i]) !== data[i])
				throw new FlashRuleError(
					`write at 0x${(offset + i).toString(16)} would turn 0 bits into 1 (0x${old[i].toString(16)} -> 0x${data[i].toString(16)}) without an erase`,
				);
		}
		let n = data.length;
		let torn = false;
		if (this.#budget !== undefined && this.#budget < n) {
			n = Math.max(0, this.#budget);
			torn = true;
		}
		if (n) {
			const merged = new Uint8Array(n);
			for (let i = 0; i < n; i++) merged[i] = old[i] & data[i];
			this.storage.write(offset, merged);
		}
		this.bytesWritten += n;
		if (this.#budget !== undefined) this.#budget -= n;
		this.#record({ kind: "write", offset, length: n, torn: torn || undefined });
		if (torn) throw this.#cut(`power lost after ${n} of ${data.length} bytes written at 0x${offset.toString(16)}`);
	}

	#record(op: FlashOp): void {
		if (this.#logOps) this.log.push(op);
	}

	#cut(message: string): PowerCutError {
		this.#dead = true;
		return new PowerCutError(message);
	}

	#alive(): void {
		if (this.#dead) throw new PowerCutError("the flash has no power");
	}

	#range(offset: number, length: number): void {
		if (offset < 0 || length < 0 || offset + length > this.storage.size)
			throw new FlashRuleError(`access 0x${offset.toString(16)}+${length} is outside the ${this.storage.size}-byte flash`);
	}
}
