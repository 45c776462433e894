/*
 * A raw flash data partition ("ohxdata" in partitions.csv) with NOR
 * semantics: erase sets a whole sector to 0xFF, write can only clear bits.
 * Device: Moddable's `flash` module over esp_partition_*; simulator: the
 * partition's range inside the simulated flash file; tests: a memory fake
 * that enforces the same rules.
 */

export const FLASH_SECTOR_SIZE = 4096;

export interface PartitionPort {
	/** Bytes in the partition (a multiple of sectorSize). */
	readonly size: number;
	readonly sectorSize: number;
	read(offset: number, length: number): Uint8Array;
	/** Program bytes (bits only go 1 -> 0). Throws RangeError outside the partition. */
	write(offset: number, bytes: Uint8Array): void;
	/** Erase one sector (index, not offset) to 0xFF. */
	erase(sector: number): void;
}
