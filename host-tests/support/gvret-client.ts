/*
 * A GVRET client written from the protocol description (the GVRET and
 * ESP32RET firmwares, as SavvyCAN's GVRET connection speaks it), not from
 * modules/canview/gvret.ts: it builds the host's commands and splits the
 * device's byte stream into replies, whatever the TCP segment boundaries.
 * Portable (it runs inside XS with the firmware tests, and over a socket
 * in the simulator tests).
 */

export type GvretReply =
	| { kind: "frame"; tsUs: number; id: number; ext: boolean; bus: number; data: number[] }
	| { kind: "time"; tsUs: number }
	| { kind: "busParams"; bus0: { enabled: boolean; listenOnly: boolean; speed: number }; bus1: { enabled: boolean; listenOnly: boolean; speed: number } }
	| { kind: "deviceInfo"; build: number }
	| { kind: "keepalive"; ok: boolean }
	| { kind: "numBuses"; n: number }
	| { kind: "extBuses"; bytes: number[] }
	| { kind: "digital"; bits: number }
	| { kind: "analog"; values: number[] };

/** Bytes of each fixed-length reply after F1 cmd; frames (00) are sized by their length byte. */
const FIXED: Record<number, number> = { 1: 4, 2: 2, 3: 15, 6: 10, 7: 6, 9: 2, 12: 1, 13: 15 };

export const gvret = {
	/** What SavvyCAN sends first: binary mode. */
	binary: (): number[] => [0xe7, 0xe7],
	command: (cmd: number): number[] => [0xf1, cmd],
	/** A frame to send: id(4 LE, bit31 extended) bus len data check(0). */
	sendFrame(bus: number, id: number, data: number[], ext = false): number[] {
		const raw = (id | (ext ? 0x80000000 : 0)) >>> 0;
		return [0xf1, 0x00, raw & 255, (raw >>> 8) & 255, (raw >>> 16) & 255, raw >>> 24, bus, data.length, ...data, 0];
	},
	setupBuses: (speed0: number, speed1: number): number[] => [0xf1, 0x05, ...le32(speed0), ...le32(speed1)],
};

function le32(v: number): number[] {
	return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
}

function u32(b: number[], at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Splits the device's stream into replies; bytes of a reply not yet complete wait for the next push. */
export class GvretParser {
	readonly replies: GvretReply[] = [];
	#pending: number[] = [];

	push(bytes: ArrayLike<number>): void {
		for (let i = 0; i < bytes.length; i++) this.#pending.push(bytes[i]);
		for (;;) {
			const b = this.#pending;
			if (b.length < 2) return;
			if (b[0] !== 0xf1) throw new Error(`GVRET stream out of step: 0x${b[0].toString(16)} where 0xF1 was expected`);
			const cmd = b[1];
			let need: number;
			if (cmd === 0x00) {
				if (b.length < 11) return;
				need = 2 + 4 + 4 + 1 + (b[10] & 15) + 1;
			} else if (FIXED[cmd] !== undefined) need = 2 + FIXED[cmd];
			else throw new Error(`unknown GVRET reply 0x${cmd.toString(16)}`);
			if (b.length < need) return;
			const m = b.splice(0, need);
			this.replies.push(decode(cmd, m));
		}
	}

	frames() {
		return this.replies.filter((r): r is Extract<GvretReply, { kind: "frame" }> => r.kind === "frame");
	}
}

function decode(cmd: number, m: number[]): GvretReply {
	switch (cmd) {
		case 0x00: {
			const raw = u32(m, 6);
			const n = m[10] & 15;
			if (m[11 + n] !== 0) throw new Error("frame check byte is not 0");
			return { kind: "frame", tsUs: u32(m, 2), id: raw & 0x1fffffff, ext: (raw & 0x80000000) !== 0, bus: m[10] >> 4, data: m.slice(11, 11 + n) };
		}
		case 0x01:
			return { kind: "time", tsUs: u32(m, 2) };
		case 0x02:
			return { kind: "digital", bits: m[2] };
		case 0x03:
			return { kind: "analog", values: [0, 1, 2, 3, 4, 5, 6].map((k) => m[2 + 2 * k] | (m[3 + 2 * k] << 8)) };
		case 0x06:
			return {
				kind: "busParams",
				bus0: { enabled: (m[2] & 1) === 1, listenOnly: (m[2] & 0x10) !== 0, speed: u32(m, 3) },
				bus1: { enabled: (m[7] & 1) === 1, listenOnly: (m[7] & 0x10) !== 0, speed: u32(m, 8) },
			};
		case 0x07:
			return { kind: "deviceInfo", build: m[2] | (m[3] << 8) };
		case 0x09:
			return { kind: "keepalive", ok: m[2] === 0xde && m[3] === 0xad };
		case 0x0c:
			return { kind: "numBuses", n: m[2] };
		default:
			return { kind: "extBuses", bytes: m.slice(2) };
	}
}
