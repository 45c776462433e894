/* canview/candump and canview/gvret: the bytes each writes for capture entries, and GVRET's command handling. */

import { assert } from "../../support/assert";
import { entryBytes, type FakeEntry } from "../../support/fake-capture";
import { CANDUMP_MAX_ENTRY_BYTES, CandumpWriter } from "canview/candump";
import { GvretSession, type GvretHost } from "canview/gvret";
import { GvretParser, gvret } from "../../support/gvret-client";
import { ENTRY_SIZE, UsClock, filterBytes } from "canview/entries";
import { utf8Decode } from "util/utf8";

function batch(entries: FakeEntry[]): Uint8Array {
	const b = new Uint8Array(entries.length * ENTRY_SIZE);
	entries.forEach((e, i) => b.set(entryBytes(e), i * ENTRY_SIZE));
	return b;
}

function candump(entries: FakeEntry[], startSeconds = 0): string {
	const w = new CandumpWriter(startSeconds);
	const b = batch(entries);
	const out = new Uint8Array(4096);
	let at = 0;
	for (let i = 0; i < entries.length; i++) at = w.write(b, i, out, at);
	return utf8Decode(out.subarray(0, at));
}

describe("canview/candump", () => {
	it("writes candump -l lines: seconds.micros, can0/can1, 3- or 8-digit IDs, uppercase data", () => {
		const text = candump(
			[
				{ tsUs: 5000000, id: 0x280, bus: 0, data: [0x00, 0x11, 0xaa, 0xff, 1, 2, 3, 4] },
				{ tsUs: 5000250, id: 0x2c0, bus: 1, data: [0x01, 0xcd] },
				{ tsUs: 5001000, id: 0x1abcdef, bus: 0, ext: true, data: [] },
				{ tsUs: 5002000, id: 0x5a0, bus: 0, rtr: true, data: [], dlc: 8 },
			],
			1700000000,
		);
		assert.equal(
			text,
			"(1700000000.000000) can0 280#0011AAFF01020304\n" +
				"(1700000000.000250) can1 2C0#01CD\n" +
				"(1700000000.001000) can0 01ABCDEF#\n" +
				"(1700000000.002000) can0 5A0#R\n",
		);
	});
	it("adds the forwarded bytes of a rewritten frame on the other bus", () => {
		const text = candump([{ tsUs: 10, id: 0x1a0, bus: 0, data: [1, 2, 3, 4, 5, 6, 7, 8], out: [1, 2, 3, 0xfe, 5, 6, 7, 8] }]);
		assert.equal(text, "(0.000000) can0 1A0#0102030405060708\n(0.000000) can1 1A0#010203FE05060708\n");
	});
	it("keeps time running across the 32-bit microsecond wrap", () => {
		const text = candump([
			{ tsUs: 0xffffff00, id: 0x280, bus: 0, data: [1] },
			{ tsUs: 0x00000100, id: 0x280, bus: 0, data: [2] },
		]);
		assert.equal(text, "(0.000000) can0 280#01\n(0.000512) can0 280#02\n");
	});
	it("writes nothing and says so when the buffer has no room for a line pair", () => {
		const w = new CandumpWriter();
		const b = batch([{ tsUs: 1, id: 0x280, bus: 0, data: [1, 2, 3, 4, 5, 6, 7, 8] }]);
		const out = new Uint8Array(CANDUMP_MAX_ENTRY_BYTES + 10);
		assert.equal(w.write(b, 0, out, 11), -1);
		assert.isAbove(w.write(b, 0, out, 10), 10);
	});
	it("a DLC over 8 carries 8 bytes", () => {
		assert.equal(candump([{ tsUs: 0, id: 0x7ff, bus: 1, data: [1, 2, 3, 4, 5, 6, 7, 8], dlc: 15 }]), "(0.000000) can1 7FF#0102030405060708\n");
	});
});

describe("canview/entries", () => {
	it("unwraps stamps, a small step back included", () => {
		const c = new UsClock();
		assert.equal(c.unwrap(100), 0);
		assert.equal(c.unwrap(90), -10);
		assert.equal(c.unwrap(0xfffffff0), -116, "more than 2^31 ahead is a step back");
		assert.equal(c.unwrap(0x10), -84, "across the wrap: +32");
	});
	it("builds the C filter bytes: use_ids, ext, bitmap", () => {
		const f = filterBytes([0x280, 0x2c0, 0x7ff, 0x800], false);
		assert.equal(f.length, 258);
		assert.equal(f[0], 1);
		assert.equal(f[2 + (0x280 >> 3)], 1 << (0x280 & 7));
		assert.equal(f[2 + (0x7ff >> 3)], 0x80);
		assert.equal(filterBytes([], true)[0], 0);
	});
});

function host(overrides: Partial<GvretHost> = {}): GvretHost & { sent: unknown[] } {
	const sent: unknown[] = [];
	return {
		sent,
		nowUs: () => 0x01020304,
		bitrate: 500000,
		build: 7,
		sendingAllowed: () => false,
		transmit: (bus, id, ext, data, length) => {
			sent.push({ bus, id, ext, data: Array.from(data.subarray(0, length)) });
			return true;
		},
		...overrides,
	};
}

function talk(session: GvretSession, bytes: number[], parser = new GvretParser()): GvretParser {
	session.receive(new Uint8Array(bytes));
	parser.push(session.out.subarray(0, session.length));
	session.consumed(session.length);
	return parser;
}

describe("canview/gvret", () => {
	it("answers SavvyCAN's handshake: buses, bus parameters (listen-only while read-only), device info, keep-alive, time", () => {
		const s = new GvretSession(host());
		const p = talk(s, [
			...gvret.binary(),
			...gvret.command(0x0c),
			...gvret.command(0x06),
			...gvret.command(0x07),
			...gvret.command(0x09),
			...gvret.command(0x01),
			...gvret.command(0x0d),
		]);
		assert.isTrue(s.binary);
		assert.deepEqual(p.replies, [
			{ kind: "numBuses", n: 2 },
			{ kind: "busParams", bus0: { enabled: true, listenOnly: true, speed: 500000 }, bus1: { enabled: true, listenOnly: true, speed: 500000 } },
			{ kind: "deviceInfo", build: 7 },
			{ kind: "keepalive", ok: true },
			{ kind: "time", tsUs: 0x01020304 },
			{ kind: "extBuses", bytes: new Array(15).fill(0) },
		]);
		const open = talk(new GvretSession(host({ sendingAllowed: () => true })), gvret.command(0x06));
		assert.deepEqual(open.replies[0], {
			kind: "busParams",
			bus0: { enabled: true, listenOnly: false, speed: 500000 },
			bus1: { enabled: true, listenOnly: false, speed: 500000 },
		});
	});
	it("streams captured frames only in binary mode, the rewritten ones twice (before, after on the other bus)", () => {
		const s = new GvretSession(host());
		const b = batch([
			{ tsUs: 1234, id: 0x280, bus: 0, data: [1, 2, 3] },
			{ tsUs: 1300, id: 0x1a0, bus: 0, data: [9, 9], out: [9, 0xfe] },
			{ tsUs: 1400, id: 0x12345, bus: 1, ext: true, data: [7] },
		]);
		s.frame(b, 0);
		assert.equal(s.length, 0, "nothing before E7");
		talk(s, gvret.binary());
		for (let i = 0; i < 3; i++) s.frame(b, i);
		const p = new GvretParser();
		p.push(s.out.subarray(0, s.length));
		assert.deepEqual(p.frames(), [
			{ kind: "frame", tsUs: 1234, id: 0x280, ext: false, bus: 0, data: [1, 2, 3] },
			{ kind: "frame", tsUs: 1300, id: 0x1a0, ext: false, bus: 0, data: [9, 9] },
			{ kind: "frame", tsUs: 1300, id: 0x1a0, ext: false, bus: 1, data: [9, 0xfe] },
			{ kind: "frame", tsUs: 1400, id: 0x12345, ext: true, bus: 1, data: [7] },
		]);
		assert.equal(s.counts.framesOut, 4);
	});
	it("refuses the host's frames while read-only and sends them once allowed, a byte at a time or in one piece", () => {
		let allowed = false;
		const h = host({
			sendingAllowed: () => allowed,
			transmit: (bus, id, ext, data, n) => {
				if (!allowed) return false;
				h.sent.push({ bus, id, ext, data: Array.from(data.subarray(0, n)) });
				return true;
			},
		});
		const s = new GvretSession(h);
		talk(s, [...gvret.binary(), ...gvret.sendFrame(1, 0x2c0, [1, 2, 3])]);
		assert.equal(s.counts.framesRefused, 1);
		allowed = true;
		for (const byte of gvret.sendFrame(0, 0x18daf110, [0xaa, 0xbb], true)) talk(s, [byte]);
		talk(s, gvret.sendFrame(1, 0x2c0, [1, 2, 3, 4, 5, 6, 7, 8]));
		assert.deepEqual(h.sent, [
			{ bus: 0, id: 0x18daf110, ext: true, data: [0xaa, 0xbb] },
			{ bus: 1, id: 0x2c0, ext: false, data: [1, 2, 3, 4, 5, 6, 7, 8] },
		]);
		assert.equal(s.counts.framesIn, 2);
	});
	it("skips set-up commands with payloads without losing step", () => {
		const s = new GvretSession(host());
		const p = talk(s, [...gvret.binary(), ...gvret.setupBuses(500000, 500000), 0xf1, 0x0e, ...new Array(12).fill(0), ...gvret.command(0x09)]);
		assert.deepEqual(p.replies, [{ kind: "keepalive", ok: true }]);
	});
	it("drops and counts frames the output buffer has no room for", () => {
		const s = new GvretSession(host(), 100);
		talk(s, gvret.binary());
		const b = batch([{ tsUs: 1, id: 0x280, bus: 0, data: [1, 2, 3, 4, 5, 6, 7, 8] }]);
		for (let i = 0; i < 10; i++) s.frame(b, 0);
		assert.equal(s.counts.framesOut, 4); // 20 bytes each; 40 must stay free for the next
		assert.equal(s.counts.framesDropped, 6);
		s.consumed(40);
		s.frame(b, 0);
		assert.equal(s.counts.framesOut, 5);
	});
});
