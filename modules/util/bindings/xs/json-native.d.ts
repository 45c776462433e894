/** Writes `text` into out[at] (quoted and escaped as JSON when `quoted`); the index after it, or -1 when it does not fit. */
export default function jsonPut(out: Uint8Array, at: number, text: string, quoted: boolean): number;
