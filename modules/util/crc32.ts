/*
 * CRC-32 (reflected, polynomial 0xEDB88320), the one ESP-IDF's ROM
 * crc32_le and zlib's crc32 share; they differ only in the register's start:
 *   zlib crc32(data)              = ~crc32Register(0xFFFFFFFF, data)
 *   ESP-IDF crc32_le(UINT32_MAX,) = ~crc32Register(0, data)   (otadata)
 */

const TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

/** The raw register after `data`, from `register`. */
export function crc32Register(register: number, data: Uint8Array): number {
	let c = register >>> 0;
	for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 255] ^ (c >>> 8);
	return c >>> 0;
}

/** zlib's crc32 (what espsecure writes into a Secure Boot V2 signature block). */
export function zlibCrc32(data: Uint8Array): number {
	return ~crc32Register(0xffffffff, data) >>> 0;
}
