/*
 * Digest port: SHA-256 over a stream of chunks. Moddable's crypt Digest on
 * the device, node:crypto on the host, util/sha256 (pure TS) inside plain XS.
 */

export interface Digest {
	write(chunk: Uint8Array): void;
	/** The 32-byte digest; the object is finished afterwards. */
	close(): Uint8Array;
}

export interface DigestFactory {
	sha256(): Digest;
}
