/*
 * Key-value store port, shaped like Moddable's Preference (NVS on the
 * ESP32). Its limits are part of the contract, so the host adapter and
 * the fakes enforce them too: a value that fits in the simulator fits on
 * the board.
 */

export type StoreValue = string | number | boolean | ArrayBuffer;

export const STORE_MAX_KEY_LENGTH = 15;
export const STORE_MAX_DOMAIN_LENGTH = 15;
export const STORE_MAX_VALUE_BYTES = 4000;

export interface KeyValueStore {
	get(domain: string, key: string): StoreValue | undefined;
	/** Throws RangeError when the key, domain or value is over the limits. */
	set(domain: string, key: string, value: StoreValue): void;
	delete(domain: string, key: string): void;
	keys(domain: string): string[];
}

/** Throws RangeError if the pair breaks a Preference limit. */
export function checkStoreLimits(domain: string, key: string, value?: StoreValue): void {
	if (!domain.length || domain.length > STORE_MAX_DOMAIN_LENGTH)
		throw new RangeError(`store domain "${domain}" must be 1..${STORE_MAX_DOMAIN_LENGTH} characters`);
	if (!key.length || key.length > STORE_MAX_KEY_LENGTH) throw new RangeError(`store key "${key}" must be 1..${STORE_MAX_KEY_LENGTH} characters`);
	if (value === undefined) return;
	const bytes = typeof value === "string" ? utf8Length(value) : value instanceof ArrayBuffer ? value.byteLength : 0;
	if (bytes > STORE_MAX_VALUE_BYTES) throw new RangeError(`store value for "${domain}/${key}" is ${bytes} bytes; the limit is ${STORE_MAX_VALUE_BYTES}`);
}

export function utf8Length(text: string): number {
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) n += 1;
		else if (c < 0x800) n += 2;
		else if (c >= 0xd800 && c <= 0xdbff) {
			n += 4;
			i++;
		} else n += 3;
	}
	return n;
}
