/*
 * The captive DNS responder's message codec (RFC 1035), pure TypeScript.
 *
 * On the access point every name resolves to the board: openhaldex.local
 * for phones that do not speak mDNS (Android), and any other name so that
 * a phone's captive-portal probe lands on the web app. Only what that needs:
 *   - a query (QR = 0, opcode QUERY) with one or more questions;
 *   - A (or ANY) questions of class IN get one answer: the board's IPv4;
 *   - every other type gets an empty NOERROR answer (the client then asks A);
 *   - another opcode gets NOTIMP; a query we cannot parse gets FORMERR when
 *     at least its header is readable, and nothing otherwise.
 * Names in questions may use compression pointers (loops are refused).
 */

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;
export const DNS_TYPE_ANY = 255;
export const DNS_CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_NOTIMP = 4;

/** TTL of our answers: short, so a phone re-asks once it leaves the access point. */
export const ANSWER_TTL_S = 60;

export interface DnsQuestion {
	/** Lower-case dotted name without the trailing dot ("openhaldex.local"). */
	name: string;
	type: number;
	class: number;
}

export interface DnsQuery {
	id: number;
	opcode: number;
	recursionDesired: boolean;
	questions: DnsQuestion[];
}

export class DnsFormatError extends Error {
	// A field (defined, not assigned): preloaded modules freeze Error.prototype, where assigning name would fail.
	override readonly name = "DnsFormatError";
	/** The query id when the header was readable (then a FORMERR can be sent). */
	readonly id: number | undefined;
	constructor(message: string, id?: number) {
		super(message);
		this.id = id;
	}
}

const HEADER = 12;
const MAX_NAME = 255;

/** Parse a query. Throws DnsFormatError; returns undefined for a response (QR = 1), which is never answered. */
export function parseDnsQuery(msg: Uint8Array): DnsQuery | undefined {
	if (msg.length < HEADER) throw new DnsFormatError(`a DNS header is 12 bytes, got ${msg.length}`);
	const id = (msg[0] << 8) | msg[1];
	const flags = (msg[2] << 8) | msg[3];
	if (flags & 0x8000) return undefined;
	const opcode = (flags >> 11) & 0xf;
	const qdcount = (msg[4] << 8) | msg[5];
	const query: DnsQuery = { id, opcode, recursionDesired: (flags & 0x0100) !== 0, questions: [] };
	if (opcode !== 0) return query;
	if (qdcount === 0) throw new DnsFormatError("the query has no question", id);
	let at = HEADER;
	for (let q = 0; q < qdcount; q++) {
		const { name, next } = readName(msg, at, id);
		if (next + 4 > msg.length) throw new DnsFormatError("a question ends before its type and class", id);
		query.questions.push({ name, type: (msg[next] << 8) | msg[next + 1], class: (msg[next + 2] << 8) | msg[next + 3] });
		at = next + 4;
	}
	return query;
}

function readName(msg: Uint8Array, start: number, id: number): { name: string; next: number } {
	const labels: string[] = [];
	let at = start,
		next = -1,
		jumps = 0,
		length = 0;
	for (;;) {
		if (at >= msg.length) throw new DnsFormatError("a name runs past the end of the message", id);
		const len = msg[at];
		if (len === 0) {
			at++;
			break;
		}
		if ((len & 0xc0) === 0xc0) {
			if (at + 1 >= msg.length) throw new DnsFormatError("a compression pointer is cut", id);
			if (++jumps > 16) throw new DnsFormatError("compression pointers loop", id);
			if (next < 0) next = at + 2;
			const target = ((len & 0x3f) << 8) | msg[at + 1];
			if (target >= at) throw new DnsFormatError("a compression pointer points forward", id);
			at = target;
			continue;
		}
		if (len & 0xc0) throw new DnsFormatError("a label uses a reserved length type", id);
		if (at + 1 + len > msg.length) throw new DnsFormatError("a label runs past the end of the message", id);
		length += len + 1;
		if (length > MAX_NAME) throw new DnsFormatError("a name is longer than 255 bytes", id);
		let label = "";
		for (let i = 0; i < len; i++) label += String.fromCharCode(msg[at + 1 + i]);
		labels.push(label.toLowerCase());
		at += 1 + len;
	}
	return { name: labels.join("."), next: next < 0 ? at : next };
}

/** True when a question is answered with the board's address. */
export function wantsAddress(q: DnsQuestion): boolean {
	return (q.type === DNS_TYPE_A || q.type === DNS_TYPE_ANY) && (q.class === DNS_CLASS_IN || q.class === 255);
}

/** "192.168.4.1" -> 4 bytes; undefined when it is not a dotted IPv4 address. */
export function ipv4Bytes(address: string): Uint8Array | undefined {
	const parts = address.split(".");
	if (parts.length !== 4) return undefined;
	const out = new Uint8Array(4);
	for (let i = 0; i < 4; i++) {
		if (!/^\d{1,3}$/.test(parts[i])) return undefined;
		const v = Number(parts[i]);
		if (v > 255) return undefined;
		out[i] = v;
	}
	return out;
}

function pushName(out: number[], name: string): void {
	for (const label of name ? name.split(".") : []) {
		out.push(label.length);
		for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i) & 0xff);
	}
	out.push(0);
}

function header(out: number[], id: number, opcode: number, rd: boolean, rcode: number, qd: number, an: number): void {
	const flags = 0x8000 | (opcode << 11) | 0x0400 /* AA */ | (rd ? 0x0100 : 0) | rcode;
	out.push(id >> 8, id & 0xff, flags >> 8, flags & 0xff, qd >> 8, qd & 0xff, an >> 8, an & 0xff, 0, 0, 0, 0);
}

/**
 * The answer to a parsed query: every A/ANY question of class IN gets
 * `address` (dotted IPv4), other questions get no record.
 */
export function buildDnsAnswer(query: DnsQuery, address: string): Uint8Array {
	const ip = ipv4Bytes(address);
	if (!ip) throw new RangeError(`not an IPv4 address: ${address}`);
	const out: number[] = [];
	if (query.opcode !== 0) {
		header(out, query.id, query.opcode, query.recursionDesired, RCODE_NOTIMP, 0, 0);
		return Uint8Array.from(out);
	}
	const answered = query.questions.filter(wantsAddress);
	header(out, query.id, 0, query.recursionDesired, RCODE_NOERROR, query.questions.length, answered.length);
	for (const q of query.questions) {
		pushName(out, q.name);
		out.push(q.type >> 8, q.type & 0xff, q.class >> 8, q.class & 0xff);
	}
	for (const q of answered) {
		pushName(out, q.name);
		out.push(0, DNS_TYPE_A, 0, DNS_CLASS_IN);
		out.push(0, 0, ANSWER_TTL_S >> 8, ANSWER_TTL_S & 0xff, 0, 4, ip[0], ip[1], ip[2], ip[3]);
	}
	return Uint8Array.from(out);
}

/** A FORMERR answer echoing only the id (the question could not be read). */
export function buildDnsFormatError(id: number): Uint8Array {
	const out: number[] = [];
	header(out, id, 0, false, RCODE_FORMERR, 0, 0);
	return Uint8Array.from(out);
}

/** What the responder sends back for one datagram, or undefined for nothing. */
export function answerDatagram(msg: Uint8Array, address: string): Uint8Array | undefined {
	try {
		const query = parseDnsQuery(msg);
		return query ? buildDnsAnswer(query, address) : undefined;
	} catch (e) {
		if (e instanceof DnsFormatError && e.id !== undefined) return buildDnsFormatError(e.id);
		if (e instanceof DnsFormatError) return undefined;
		throw e;
	}
}

/** Encode a query (tests, and the simulator's own checks). */
export function buildDnsQuery(id: number, name: string, type = DNS_TYPE_A): Uint8Array {
	const out: number[] = [id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
	pushName(out, name);
	out.push(type >> 8, type & 0xff, 0, DNS_CLASS_IN);
	return Uint8Array.from(out);
}

/** Read the A records of an answer (tests and tools): [{name, address, ttl}]. */
export function parseDnsAnswers(msg: Uint8Array): { id: number; rcode: number; answers: { name: string; address: string; ttl: number }[] } {
	if (msg.length < HEADER) throw new DnsFormatError("short answer");
	const id = (msg[0] << 8) | msg[1];
	const rcode = msg[3] & 0xf;
	const qd = (msg[4] << 8) | msg[5],
		an = (msg[6] << 8) | msg[7];
	let at = HEADER;
	for (let i = 0; i < qd; i++) at = readName(msg, at, id).next + 4;
	const answers: { name: string; address: string; ttl: number }[] = [];
	for (let i = 0; i < an; i++) {
		const { name, next } = readName(msg, at, id);
		const type = (msg[next] << 8) | msg[next + 1];
		const ttl = ((msg[next + 4] << 24) | (msg[next + 5] << 16) | (msg[next + 6] << 8) | msg[next + 7]) >>> 0;
		const rdlen = (msg[next + 8] << 8) | msg[next + 9];
		const rd = next + 10;
		if (type === DNS_TYPE_A && rdlen === 4) answers.push({ name, address: `${msg[rd]}.${msg[rd + 1]}.${msg[rd + 2]}.${msg[rd + 3]}`, ttl });
		at = rd + rdlen;
	}
	return { id, rcode, answers };
}
