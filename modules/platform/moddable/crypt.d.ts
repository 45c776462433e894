/*
 * The SDK's crypt Digest (modules/crypt/digest), which @moddable/typings 5.6
 * lacks; shaped as the SDK's own typings/crypt.d.ts declares it, so this
 * project's type check and mcconfig's agree.
 */
declare module "crypt" {
	export class Digest {
		constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
		write(message: string | ArrayBuffer): void;
		close(): ArrayBuffer;
		reset(): void;
	}
}
