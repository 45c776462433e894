/*
 * The SDK's crypt Digest (modules/crypt/digest), which @moddable/typings
 * lacks. Shaped like the SDK: new Digest("SHA256"), write(), close().
 */
declare module "crypt" {
	export class Digest {
		constructor(algorithm: "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512" | "MD5");
		write(data: ArrayBuffer | ArrayBufferView | string): void;
		close(): ArrayBuffer;
		reset(): void;
	}
}
