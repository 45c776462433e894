/* canview/live and canview/service: the page's table and signal, and who turns the capture on, off, and gets what. */

import { assert } from "../../support/assert";
import { FakeCapture, FAKE_DEPTH, entryBytes, type FakeEntry } from "../../support/fake-capture";
import { ManualTime } from "../../support/fakes";
import { LiveTable, MAX_ROWS, signalValue } from "canview/live";
import { CanView, DRAIN_BUDGET_MS, DRAIN_MS, GVRET_SEND_PER_SECOND, LIVE_IDLE_MS } from "canview/service";
import { ENTRY_SIZE } from "canview/entries";
import { noVehicle, type VehicleState } from "ports/can";
import type { TcpConnection, TcpHandlers, TcpServerPort } from "ports/tcp";
import { GvretParser, gvret } from "../../support/gvret-client";
import { utf8Decode } from "util/utf8";
import type { BodySource } from "api/http";

function one(e: FakeEntry): Uint8Array {
	return entryBytes(e);
}

describe("canview/live", () => {
	it("keeps one row per bus and ID with count, rate, last bytes, changed bytes and the forwarded bytes", () => {
		const t = new LiveTable();
		for (let k = 0; k <= 100; k++) t.add(one({ tsUs: k * 10000, id: 0x280, bus: 0, data: [1, k & 255, 3] }), 0);
		t.add(one({ tsUs: 1000000, id: 0x1a0, bus: 0, data: [5, 5], out: [5, 0xfe] }), 0);
		t.add(one({ tsUs: 1000001, id: 0x280, bus: 1, data: [1] }), 0);
		const rows = t.snapshot();
		assert.deepEqual(
			rows.map((r) => [r.bus, r.id, r.count, r.hz, r.data, r.out, r.changed]),
			[
				[0, 0x1a0, 1, 0, "0505", "05FE", 0],
				[0, 0x280, 101, 100, "016403", undefined, 0b010],
				[1, 0x280, 1, 0, "01", undefined, 0],
			],
		);
		assert.equal(t.snapshot()[1].changed, 0, "changed bits are handed over once");
	});
	it("counts IDs past the table's size instead of keeping them", () => {
		const t = new LiveTable();
		for (let id = 0; id < MAX_ROWS + 5; id++) t.add(one({ tsUs: id, id, bus: 0, data: [] }), 0);
		assert.equal(t.rows.length, MAX_ROWS);
		assert.equal(t.overflow, 5);
	});
	it("samples a watched signal on every frame of its ID (Intel bit order, scaled), as received or as forwarded", () => {
		const t = new LiveTable();
		t.watch({ bus: 0, id: 0x280, startBit: 16, length: 16, scale: 0.25, offset: 0, forwarded: false });
		for (let k = 0; k < 3; k++) t.add(one({ tsUs: 1000 * k, id: 0x280, bus: 0, data: [0, 0, (4000 * (k + 1)) & 255, (4000 * (k + 1)) >> 8] }), 0);
		t.add(one({ tsUs: 5000, id: 0x288, bus: 0, data: [1, 2, 3, 4] }), 0);
		assert.deepEqual(t.samples(0), { next: 3, t: [0, 1, 2], v: [1000, 2000, 3000] });
		assert.deepEqual(t.samples(2), { next: 3, t: [2], v: [3000] });
		assert.equal(signalValue(new Uint8Array([0, 0x80]), { bus: 0, id: 0, startBit: 15, length: 1, scale: 1, offset: -1, forwarded: false }), 0);
		t.watch({ bus: 0, id: 0x1a0, startBit: 8, length: 8, scale: 1, offset: 0, forwarded: true });
		t.add(one({ tsUs: 9000, id: 0x1a0, bus: 0, data: [1, 2], out: [1, 0xfe] }), 0);
		assert.deepEqual(t.samples(0).v, [0xfe]);
	});
});

/** A TCP server that connects test clients in memory. */
function memoryTcp() {
	let accept: ((c: TcpConnection) => TcpHandlers | undefined) | undefined;
	return {
		server: {
			listen(port: number, a: (c: TcpConnection) => TcpHandlers | undefined) {
				accept = a;
				return { port, close() {} };
			},
		} satisfies TcpServerPort,
		connect(room = 1 << 20) {
			const parser = new GvretParser();
			let closed = false;
			const connection: TcpConnection = {
				writable: () => (closed ? 0 : room),
				write: (bytes, n) => parser.push(bytes.subarray(0, n)),
				close: () => {
					closed = true;
				},
			};
			const handlers = accept!(connection);
			return {
				parser,
				handlers,
				send: (bytes: number[]) => handlers!.onData(new Uint8Array(bytes), bytes.length),
				get closed() {
					return closed;
				},
			};
		},
	};
}

function setup(vehicle: Partial<VehicleState> = {}) {
	const time = new ManualTime();
	const capture = new FakeCapture();
	const v = { ...noVehicle(), ...vehicle };
	const view = new CanView({ capture, timers: time, clock: time, vehicle: () => v });
	return { time, capture, view, v };
}

function readAll(source: BodySource): string {
	let text = "";
	for (;;) {
		const piece = source.read(1 << 16);
		if (!piece || piece.length === 0) return text;
		text += utf8Decode(piece);
	}
}

describe("canview/service", () => {
	it("captures only while someone looks: the page for 5 s after its last poll", () => {
		const { time, capture, view } = setup();
		assert.isFalse(capture.enabled);
		view.touchLive();
		assert.isTrue(capture.enabled);
		capture.put({ tsUs: 1, id: 0x280, bus: 0, data: [1] });
		time.advance(DRAIN_MS);
		assert.equal(view.live.rows.length, 1);
		time.advance(LIVE_IDLE_MS);
		assert.isFalse(capture.enabled, "the page stopped polling");
		assert.isFalse(view.capturing);
	});
	it("hands entries out oldest first across the two buses, batch after batch", () => {
		const { time, capture, view } = setup();
		const source = view.openDownload(10)!;
		for (let k = 0; k < 80; k++) capture.put({ tsUs: 1000 + k * 10, id: 0x100 + (k % 2), bus: (k % 2) as 0 | 1, data: [k & 255] });
		time.advance(DRAIN_MS);
		const lines = readAll(source).trim().split("\n");
		assert.lengthOf(lines, 80);
		const stamps = lines.map((l) => Number(l.slice(1, l.indexOf(")"))));
		for (let k = 1; k < stamps.length; k++) assert.isAtLeast(stamps[k], stamps[k - 1], `line ${k}`);
		assert.match(lines[1], / can1 101#01$/);
	});
	it("a download streams until its time is up, then ends and turns the capture off", () => {
		const { time, capture, view } = setup();
		const source = view.openDownload(1)!;
		assert.isUndefined(view.openDownload(1), "one at a time");
		let woken = 0;
		assert.equal(source.read(100)!.length, 0, "nothing yet");
		source.wait!(() => woken++);
		capture.put({ tsUs: 5, id: 0x280, bus: 0, data: [1, 2] });
		time.advance(DRAIN_MS);
		assert.equal(woken, 1);
		assert.match(utf8Decode(source.read(100)!), /^\(\d+\.000000\) can0 280#0102\n$/);
		source.wait!(() => woken++);
		time.advance(1000);
		assert.equal(woken, 2);
		assert.isUndefined(source.read(100), "ended");
		source.close!();
		assert.isFalse(capture.enabled);
		assert.isDefined(view.openDownload(1), "the next may start");
	});
	it("a download that cannot keep up drops entries and counts them", () => {
		const { time, capture, view } = setup();
		view.openDownload(60);
		for (let k = 0; k < FAKE_DEPTH; k++) capture.put({ tsUs: k, id: 0x280, bus: 0, data: [1, 2, 3, 4, 5, 6, 7, 8] });
		time.advance(DRAIN_MS); // nobody reads the 4 KiB buffer: about 90 lines fit
		const c = view.counts();
		assert.isAbove(c.downloadDropped, 100);
		assert.equal(c.drained, FAKE_DEPTH);
	});
	it("a download whose connection keeps up is woken mid-drain when half full, and loses nothing", () => {
		const { time, capture, view } = setup();
		const source = view.openDownload(60)!;
		let text = "";
		let wakes = 0;
		const reader = () => {
			wakes++;
			text += readAll(source);
			source.wait!(reader);
		};
		source.read(1);
		source.wait!(reader);
		for (let k = 0; k < FAKE_DEPTH; k++) capture.put({ tsUs: k, id: 0x280, bus: 0, data: [1, 2, 3, 4, 5, 6, 7, 8] });
		time.advance(DRAIN_MS);
		assert.isAbove(wakes, 2, "woken during the drain, not only after it");
		assert.lengthOf(text.trim().split("\n"), FAKE_DEPTH);
		assert.equal(view.counts().downloadDropped, 0);
	});
	it("applies one ID filter to the C ring", () => {
		const { capture, view } = setup();
		view.touchLive();
		view.setFilter([0x280, 0x2c0]);
		const f = capture.configured[capture.configured.length - 1].filter!;
		assert.equal(f[0], 1);
		assert.equal(f[2 + (0x280 >> 3)] & (1 << (0x280 & 7)), 1 << (0x280 & 7));
		view.setFilter([]);
		assert.isUndefined(capture.configured[capture.configured.length - 1].filter);
	});
	it("GVRET: one client, read-only by default; sending needs the owner's switch and a car that is not moving, and is rate-limited", () => {
		const s = setup({ speedKmh: 0, speedAgeMs: 10 });
		const tcp = memoryTcp();
		s.view.serveGvret(tcp.server, 23);
		const client = tcp.connect();
		assert.isUndefined(tcp.connect().handlers, "a second client is refused");
		assert.isTrue(s.capture.enabled, "a client counts as looking");
		client.send([...gvret.binary(), ...gvret.sendFrame(1, 0x2c0, [1])]);
		assert.lengthOf(s.capture.sent, 0);
		s.view.setSending(true);
		client.send(gvret.sendFrame(1, 0x2c0, [2]));
		assert.deepEqual(s.capture.sent, [{ bus: 1, id: 0x2c0, ext: false, data: [2] }]);
		s.v.speedKmh = 12;
		client.send(gvret.sendFrame(1, 0x2c0, [3]));
		s.v.speedKmh = 0;
		s.v.speedAgeMs = 900; // stale: motion unknown
		client.send(gvret.sendFrame(1, 0x2c0, [4]));
		assert.lengthOf(s.capture.sent, 1, "never while moving, or while unknown");
		s.v.speedAgeMs = 10;
		s.capture.full = true;
		client.send(gvret.sendFrame(1, 0x2c0, [5]));
		s.capture.full = false;
		for (let k = 0; k < GVRET_SEND_PER_SECOND + 10; k++) client.send(gvret.sendFrame(0, 0x7e0, [k & 255]));
		assert.lengthOf(s.capture.sent, GVRET_SEND_PER_SECOND, "100 a second at most");
		s.time.advance(1000);
		client.send(gvret.sendFrame(0, 0x7e0, [9]));
		assert.lengthOf(s.capture.sent, GVRET_SEND_PER_SECOND + 1);
		const c = s.view.counts();
		assert.equal(c.gvretIn, GVRET_SEND_PER_SECOND + 1);
		assert.equal(c.gvretRefused, 1 + 2 + 1 + 11); // read-only, moving and stale, no room, over the rate
	});
	it("GVRET streams what the ring holds and drops, counted, what the link cannot take", () => {
		const s = setup();
		const tcp = memoryTcp();
		s.view.serveGvret(tcp.server, 23);
		const fast = tcp.connect();
		fast.send(gvret.binary());
		for (let k = 0; k < 50; k++) s.capture.put({ tsUs: k, id: 0x280, bus: 0, data: [k] });
		s.time.advance(DRAIN_MS);
		assert.lengthOf(fast.parser.frames(), 50);
		fast.handlers!.onClose();
		assert.equal(s.view.gvretClients, 0);
		assert.isFalse(s.capture.enabled);
		const slow = tcp.connect(0); // a link that takes nothing
		slow.send(gvret.binary());
		for (let k = 0; k < FAKE_DEPTH; k++) s.capture.put({ tsUs: k, id: 0x280, bus: 0, data: [1, 2, 3, 4, 5, 6, 7, 8] });
		s.time.advance(DRAIN_MS);
		const c = s.view.counts();
		assert.isAbove(c.gvretDropped, 0);
		assert.equal(c.gvretOut + c.gvretDropped - 50, FAKE_DEPTH);
		assert.lengthOf(slow.parser.frames(), 0);
	});
	it("a drain stops at its time budget: the rest waits in the ring (which then drops, counted), the controller keeps its time", () => {
		const time = new ManualTime();
		const capture = new FakeCapture();
		// A clock that moves a millisecond each time it is read: every entry looks slow.
		let reads = 0;
		const clock = { ...time, monotonicMs: () => time.monotonicMs() + reads++, wallMs: () => 0 } as unknown as ManualTime;
		const view = new CanView({ capture, timers: time, clock, vehicle: () => noVehicle() });
		view.touchLive();
		for (let k = 0; k < FAKE_DEPTH; k++) capture.put({ tsUs: k, id: 0x280, bus: 0, data: [k & 255] });
		view.drain();
		const c = view.counts();
		assert.equal(c.budgetStops, 1);
		assert.isBelow(c.drained, 16 * (DRAIN_BUDGET_MS + 2));
		assert.isAbove(capture.stats().pending[0], 0, "the rest waits in the ring");
		assert.equal(capture.stats().pending[0] + c.drained + c.budgetDropped, FAKE_DEPTH, "nothing lost unaccounted");
	});
	it("drains a full ring of many IDs in one tick", () => {
		const { time, capture, view } = setup();
		view.touchLive();
		for (let k = 0; k < FAKE_DEPTH; k++) capture.put({ tsUs: k, id: 0x280 + (k % 4), bus: 0, data: [k & 255] });
		time.advance(DRAIN_MS);
		assert.equal(view.counts().drained, FAKE_DEPTH);
		assert.equal(view.live.rows.length, 4);
		assert.equal(ENTRY_SIZE, 28);
	});
});
