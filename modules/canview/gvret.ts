/*
 * GVRET, the binary protocol SavvyCAN's "Network connection (GVRET)" and
 * ESP32RET-style interfaces speak over TCP (port 23). Written from the
 * protocol as the GVRET/ESP32RET firmwares implement it:
 *
 *   0xE7                       switch the link to binary (SavvyCAN sends two)
 *   0xF1 cmd payload           a command; replies start with 0xF1 cmd
 *
 *   cmd  host -> device                     device -> host
 *   00   frame: id(4 LE, bit31 ext) bus len data[len] check
 *                                           frame: ts_us(4 LE) id(4 LE, bit31 ext)
 *                                                  (bus << 4 | len) data[len] 00
 *   01   time sync                          ts_us(4 LE)
 *   02   digital inputs                     bits check
 *   03   analog inputs                      7 x u16 LE, check
 *   04   set digital outputs: bits          -
 *   05   set up buses: speed0(4) speed1(4)  -
 *   06   bus parameters                     (en | listenOnly << 4) speed0(4) (en | lo << 4) speed1(4)
 *   07   device info                        build(2 LE) eeprom filetype autolog singlewire
 *   08   single-wire mode: 1 byte           -
 *   09   keep-alive                         DE AD
 *   0A   system type: 1 byte                -
 *   0B   echo frame (as 00)                 the frame, as if received
 *   0C   number of buses                    n
 *   0D   extra buses                        15 bytes (zero: none)
 *   0E   set extra buses: 12 bytes          -
 *
 * The check byte the host sends is not verified (GVRET firmwares do not
 * either); the device sends 0 there.
 *
 * This board bridges two buses, so it reports them as listen-only unless
 * the owner allowed sending: SavvyCAN then knows a frame it sends goes
 * nowhere. Frames the host sends are handed to `transmit`, which decides
 * (and says no while the car moves).
 */

import { DATA, ENTRY_SIZE, FLAG_EXT, FLAG_REWRITTEN, FLAG_RTR, OUT } from "canview/entries";

export const GVRET_PORT = 23;
/** The longest reply for one capture entry: two frames of 20 bytes. */
export const GVRET_MAX_ENTRY_BYTES = 40;

const START = 0xf1,
	BINARY = 0xe7;
const CMD_FRAME = 0x00,
	CMD_TIME_SYNC = 0x01,
	CMD_DIG_INPUTS = 0x02,
	CMD_ANA_INPUTS = 0x03,
	CMD_SET_DIG_OUT = 0x04,
	CMD_SETUP_BUSES = 0x05,
	CMD_BUS_PARAMS = 0x06,
	CMD_DEVICE_INFO = 0x07,
	CMD_SINGLE_WIRE = 0x08,
	CMD_KEEPALIVE = 0x09,
	CMD_SYSTYPE = 0x0a,
	CMD_ECHO_FRAME = 0x0b,
	CMD_NUM_BUSES = 0x0c,
	CMD_EXT_BUSES = 0x0d,
	CMD_SET_EXT_BUSES = 0x0e;

// biome-ignore lint/suspicious/noConstEnum: inlined as numbers; a real enum is a module-level object (docs/preload-hazards.md)
const enum State {
	Idle,
	Command,
	Payload,
}

/** What a session needs from the firmware. */
export interface GvretHost {
	/** The capture clock, microseconds (wraps at 2^32). */
	nowUs(): number;
	/** Bus bit rate in bit/s (both buses run the same rate). */
	bitrate: number;
	/** True while frames from the host may go onto the buses (owner allowed, car not moving). */
	sendingAllowed(): boolean;
	/** Put a frame from the host onto `bus`; false when refused (not allowed now, no room). */
	transmit(bus: 0 | 1, id: number, ext: boolean, data: Uint8Array, length: number): boolean;
	/** Software build number reported in device info. */
	build: number;
}

export interface GvretCounts {
	/** Frames streamed to the host. */
	framesOut: number;
	/** Capture entries that did not fit the output buffer (the link was too slow): dropped, counted. */
	framesDropped: number;
	/** Frames the host sent that went onto a bus. */
	framesIn: number;
	/** Frames the host sent that were refused (read-only, moving, no room). */
	framesRefused: number;
	/** Bytes that were not a command (before binary mode, or unknown commands). */
	ignoredBytes: number;
}

/** One TCP client's protocol state and output buffer. */
export class GvretSession {
	readonly counts: GvretCounts = { framesOut: 0, framesDropped: 0, framesIn: 0, framesRefused: 0, ignoredBytes: 0 };
	/** Pending output: [0, length) is waiting for the socket. */
	readonly out: Uint8Array;
	length = 0;
	binary = false;
	readonly #host: GvretHost;
	#state = State.Idle;
	#command = 0;
	#need = 0;
	#got = 0;
	readonly #payload = new Uint8Array(16);

	constructor(host: GvretHost, outBytes = 2048) {
		this.#host = host;
		this.out = new Uint8Array(outBytes);
	}

	/** Bytes from the host. Replies are appended to `out`. */
	receive(bytes: Uint8Array, from = 0, to = bytes.length): void {
		for (let i = from; i < to; i++) this.#byte(bytes[i]);
	}

	/** Drop `n` sent bytes from the front of `out`. */
	consumed(n: number): void {
		if (n <= 0) return;
		if (n >= this.length) this.length = 0;
		else {
			this.out.copyWithin(0, n, this.length);
			this.length -= n;
		}
	}

	/**
	 * Stream capture entry i (in binary mode only): the frame as received
	 * and, when the bridge rewrote it, as forwarded on the other bus. No
	 * room: dropped and counted. Fields read inline: in XS every call costs. @hot
	 */
	frame(batch: Uint8Array, i: number): void {
		if (!this.binary) return;
		if (this.out.length - this.length < GVRET_MAX_ENTRY_BYTES) {
			this.counts.framesDropped++;
			return;
		}
		const o = i * ENTRY_SIZE;
		const flags = batch[o + 9];
		const bus = batch[o + 8];
		this.#frameOut(batch, o, bus, o + DATA, flags);
		if (flags & FLAG_REWRITTEN) this.#frameOut(batch, o, bus ^ 1, o + OUT, flags);
	}

	/** @hot */
	#frameOut(batch: Uint8Array, o: number, bus: number, data: number, flags: number): void {
		const out = this.out;
		let p = this.length;
		const dlc = batch[o + 10];
		// biome-ignore lint/complexity/useMathMinMax: a call costs in XS; this runs per captured frame
		const n = flags & FLAG_RTR ? 0 : dlc > 8 ? 8 : dlc;
		out[p] = START;
		out[p + 1] = CMD_FRAME;
		// ts_us and id: the entry's own little-endian bytes; bit 31 of the id marks an extended one
		out[p + 2] = batch[o];
		out[p + 3] = batch[o + 1];
		out[p + 4] = batch[o + 2];
		out[p + 5] = batch[o + 3];
		out[p + 6] = batch[o + 4];
		out[p + 7] = batch[o + 5];
		out[p + 8] = batch[o + 6];
		out[p + 9] = batch[o + 7] | (flags & FLAG_EXT ? 0x80 : 0);
		out[p + 10] = (bus << 4) | n;
		p += 11;
		for (let b = 0; b < n; b++) out[p++] = batch[data + b];
		out[p++] = 0;
		this.length = p;
		this.counts.framesOut++;
	}

	#reply(...bytes: number[]): void {
		if (this.out.length - this.length < bytes.length) return; // a reply that does not fit: the host asks again
		for (const b of bytes) this.out[this.length++] = b;
	}

	#byte(b: number): void {
		switch (this.#state) {
			case State.Idle:
				if (b === START) this.#state = State.Command;
				else if (b === BINARY) this.binary = true;
				else this.counts.ignoredBytes++;
				return;
			case State.Command:
				this.#command = b;
				this.#got = 0;
				this.#need = payloadLength(b);
				if (this.#need === 0) {
					this.#state = State.Idle;
					this.#run();
				} else this.#state = State.Payload;
				return;
			case State.Payload:
				this.#payload[this.#got++] = b;
				// A frame's length byte (the 6th) says how many data bytes and the check byte follow.
				if ((this.#command === CMD_FRAME || this.#command === CMD_ECHO_FRAME) && this.#got === 6) this.#need = 6 + Math.min(b & 0x0f, 8) + 1;
				if (this.#got >= this.#need) {
					this.#state = State.Idle;
					this.#run();
				}
				return;
		}
	}

	#run(): void {
		const host = this.#host;
		switch (this.#command) {
			case CMD_FRAME:
			case CMD_ECHO_FRAME: {
				const p = this.#payload;
				const raw = (p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24)) >>> 0;
				const ext = (raw & 0x80000000) !== 0;
				const id = ext ? raw & 0x1fffffff : raw & 0x7ff;
				const bus = p[4] & 3;
				const n = Math.min(p[5] & 0x0f, 8);
				if (this.#command === CMD_ECHO_FRAME) {
					this.#echo(id, ext, bus, n);
					return;
				}
				if (bus > 1 || !host.transmit(bus as 0 | 1, id, ext, p.subarray(6, 6 + n), n)) this.counts.framesRefused++;
				else this.counts.framesIn++;
				return;
			}
			case CMD_TIME_SYNC: {
				const t = host.nowUs() >>> 0;
				this.#reply(START, CMD_TIME_SYNC, t & 255, (t >>> 8) & 255, (t >>> 16) & 255, t >>> 24);
				return;
			}
			case CMD_DIG_INPUTS:
				this.#reply(START, CMD_DIG_INPUTS, 0, 0);
				return;
			case CMD_ANA_INPUTS:
				this.#reply(START, CMD_ANA_INPUTS, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
				return;
			case CMD_BUS_PARAMS: {
				const status = 1 | (host.sendingAllowed() ? 0 : 0x10);
				const r = host.bitrate >>> 0;
				this.#reply(
					START,
					CMD_BUS_PARAMS,
					status,
					r & 255,
					(r >>> 8) & 255,
					(r >>> 16) & 255,
					r >>> 24,
					status,
					r & 255,
					(r >>> 8) & 255,
					(r >>> 16) & 255,
					r >>> 24,
				);
				return;
			}
			case CMD_DEVICE_INFO:
				this.#reply(START, CMD_DEVICE_INFO, host.build & 255, (host.build >> 8) & 255, 0x20, 0, 0, 0);
				return;
			case CMD_KEEPALIVE:
				this.#reply(START, CMD_KEEPALIVE, 0xde, 0xad);
				return;
			case CMD_NUM_BUSES:
				this.#reply(START, CMD_NUM_BUSES, 2);
				return;
			case CMD_EXT_BUSES:
				this.#reply(START, CMD_EXT_BUSES, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
				return;
			case CMD_SET_DIG_OUT:
			case CMD_SETUP_BUSES: // the buses' rate is the car's: a request to change it is ignored
			case CMD_SINGLE_WIRE:
			case CMD_SYSTYPE:
			case CMD_SET_EXT_BUSES:
				return;
			default:
				this.counts.ignoredBytes++;
		}
	}

	#echo(id: number, ext: boolean, bus: number, n: number): void {
		if (this.out.length - this.length < 12 + n) return;
		const o = this.out;
		let p = this.length;
		o[p++] = START;
		o[p++] = CMD_FRAME;
		p = le32(o, p, this.#host.nowUs() >>> 0);
		p = le32(o, p, (id | (ext ? 0x80000000 : 0)) >>> 0);
		o[p++] = (bus << 4) | n;
		for (let b = 0; b < n; b++) o[p++] = this.#payload[6 + b];
		o[p++] = 0;
		this.length = p;
	}
}

/** Payload bytes that follow a command byte (a frame's grows once its length byte is in). */
function payloadLength(command: number): number {
	switch (command) {
		case CMD_FRAME:
		case CMD_ECHO_FRAME:
			return 6;
		case CMD_SETUP_BUSES:
			return 8;
		case CMD_SET_EXT_BUSES:
			return 12;
		case CMD_SET_DIG_OUT:
		case CMD_SINGLE_WIRE:
		case CMD_SYSTYPE:
			return 1;
		default:
			return 0;
	}
}

/** @hot */
function le32(o: Uint8Array, p: number, v: number): number {
	o[p] = v & 255;
	o[p + 1] = (v >>> 8) & 255;
	o[p + 2] = (v >>> 16) & 255;
	o[p + 3] = v >>> 24;
	return p + 4;
}
