/*
 * The CAN view: drains the C core's capture ring while someone is looking
 * and hands every entry to whoever is: the CAN page's live table, candump
 * downloads in progress, and GVRET (SavvyCAN) clients.
 *
 * Nobody looking, the ring is disabled (the receive path then pays one
 * flag test). The page counts as looking for LIVE_IDLE_MS after its last
 * poll. Draining runs every DRAIN_MS from a timer, in batches into two
 * reused buffers (one per bus), merged by timestamp; a consumer that
 * cannot keep up loses entries, counted, and the bridge never notices.
 */

import type { CanCapture, VehicleState } from "ports/can";
import type { Clock } from "ports/clock";
import type { TimerHandle, Timers } from "ports/timers";
import type { TcpConnection, TcpHandlers, TcpServerPort } from "ports/tcp";
import type { BodySource } from "api/http";
import { BATCH_ENTRIES, ENTRY_SIZE, entryTs, filterBytes } from "canview/entries";
import { CandumpWriter } from "canview/candump";
import { GvretSession, type GvretHost } from "canview/gvret";
import { LiveTable } from "canview/live";

export const DRAIN_MS = 20;
/**
 * Longest a drain may run: a fifth of its period. Formatting a capture
 * entry costs XS several microseconds (npm run bench -- "CAN view"), so at
 * full bus rate the JS side, not the ring, is the limit; past the budget
 * the rest stays in the ring, which then drops (counted). The controller's
 * 50 Hz target refresh keeps its time, and so the bridge never falls back
 * to STOCK because someone is watching.
 */
export const DRAIN_BUDGET_MS = 4;
export const LIVE_IDLE_MS = 5000;
/** Longest candump download, and the default. */
export const CAPTURE_MAX_SECONDS = 600,
	CAPTURE_DEFAULT_SECONDS = 60;
/** One download and one GVRET client at a time: each holds a buffer, and the heap is fixed. */
export const MAX_DOWNLOADS = 1,
	MAX_GVRET_CLIENTS = 1;
/** A download's buffer: the connection is woken when it is half full, so 2 KiB keeps up with the drain. */
const DOWNLOAD_BUFFER = 2048;
/** Frames a GVRET client may send per second (the buses carry the car first). */
export const GVRET_SEND_PER_SECOND = 100;

export interface CanViewDeps {
	capture: CanCapture;
	timers: Timers;
	clock: Clock;
	vehicle(): VehicleState;
	/** The buses' bit rate (GVRET reports it). */
	bitrate?: number;
	/** GVRET device-info build number. */
	build?: number;
}

export interface CanViewCounts {
	/** Entries the capture ring dropped (drained too slowly), since the capture was last enabled. */
	ringDropped: [number, number];
	/** Entries taken from the ring. */
	drained: number;
	/** Entries taken from the ring but not handed out: a drain ran out of its time budget. */
	budgetDropped: number;
	/** Drains that ran out of their time budget. */
	budgetStops: number;
	/** Entries a download had no room for. */
	downloadDropped: number;
	/** The GVRET clients' own drops and counts, summed. */
	gvretOut: number;
	gvretDropped: number;
	gvretIn: number;
	gvretRefused: number;
}

/** A candump download in progress: its byte buffer is filled by the drain and read by the HTTP connection. */
class Download implements BodySource {
	readonly #view: CanView;
	readonly #writer: CandumpWriter;
	readonly #buffer = new Uint8Array(DOWNLOAD_BUFFER);
	readonly #untilMs: number;
	#length = 0;
	#sent = 0;
	/** The connection holds a view of [.., #sent): nothing before #length may move. */
	#lent = false;
	/** What it returns when it has nothing yet (api/http BodySource.wait). */
	readonly #empty = new Uint8Array(0);
	#resume: (() => void) | undefined;
	#ended = false;
	dropped = 0;

	constructor(view: CanView, untilMs: number, startSeconds: number) {
		this.#view = view;
		this.#untilMs = untilMs;
		this.#writer = new CandumpWriter(startSeconds);
	}

	/** @hot */
	add(batch: Uint8Array, i: number): void {
		if (this.#ended) return;
		if (!this.#lent && this.#sent === this.#length) this.#length = this.#sent = 0;
		const end = this.#writer.write(batch, i, this.#buffer, this.#length);
		if (end < 0) this.dropped++;
		else this.#length = end;
		// Half full and the connection waiting: let it take what the socket will now, mid-drain.
		const resume = this.#resume;
		if (resume && this.#length - this.#sent >= DOWNLOAD_BUFFER / 2) {
			this.#resume = undefined;
			resume();
		}
	}

	/** After each drain: wake the connection, or end at the time asked for. */
	tick(nowMs: number): void {
		if (!this.#ended && nowMs >= this.#untilMs) this.#ended = true;
		const resume = this.#resume;
		if (resume && (this.#length > this.#sent || this.#ended)) {
			this.#resume = undefined;
			resume();
		}
	}

	/**
	 * A view into the buffer, not a copy (no garbage per piece): the
	 * connection is done with a piece when it asks for the next one, so
	 * until then the buffer is only appended to, never moved (#lent).
	 */
	read(max: number): Uint8Array | undefined {
		this.#lent = false;
		if (this.#sent === this.#length) this.#length = this.#sent = 0;
		if (this.#length > this.#sent) {
			const n = Math.min(max, this.#length - this.#sent);
			const piece = this.#buffer.subarray(this.#sent, this.#sent + n);
			this.#sent += n;
			this.#lent = true;
			return piece;
		}
		return this.#ended ? undefined : this.#empty;
	}

	wait(resume: () => void): void {
		this.#resume = resume;
	}

	close(): void {
		this.#ended = true;
		this.#resume = undefined;
		this.#view.closeDownload(this);
	}
}

/** A GVRET client: its session and its socket. */
class GvretLink {
	readonly session: GvretSession;
	readonly connection: TcpConnection;

	constructor(session: GvretSession, connection: TcpConnection) {
		this.session = session;
		this.connection = connection;
	}

	/** Hand entry i to the session; half full, send what the socket takes now, mid-drain. @hot */
	frame(batch: Uint8Array, i: number): void {
		const s = this.session;
		s.frame(batch, i);
		if (s.length >= s.out.length >> 1) this.flush();
	}

	/** Send what the socket takes now. */
	flush(): void {
		const s = this.session;
		const n = Math.min(s.length, this.connection.writable());
		if (n <= 0) return;
		this.connection.write(s.out, n);
		s.consumed(n);
	}
}

export class CanView {
	readonly live = new LiveTable();
	readonly #deps: CanViewDeps;
	// Made when the capture starts, dropped when it stops: the fixed heap holds them only while someone looks.
	#batches: Uint8Array[] | undefined;
	readonly #downloads: Download[] = [];
	readonly #links: GvretLink[] = [];
	/** ohx_capture_filter_t's bytes, made when a filter is first set. */
	#filter: Uint8Array | undefined;
	#filterIds: number[] = [];
	#liveUntilMs = -1;
	#timer: TimerHandle | undefined;
	#enabled = false;
	#paused = false;
	#sendingOn = false;
	#sentThisSecond = 0;
	#secondStartMs = 0;
	#drained = 0;
	#budgetDropped = 0;
	#budgetStops = 0;
	#downloadDropped = 0;
	readonly #gvretDone = { out: 0, dropped: 0, in: 0, refused: 0 };
	#gvretHost: GvretHost | undefined;

	constructor(deps: CanViewDeps) {
		this.#deps = deps;
	}

	/** The page polled: keep the live table fed for LIVE_IDLE_MS more. */
	touchLive(): void {
		this.#liveUntilMs = this.#deps.clock.monotonicMs() + LIVE_IDLE_MS;
		this.#update();
	}

	/** Pause the live table (the page's pause button); downloads and GVRET go on. */
	setPaused(paused: boolean): void {
		this.#paused = paused;
	}

	get paused(): boolean {
		return this.#paused;
	}

	/** Keep only these standard IDs (empty: every frame). Applies to every consumer; clears the live table. */
	setFilter(ids: number[]): void {
		this.#filterIds = ids.slice(0, 2048);
		this.#filter = filterBytes(this.#filterIds, false, this.#filter);
		this.live.clear();
		if (this.#enabled) this.#deps.capture.configure(true, this.#filterIds.length ? this.#filter : undefined);
	}

	get filter(): number[] {
		return this.#filterIds.slice();
	}

	/** A candump download of the next `seconds`, or undefined when one is already running. */
	openDownload(seconds: number): BodySource | undefined {
		if (this.#downloads.length >= MAX_DOWNLOADS) return undefined;
		const clock = this.#deps.clock;
		const wall = clock.wallMs();
		const d = new Download(this, clock.monotonicMs() + seconds * 1000, wall > 0 ? wall / 1000 : clock.monotonicMs() / 1000);
		this.#downloads.push(d);
		this.#update();
		return d;
	}

	/** @internal Download.close() */
	closeDownload(d: Download): void {
		const i = this.#downloads.indexOf(d);
		if (i < 0) return;
		this.#downloads.splice(i, 1);
		this.#downloadDropped += d.dropped;
		this.#update();
	}

	get downloads(): number {
		return this.#downloads.length;
	}

	/** Let GVRET clients send onto the buses (the owner, with the password), or stop them. */
	setSending(on: boolean): void {
		this.#sendingOn = on;
	}

	get sendingEnabled(): boolean {
		return this.#sendingOn;
	}

	/** Sending is on and the car is not moving: a fresh speed of 0, or no speed ever seen (a bench, no car). */
	sendingAllowed(): boolean {
		if (!this.#sendingOn || !this.#deps.capture.transmit) return false;
		const v = this.#deps.vehicle();
		return v.speedAgeMs < 0 || (v.speedAgeMs <= 500 && v.speedKmh === 0);
	}

	get gvretClients(): number {
		return this.#links.length;
	}

	/** Serve GVRET on `port`; returns the listener. */
	serveGvret(tcp: TcpServerPort, port: number): { close(): void; port: number } {
		return serveGvret(tcp, port, () => this);
	}

	/** A GVRET client connected: its handlers, or undefined to turn it away (one at a time). */
	acceptGvret(connection: TcpConnection): TcpHandlers | undefined {
		if (this.#links.length >= MAX_GVRET_CLIENTS) return undefined;
		this.#gvretHost ??= {
			nowUs: () => Math.floor(this.#deps.clock.monotonicMs() * 1000) >>> 0,
			bitrate: this.#deps.bitrate ?? 500000,
			build: this.#deps.build ?? 1,
			sendingAllowed: () => this.sendingAllowed(),
			transmit: (bus, id, ext, data, length) => this.#transmit(bus, id, ext, data, length),
		};
		const link = new GvretLink(new GvretSession(this.#gvretHost), connection);
		this.#links.push(link);
		this.#update();
		return {
			onData: (bytes, length) => {
				link.session.receive(bytes, 0, length);
				link.flush();
			},
			onWritable: () => link.flush(),
			onClose: () => this.#dropLink(link),
		};
	}

	/** Close every GVRET client and download (shutdown). */
	stop(): void {
		for (const link of this.#links.slice()) {
			link.connection.close();
			this.#dropLink(link);
		}
		for (const d of this.#downloads.slice()) d.close();
		this.#liveUntilMs = -1;
		this.#update();
	}

	counts(): CanViewCounts {
		const stats = this.#deps.capture.stats();
		let out = this.#gvretDone.out,
			dropped = this.#gvretDone.dropped,
			inn = this.#gvretDone.in,
			refused = this.#gvretDone.refused;
		for (const l of this.#links) {
			out += l.session.counts.framesOut;
			dropped += l.session.counts.framesDropped;
			inn += l.session.counts.framesIn;
			refused += l.session.counts.framesRefused;
		}
		let downloadDropped = this.#downloadDropped;
		for (const d of this.#downloads) downloadDropped += d.dropped;
		return {
			ringDropped: [stats.dropped[0], stats.dropped[1]],
			drained: this.#drained,
			budgetDropped: this.#budgetDropped,
			budgetStops: this.#budgetStops,
			downloadDropped,
			gvretOut: out,
			gvretDropped: dropped,
			gvretIn: inn,
			gvretRefused: refused,
		};
	}

	/** Whether the capture is on (someone is looking). */
	get capturing(): boolean {
		return this.#enabled;
	}

	#transmit(bus: 0 | 1, id: number, ext: boolean, data: Uint8Array, length: number): boolean {
		const capture = this.#deps.capture;
		if (!capture.transmit || !this.sendingAllowed()) return false;
		const now = this.#deps.clock.monotonicMs();
		if (now - this.#secondStartMs >= 1000) {
			this.#secondStartMs = now;
			this.#sentThisSecond = 0;
		}
		if (this.#sentThisSecond >= GVRET_SEND_PER_SECOND) return false;
		try {
			capture.transmit(bus, id, ext, data, length);
		} catch {
			return false; // no room on the bus now: refused, the host may send again
		}
		this.#sentThisSecond++;
		return true;
	}

	#dropLink(link: GvretLink): void {
		const i = this.#links.indexOf(link);
		if (i < 0) return;
		this.#links.splice(i, 1);
		const c = link.session.counts;
		this.#gvretDone.out += c.framesOut;
		this.#gvretDone.dropped += c.framesDropped;
		this.#gvretDone.in += c.framesIn;
		this.#gvretDone.refused += c.framesRefused;
		this.#update();
	}

	#liveActive(): boolean {
		return this.#liveUntilMs >= 0 && this.#deps.clock.monotonicMs() < this.#liveUntilMs;
	}

	/** Capture on while anyone looks, off otherwise. */
	#update(): void {
		const wanted = this.#liveActive() || this.#downloads.length > 0 || this.#links.length > 0;
		if (wanted === this.#enabled) return;
		this.#enabled = wanted;
		this.#deps.capture.configure(wanted, wanted && this.#filterIds.length ? this.#filter : undefined);
		this.live.clear();
		if (wanted) {
			this.#batches = [new Uint8Array(BATCH_ENTRIES * ENTRY_SIZE), new Uint8Array(BATCH_ENTRIES * ENTRY_SIZE)];
			this.#timer = this.#deps.timers.every(DRAIN_MS, () => this.drain());
		} else {
			this.#deps.timers.cancel(this.#timer);
			this.#timer = undefined;
			this.#batches = undefined;
			this.live.watch(undefined);
		}
	}

	/** Take everything the ring holds now and hand it out (the timer's job; tests call it). */
	drain(): void {
		const capture = this.#deps.capture;
		const batches = this.#batches;
		if (!batches) return;
		const [b0, b1] = batches;
		const live = this.#liveActive() && !this.#paused;
		const clock = this.#deps.clock;
		const deadline = clock.monotonicMs() + DRAIN_BUDGET_MS;
		let over = false;
		let n0 = capture.read(0, b0),
			n1 = capture.read(1, b1),
			i0 = 0,
			i1 = 0;
		// Bounded: at most what the two rings held when the drain began, plus what arrives meanwhile.
		for (let rounds = 0; rounds < 64 && (n0 > 0 || n1 > 0) && !over; rounds++) {
			while (i0 < n0 || i1 < n1) {
				// Oldest first across the two buses (signed 32-bit difference: stamps wrap).
				const take0 = i1 >= n1 || (i0 < n0 && (entryTs(b0, i0) - entryTs(b1, i1)) << 0 <= 0);
				const batch = take0 ? b0 : b1;
				const i = take0 ? i0++ : i1++;
				if (live) this.live.add(batch, i);
				for (let d = 0; d < this.#downloads.length; d++) this.#downloads[d].add(batch, i);
				for (let l = 0; l < this.#links.length; l++) this.#links[l].frame(batch, i);
				this.#drained++;
				if ((this.#drained & 15) === 0 && clock.monotonicMs() >= deadline) {
					// Out of time: what is left of these batches is dropped here, counted; the ring keeps the rest.
					this.#budgetDropped += n0 - i0 + (n1 - i1);
					over = true;
					break;
				}
				// A batch used up: refill it before comparing again, so the merge stays in order.
				if (take0 && i0 === n0 && n0 === BATCH_ENTRIES) {
					n0 = capture.read(0, b0);
					i0 = 0;
				} else if (!take0 && i1 === n1 && n1 === BATCH_ENTRIES) {
					n1 = capture.read(1, b1);
					i1 = 0;
				}
			}
			if (over) break;
			n0 = capture.read(0, b0);
			n1 = capture.read(1, b1);
			i0 = i1 = 0;
		}
		if (over) this.#budgetStops++;
		const now = clock.monotonicMs();
		for (let d = this.#downloads.length - 1; d >= 0; d--) this.#downloads[d].tick(now);
		for (let l = 0; l < this.#links.length; l++) this.#links[l].flush();
		this.#update();
	}
}

/**
 * Listen for GVRET clients on `port`. The CanView is asked for only when
 * one connects (`view` may make it then): a firmware nobody watches keeps
 * no CAN view in its heap.
 */
export function serveGvret(tcp: TcpServerPort, port: number, view: () => CanView): { close(): void; port: number } {
	return tcp.listen(port, (connection) => view().acceptGvret(connection));
}
