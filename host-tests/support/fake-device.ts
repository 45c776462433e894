/*
 * Recording fakes for the device ports (modules/ports/network, io,
 * partition, watchdog). Portable TypeScript: they run inside XS too. They
 * keep state and enforce the real rules (NOR flash only clears bits), so
 * tests can check persistence and wear, not just calls.
 */

import type { AccessPointConfig, MdnsPort, MdnsService, SntpPort, StationConfig, StationEvent, UdpPort, UdpSocket, WifiPort } from "ports/network";
import type { BrakeMirrorPort, DigitalInputs, InputName, LedPort, MirrorChannel, MirrorConfig, MirrorStatus } from "ports/io";
import { FLASH_SECTOR_SIZE, type PartitionPort } from "ports/partition";
import type { HardwareWatchdog } from "ports/watchdog";

/** NOR flash in memory: erase -> 0xFF, write ANDs bits; counts erases per sector. */
export class MemoryPartition implements PartitionPort {
	readonly bytes: Uint8Array;
	readonly sectorSize = FLASH_SECTOR_SIZE;
	readonly erases: number[];
	writes = 0;
	/** When set, the next write stops after this many bytes (a power cut). */
	cutNextWriteAfter: number | undefined;
	constructor(readonly size = 15 * FLASH_SECTOR_SIZE) {
		this.bytes = new Uint8Array(size).fill(0xff);
		this.erases = new Array(size / FLASH_SECTOR_SIZE).fill(0);
	}
	read(offset: number, length: number): Uint8Array {
		if (offset < 0 || offset + length > this.size) throw new RangeError("read outside the partition");
		return this.bytes.slice(offset, offset + length);
	}
	write(offset: number, data: Uint8Array): void {
		if (offset < 0 || offset + data.length > this.size) throw new RangeError("write outside the partition");
		const n = this.cutNextWriteAfter ?? data.length;
		this.cutNextWriteAfter = undefined;
		for (let i = 0; i < Math.min(n, data.length); i++) this.bytes[offset + i] &= data[i];
		this.writes++;
	}
	erase(sector: number): void {
		if (sector < 0 || sector >= this.erases.length) throw new RangeError("erase outside the partition");
		this.bytes.fill(0xff, sector * this.sectorSize, (sector + 1) * this.sectorSize);
		this.erases[sector]++;
	}
}

/** A Wi-Fi adapter the test drives: networks it can join, and events on demand. */
export class FakeWifi implements WifiPort {
	ap: AccessPointConfig | undefined;
	apStarts = 0;
	station: StationConfig | undefined;
	connects: StationConfig[] = [];
	disconnects = 0;
	address: string | undefined;
	clients = 0;
	#listener: ((e: StationEvent) => void) | undefined;
	macAddress(): string {
		return "40:4c:ca:12:ab:cd";
	}
	startAccessPoint(config: AccessPointConfig): void {
		this.ap = { ...config };
		this.apStarts++;
	}
	connectStation(config: StationConfig): void {
		this.station = { ...config };
		this.connects.push({ ...config });
	}
	disconnectStation(): void {
		this.station = undefined;
		this.address = undefined;
		this.disconnects++;
	}
	onStation(listener: (event: StationEvent) => void): void {
		this.#listener = listener;
	}
	stationInfo() {
		return this.address ? { address: this.address, rssi: -55, gateway: "10.0.0.1" } : {};
	}
	accessPointClients(): number {
		return this.clients;
	}
	/** The test: the network answered. */
	emit(event: StationEvent, address?: string): void {
		if (event === "gotIP") this.address = address ?? "10.0.0.23";
		if (event === "disconnected" || event === "lostIP") this.address = undefined;
		this.#listener?.(event);
	}
}

export class FakeMdns implements MdnsPort {
	starts: { hostName: string; services: MdnsService[] }[] = [];
	stops = 0;
	#claimed: ((name: string | undefined, error?: string) => void) | undefined;
	start(hostName: string, services: MdnsService[], onClaimed: (name: string | undefined, error?: string) => void): void {
		this.starts.push({ hostName, services });
		this.#claimed = onClaimed;
	}
	stop(): void {
		this.stops++;
	}
	claim(name: string | undefined, error?: string): void {
		this.#claimed?.(name, error);
	}
}

export class FakeUdp implements UdpPort {
	sockets: {
		port: number;
		onMessage: (d: Uint8Array, a: string, p: number) => void;
		sent: { address: string; port: number; data: Uint8Array }[];
		closed: boolean;
	}[] = [];
	bind(port: number, onMessage: (data: Uint8Array, address: string, port: number) => void): UdpSocket {
		const s = { port: port || 5353, onMessage, sent: [] as { address: string; port: number; data: Uint8Array }[], closed: false };
		this.sockets.push(s);
		return {
			port: s.port,
			send: (address, p, data) => {
				s.sent.push({ address, port: p, data });
			},
			close: () => {
				s.closed = true;
			},
		};
	}
}

export class FakeSntp implements SntpPort {
	requests: { servers: string[]; done: (epochMs: number | undefined, error?: string) => void; cancelled: boolean }[] = [];
	request(servers: string[], done: (epochMs: number | undefined, error?: string) => void) {
		const r = { servers, done, cancelled: false };
		this.requests.push(r);
		return {
			cancel: () => {
				r.cancelled = true;
			},
		};
	}
	answer(epochMs: number | undefined, error?: string): void {
		const r = this.requests[this.requests.length - 1];
		r.done(epochMs, error);
	}
}

export class FakeInputs implements DigitalInputs {
	levels: Record<InputName, boolean> = { modeButton: false, externalMode: false };
	#watchers: Partial<Record<InputName, (active: boolean) => void>> = {};
	watch(name: InputName, onChange: (active: boolean) => void): void {
		this.#watchers[name] = onChange;
	}
	read(name: InputName): boolean {
		return this.levels[name];
	}
	set(name: InputName, active: boolean): void {
		this.levels[name] = active;
		this.#watchers[name]?.(active);
	}
}

export class FakeLed implements LedPort {
	shown: number[] = [];
	show(rgb: number): void {
		this.shown.push(rgb);
	}
}

export class FakeMirrors implements BrakeMirrorPort {
	config: Record<MirrorChannel, MirrorConfig> = { brake: { mode: "off", debounceMs: 0 }, handbrake: { mode: "off", debounceMs: 0 } };
	configure(channel: MirrorChannel, config: MirrorConfig): void {
		this.config[channel] = { ...config };
	}
	status(channel: MirrorChannel): MirrorStatus {
		return { ...this.config[channel], input: false, output: this.config[channel].mode === "invert", changes: 0 };
	}
}

export class FakeWatchdog implements HardwareWatchdog {
	timeoutMs = 0;
	feeds = 0;
	start(timeoutMs: number): void {
		this.timeoutMs = timeoutMs;
	}
	feed(): void {
		this.feeds++;
	}
}
