/*
 * The event log's flash format in the "ohxdata" partition, wear-friendly:
 * a ring of sectors, appended to, each erased only when the ring comes
 * back to it.
 *
 *   sector:  header  "OHXL" (4 bytes) + sequence number u32 LE (4 bytes)
 *            records, back to back, then 0xFF up to the end of the sector
 *   record:  length u16 LE (1..SECTOR-8-3, 0xFFFF = free space from here)
 *            check u8 = 0xA5 XOR every payload byte
 *            payload: one entry as UTF-8 JSON
 *
 * A record never spans sectors. The sector with the highest sequence is the
 * head; appending moves to the next sector (erasing it, sequence + 1) when
 * a record does not fit. A record cut by a power loss fails its check and
 * is skipped on reading; appending resumes after it. Clearing erases the
 * used sectors and starts a new head whose sequence continues, so the
 * numbering never goes back.
 */

import type { PartitionPort } from "ports/partition";
import { utf8Decode, utf8Encode } from "util/utf8";
import { frozen } from "util/frozen";

const MAGIC = frozen([0x4f, 0x48, 0x58, 0x4c]); // "OHXL"
const SECTOR_HEADER = 8;
const RECORD_HEADER = 3;
const FREE = 0xffff;

function u32(b: Uint8Array, at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function check(payload: Uint8Array): number {
	let c = 0xa5;
	for (let i = 0; i < payload.length; i++) c ^= payload[i];
	return c;
}

export interface FlashLogStats {
	sectors: number;
	sectorSize: number;
	head: number;
	headSequence: number;
	/** Bytes used in the head sector. */
	headUsed: number;
	/** Sector erases done by this instance (wear). */
	erases: number;
	/** Records skipped because their check failed (power cut while writing). */
	damaged: number;
}

export class FlashLog {
	readonly #p: PartitionPort;
	readonly #sectors: number;
	#head = 0;
	#seq = 0;
	#used = SECTOR_HEADER;
	#erases = 0;
	#damaged = 0;

	constructor(partition: PartitionPort) {
		this.#p = partition;
		this.#sectors = Math.floor(partition.size / partition.sectorSize);
		if (this.#sectors < 2) throw new RangeError("the log partition needs at least 2 sectors");
		this.#mount();
	}

	/** Largest payload one record can carry. */
	get maxPayload(): number {
		return this.#p.sectorSize - SECTOR_HEADER - RECORD_HEADER;
	}

	stats(): FlashLogStats {
		return {
			sectors: this.#sectors,
			sectorSize: this.#p.sectorSize,
			head: this.#head,
			headSequence: this.#seq,
			headUsed: this.#used,
			erases: this.#erases,
			damaged: this.#damaged,
		};
	}

	/** Append one record. Throws RangeError when the payload is larger than maxPayload. */
	append(text: string): void {
		const payload = utf8Encode(text);
		if (payload.length === 0 || payload.length > this.maxPayload) throw new RangeError(`a log record holds 1..${this.maxPayload} bytes, not ${payload.length}`);
		if (this.#used + RECORD_HEADER + payload.length > this.#p.sectorSize) this.#advance();
		const rec = new Uint8Array(RECORD_HEADER + payload.length);
		rec[0] = payload.length & 0xff;
		rec[1] = payload.length >> 8;
		rec[2] = check(payload);
		rec.set(payload, RECORD_HEADER);
		this.#p.write(this.#head * this.#p.sectorSize + this.#used, rec);
		this.#used += rec.length;
	}

	/** Every readable record, oldest first. */
	forEach(visit: (text: string) => void): void {
		for (const sector of this.#order()) this.#scan(sector, (payload) => visit(utf8Decode(payload)));
	}

	/** Every readable record, oldest first, with the location readAt() takes. */
	forEachRecord(visit: (location: number, payload: Uint8Array) => void): void {
		const size = this.#p.sectorSize;
		for (const sector of this.#order()) this.#scan(sector, (payload, at) => visit(sector * size + at, payload));
	}

	/** The record at a location forEachRecord() gave; undefined when it is no longer there (erased, damaged). */
	readAt(location: number): string | undefined {
		const size = this.#p.sectorSize;
		if (location < 0 || location % size < SECTOR_HEADER || location >= this.#sectors * size) return undefined;
		const head = this.#p.read(location, RECORD_HEADER);
		const len = head[0] | (head[1] << 8);
		if (len === FREE || len === 0 || (location % size) + RECORD_HEADER + len > size) return undefined;
		const payload = this.#p.read(location + RECORD_HEADER, len);
		return check(payload) === head[2] ? utf8Decode(payload) : undefined;
	}

	/** Erase what is used and start over (the sequence keeps counting). */
	clear(): void {
		const used = this.#order();
		for (const s of used) this.#erase(s);
		if (!used.includes(0)) this.#erase(0);
		this.#head = 0;
		this.#startSector(0, this.#seq + 1);
	}

	#mount(): void {
		let best = -1,
			bestSeq = 0;
		for (let s = 0; s < this.#sectors; s++) {
			const seq = this.#sequenceOf(s);
			if (seq !== undefined && (best < 0 || seq > bestSeq)) {
				best = s;
				bestSeq = seq;
			}
		}
		if (best < 0) {
			this.#erase(0);
			this.#startSector(0, 1);
			return;
		}
		this.#head = best;
		this.#seq = bestSeq;
		this.#used = this.#scan(best, () => {
			/* counting only */
		});
	}

	/** Sectors holding a header, by sequence (oldest first). */
	#order(): number[] {
		const found: { s: number; seq: number }[] = [];
		for (let s = 0; s < this.#sectors; s++) {
			const seq = this.#sequenceOf(s);
			if (seq !== undefined) found.push({ s, seq });
		}
		return found.sort((a, b) => a.seq - b.seq).map((f) => f.s);
	}

	#sequenceOf(sector: number): number | undefined {
		const h = this.#p.read(sector * this.#p.sectorSize, SECTOR_HEADER);
		for (let i = 0; i < 4; i++) if (h[i] !== MAGIC[i]) return undefined;
		const seq = u32(h, 4);
		return seq === 0xffffffff ? undefined : seq;
	}

	/** Visit valid payloads of a sector; returns the offset where free space starts. */
	#scan(sector: number, visit: (payload: Uint8Array, at: number) => void): number {
		const size = this.#p.sectorSize;
		const bytes = this.#p.read(sector * size, size);
		let at = SECTOR_HEADER;
		while (at + RECORD_HEADER <= size) {
			const len = bytes[at] | (bytes[at + 1] << 8);
			if (len === FREE) break;
			if (len === 0 || at + RECORD_HEADER + len > size) {
				this.#damaged++;
				return size;
			} // unusable rest of sector
			const payload = bytes.subarray(at + RECORD_HEADER, at + RECORD_HEADER + len);
			if (check(payload) === bytes[at + 2]) visit(payload, at);
			else this.#damaged++;
			at += RECORD_HEADER + len;
		}
		return at;
	}

	#advance(): void {
		const next = (this.#head + 1) % this.#sectors;
		this.#erase(next);
		this.#head = next;
		this.#startSector(next, this.#seq + 1);
	}

	#startSector(sector: number, seq: number): void {
		const h = new Uint8Array(SECTOR_HEADER);
		h.set(MAGIC, 0);
		h[4] = seq & 0xff;
		h[5] = (seq >>> 8) & 0xff;
		h[6] = (seq >>> 16) & 0xff;
		h[7] = (seq >>> 24) & 0xff;
		this.#p.write(sector * this.#p.sectorSize, h);
		this.#seq = seq;
		this.#used = SECTOR_HEADER;
	}

	#erase(sector: number): void {
		this.#p.erase(sector);
		this.#erases++;
	}
}
