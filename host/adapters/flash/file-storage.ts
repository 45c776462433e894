/*
 * Flash storage in a file (the simulator's 4 MB flash image): every write
 * goes through to the file at once, so a killed simulator leaves the file
 * exactly as far as the flash got, like a board losing power.
 */

import fs from "node:fs";
import path from "node:path";
import type { FlashStorage } from "./nor-flash";

export class FileFlashStorage implements FlashStorage {
	readonly file: string;
	readonly size: number;
	readonly #mirror: Uint8Array;
	readonly #fd: number;

	/** Opens `file`, creating an erased (0xFF) flash of `size` bytes when it does not exist. */
	constructor(file: string, size: number) {
		this.file = file;
		this.size = size;
		fs.mkdirSync(path.dirname(file), { recursive: true });
		if (!fs.existsSync(file)) fs.writeFileSync(file, new Uint8Array(size).fill(0xff));
		const data = fs.readFileSync(file);
		if (data.length !== size) throw new RangeError(`${file} is ${data.length} bytes, not a ${size}-byte flash image`);
		this.#mirror = new Uint8Array(data.buffer, data.byteOffset, data.length);
		this.#fd = fs.openSync(file, "r+");
	}

	read(offset: number, length: number): Uint8Array {
		return this.#mirror.slice(offset, offset + length);
	}

	write(offset: number, data: Uint8Array): void {
		this.#mirror.set(data, offset);
		fs.writeSync(this.#fd, data, 0, data.length, offset);
	}

	close(): void {
		fs.closeSync(this.#fd);
	}
}
