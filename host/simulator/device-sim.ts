/*
 * The simulator's side of the device services (modules/device): an
 * equivalent for each board adapter, and the controls a bench has.
 *
 *   Wi-Fi      a simulated radio: the access point is up at once; joining
 *              takes ~300 ms and succeeds only for SIM_NETWORKS with the
 *              right passphrase (state changes show in GET /api/network)
 *   mDNS       simulated: the name is "claimed" after 100 ms (no multicast)
 *   DNS        a real UDP responder on 127.0.0.1 (port `dnsPort`, 0 = any
 *              free one), answering with the access point's 192.168.4.1
 *   SNTP       the host's clock, when the joined network has internet
 *   inputs     the mode button and the external input: POST /api/sim/button,
 *              /api/sim/inputs, and `--press-button` at start
 *   LED        the last colour written (GET /api/status shows the state)
 *   mirrors    the C core's ohx_mirror through the Node binding, sampled
 *              every 1 ms like the board's esp_timer; the brake inputs are
 *              simulator controls (POST /api/sim/inputs)
 *   ohxdata    the partition's range inside the simulated flash file
 *   watchdog   a timer outside the firmware: when the firmware stops
 *              feeding it (a JS stall: POST /api/sim/stall), the board
 *              "resets" with reason task-watchdog
 *   resets     power-on at start, software for a restart, panic for
 *              POST /api/sim/crash, task-watchdog for the watchdog
 *
 * The device-sim outlives the firmware's simulated reboots (like the car).
 */

import dgram from "node:dgram";
import fs from "node:fs";
import path from "node:path";
import { jsonResponse, HttpError } from "api/errors";
import type { Firmware } from "app/firmware";
import type { Response } from "api/http";
import type { Logger } from "ports/log";
import type { AccessPointConfig, MdnsPort, SntpPort, StationConfig, StationEvent, UdpPort, WifiPort } from "ports/network";
import type { BrakeMirrorPort, DigitalInputs, InputName, LedPort, MirrorChannel, MirrorConfig, MirrorStatus } from "ports/io";
import type { PartitionPort } from "ports/partition";
import type { HardwareWatchdog } from "ports/watchdog";
import { parsePartitionCsv } from "../adapters/flash/partition-table";
import { deviceStatusFields, type DevicePorts, type DeviceServices } from "device/services";
import { LONG_PRESS_MS } from "device/button";
import type { FlashBoard } from "../adapters/flash/board";
import { bindingAvailable, loadOhxCan } from "../adapters/can-bridge-node";
import { ROOT } from "./package-info";

/** Networks the simulated radio can join. */
export const SIM_NETWORKS: Record<string, { password: string; internet: boolean; address: string; rssi: number }> = {
	SimHome: { password: "simhome123", internet: true, address: "10.77.0.23", rssi: -58 },
	SimNoInternet: { password: "", internet: false, address: "10.78.0.5", rssi: -71 },
};

export const SIM_MAC = "02:00:00:c6:4a:d1";

class SimWifi implements WifiPort {
	ap: AccessPointConfig | undefined;
	#listener: ((e: StationEvent) => void) | undefined;
	#joined: string | undefined;
	#timer: NodeJS.Timeout | undefined;
	constructor(readonly joinDelayMs: number) {}
	macAddress(): string {
		return SIM_MAC;
	}
	startAccessPoint(config: AccessPointConfig): void {
		this.ap = { ...config };
	}
	connectStation(config: StationConfig): void {
		clearTimeout(this.#timer);
		this.#joined = undefined;
		this.#timer = setTimeout(() => {
			const net = SIM_NETWORKS[config.ssid];
			if (!net || net.password !== config.password) {
				this.#listener?.("disconnected");
				return;
			}
			this.#joined = config.ssid;
			this.#listener?.("connected");
			this.#listener?.("gotIP");
		}, this.joinDelayMs);
	}
	disconnectStation(): void {
		clearTimeout(this.#timer);
		this.#joined = undefined;
	}
	onStation(listener: (event: StationEvent) => void): void {
		this.#listener = listener;
	}
	stationInfo() {
		const net = this.#joined ? SIM_NETWORKS[this.#joined] : undefined;
		return net ? { address: net.address, rssi: net.rssi, gateway: net.address.replace(/\.\d+$/, ".1") } : {};
	}
	accessPointClients(): number {
		return 1;
	}
	get joined(): string | undefined {
		return this.#joined;
	}
	stop(): void {
		clearTimeout(this.#timer);
	}
}

class SimMdns implements MdnsPort {
	#timer: NodeJS.Timeout | undefined;
	start(hostName: string, _services: unknown, onClaimed: (name: string | undefined) => void): void {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => onClaimed(hostName), 100);
	}
	stop(): void {
		clearTimeout(this.#timer);
	}
}

/** UDP sockets on 127.0.0.1: the DNS responder is a real one. */
const nodeUdp: UdpPort = {
	bind(port, onMessage) {
		const socket = dgram.createSocket("udp4");
		socket.on("message", (msg, rinfo) => onMessage(new Uint8Array(msg), rinfo.address, rinfo.port));
		socket.on("error", () => socket.close());
		socket.bind(port, "127.0.0.1");
		let bound = port;
		socket.on("listening", () => {
			bound = socket.address().port;
		});
		return {
			get port() {
				return bound;
			},
			send(address, p, data) {
				socket.send(data, p, address);
			},
			close() {
				try {
					socket.close();
				} catch {
					/* already closed */
				}
			},
		};
	},
};

class SimInputs implements DigitalInputs {
	levels: Record<InputName, boolean> = { modeButton: false, externalMode: false };
	#watch: Partial<Record<InputName, (active: boolean) => void>> = {};
	watch(name: InputName, onChange: (active: boolean) => void): void {
		this.#watch[name] = onChange;
	}
	read(name: InputName): boolean {
		return this.levels[name];
	}
	set(name: InputName, active: boolean): void {
		if (this.levels[name] === active) return;
		this.levels[name] = active;
		this.#watch[name]?.(active);
	}
	reset(): void {
		this.#watch = {};
	}
}

class SimLed implements LedPort {
	rgb = 0;
	writes = 0;
	show(rgb: number): void {
		this.rgb = rgb;
		this.writes++;
	}
}

interface NativeMirror {
	update(level: boolean, nowMs: number): boolean;
	configure(c: { mode: number; debounceMs: number }): void;
	status(): { mode: number; debounceMs: number; input: boolean; output: boolean; changes: number };
}
const MIRROR_MODES = ["off", "follow", "invert"] as const;

/** The C mirrors, sampled every 1 ms; `inputs` are what the switches do. */
class SimMirrors implements BrakeMirrorPort {
	readonly inputs: Record<MirrorChannel, boolean> = { brake: false, handbrake: false };
	readonly #m: Record<MirrorChannel, NativeMirror>;
	readonly #t0 = performance.now();
	#timer: NodeJS.Timeout;
	/** When each output last changed (ms, the sampler's clock), for timing checks. */
	readonly changedAt: Record<MirrorChannel, number> = { brake: -1, handbrake: -1 };
	constructor() {
		const b = loadOhxCan() as unknown as { Mirror: new (c?: { mode: number; debounceMs: number }) => NativeMirror };
		this.#m = { brake: new b.Mirror(), handbrake: new b.Mirror() };
		this.#timer = setInterval(() => this.sample(), 1);
		this.#timer.unref?.();
	}
	now(): number {
		return performance.now() - this.#t0;
	}
	sample(): void {
		const now = this.now();
		for (const ch of ["brake", "handbrake"] as MirrorChannel[]) {
			const before = this.#m[ch].status().output;
			if (this.#m[ch].update(this.inputs[ch], Math.floor(now)) !== before) this.changedAt[ch] = now;
		}
	}
	configure(channel: MirrorChannel, config: MirrorConfig): void {
		this.#m[channel].configure({ mode: MIRROR_MODES.indexOf(config.mode), debounceMs: config.debounceMs });
	}
	status(channel: MirrorChannel): MirrorStatus {
		const s = this.#m[channel].status();
		return { mode: MIRROR_MODES[s.mode], debounceMs: s.debounceMs, input: s.input, output: s.output, changes: s.changes };
	}
	stop(): void {
		clearInterval(this.#timer);
	}
}

/** The "ohxdata" partition inside the simulated flash (NOR rules enforced by NorFlash). */
function ohxdataPartition(board: FlashBoard): PartitionPort {
	const part = parsePartitionCsv(fs.readFileSync(path.join(ROOT, "partitions.csv"), "utf8")).find((p) => p.name === "ohxdata");
	if (!part) throw new Error("partitions.csv has no ohxdata partition");
	const flash = board.flash;
	return {
		size: part.size,
		sectorSize: 4096,
		read: (offset, length) => flash.read(part.offset + offset, length),
		write(offset, bytes) {
			if (offset < 0 || offset + bytes.length > part.size) throw new RangeError("write outside ohxdata");
			flash.write(part.offset + offset, bytes);
		},
		erase(sector) {
			if (sector < 0 || sector * 4096 >= part.size) throw new RangeError("erase outside ohxdata");
			flash.eraseSector(part.offset + sector * 4096);
		},
	};
}

/**
 * The hardware watchdog, outside the firmware. A feed that comes later than
 * the timeout after the previous one counts as expired, as on the chip,
 * where the reset would have happened during the gap; the periodic check
 * catches a firmware that stops feeding altogether.
 */
class SimWatchdog implements HardwareWatchdog {
	#timeout = 0;
	#last = 0;
	#timer: NodeJS.Timeout | undefined;
	#fired = false;
	constructor(
		readonly onExpire: (staleMs: number) => void,
		readonly overrideMs?: number,
	) {}
	start(timeoutMs: number): void {
		this.#timeout = this.overrideMs ?? timeoutMs;
		this.#last = performance.now();
		clearInterval(this.#timer);
		this.#timer = setInterval(() => this.#check(), 100);
		this.#timer.unref?.();
	}
	feed(): void {
		this.#check();
		this.#last = performance.now();
	}
	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}
	#check(): void {
		const stale = performance.now() - this.#last;
		if (this.#fired || !this.#timer || stale <= this.#timeout) return;
		this.#fired = true;
		this.stop();
		setImmediate(() => this.onExpire(Math.round(stale)));
	}
}

export interface DeviceSimOptions {
	board: FlashBoard;
	logger: Logger;
	/** Restart the simulated board (Simulator.reboot). */
	reboot: (why: string) => Promise<void>;
	/** UDP port of the captive DNS responder on 127.0.0.1 (0 = a free one). */
	dnsPort?: number;
	/** How long joining a simulated network takes (ms). */
	joinDelayMs?: number;
	/** Hardware watchdog timeout for the simulated board (default: the firmware's). */
	watchdogTimeoutMs?: number;
}

export interface DeviceSim {
	/** This boot's device services (undefined between boots). */
	readonly services: DeviceServices | undefined;
	readonly wifi: SimWifi;
	readonly inputs: SimInputs;
	readonly led: SimLed;
	readonly mirrors: SimMirrors | undefined;
	/** The reset reason the next boot reports. */
	resetReason(): string;
	/** The board's addresses for the Host check. */
	addresses(): string[];
	/** This boot's simulated adapters, for Platform.device (createFirmware builds the device services over them). */
	ports(): DevicePorts;
	/** Call after createFirmware(): takes its device services and adds the simulator's controls. */
	boot(firmware: Firmware): DeviceServices;
	shutdown(): void;
	/** Press the mode button like a finger: short (150 ms) or long (LONG_PRESS_MS + 200 ms). */
	pressButton(kind: "short" | "long"): number;
	/** A firmware crash: the board resets with this reason. */
	crash(reason?: "panic" | "int-watchdog"): Promise<void>;
	/** Block the JS thread (the event loop) for ms: a stalled firmware. */
	stall(ms: number): void;
	stop(): void;
}

export function createDeviceSim(options: DeviceSimOptions): DeviceSim {
	const wifi = new SimWifi(options.joinDelayMs ?? 300);
	const inputs = new SimInputs();
	const led = new SimLed();
	let mirrors: SimMirrors | undefined;
	if (bindingAvailable()) {
		try {
			mirrors = new SimMirrors();
		} catch (e) {
			options.logger.log("warn", `brake mirrors not simulated: ${e instanceof Error ? e.message : String(e)}`);
		}
	}
	const partition = ohxdataPartition(options.board);
	let nextReason = "power-on";
	let services: DeviceServices | undefined;
	let watchdog: SimWatchdog | undefined;
	let bootPorts: DevicePorts | undefined;
	const presses: NodeJS.Timeout[] = [];

	const sntp: SntpPort = {
		request(_servers, done) {
			const t = setTimeout(() => {
				const net = wifi.joined ? SIM_NETWORKS[wifi.joined] : undefined;
				if (net?.internet) done(Date.now());
				else done(undefined, "no response from SNTP server (the simulated network has no internet)");
			}, 50);
			return { cancel: () => clearTimeout(t) };
		},
	};

	function restart(reason: string, why: string): Promise<void> {
		nextReason = reason;
		return options.reboot(why);
	}

	const sim: DeviceSim = {
		get services() {
			return services;
		},
		wifi,
		inputs,
		led,
		mirrors,
		resetReason: () => nextReason,
		addresses: () => services?.addresses() ?? [],
		ports() {
			if (bootPorts) return bootPorts;
			watchdog = new SimWatchdog((stale) => {
				options.logger.log("error", `simulated hardware watchdog: not fed for ${stale} ms; resetting the board`);
				void restart("task-watchdog", "hardware watchdog");
			}, options.watchdogTimeoutMs);
			bootPorts = { wifi, mdns: new SimMdns(), udp: nodeUdp, sntp, inputs, led, mirrors, partition, watchdog };
			return bootPorts;
		},
		boot(firmware) {
			// createFirmware built the device services over sim.ports(); the simulator adds its controls.
			services = firmware.device;
			// The device part of the status on its own (GET /api/status carries it too).
			firmware.router.add({ method: "GET", path: "/api/sim/device", handle: () => jsonResponse(200, deviceStatusFields(services!)) });
			registerSimControls(firmware);
			nextReason = "software"; // what the next reboot reports unless a crash says otherwise
			return services;
		},
		shutdown() {
			for (const t of presses.splice(0)) clearTimeout(t);
			watchdog?.stop();
			bootPorts = undefined;
			services?.stop();
			inputs.reset();
			services = undefined;
		},
		pressButton(kind) {
			const hold = kind === "long" ? LONG_PRESS_MS + 200 : 150;
			inputs.set("modeButton", true);
			presses.push(setTimeout(() => inputs.set("modeButton", false), hold));
			return hold;
		},
		crash(reason = "panic") {
			options.logger.log("error", `simulated crash (${reason})`);
			return restart(reason, `simulated ${reason}`);
		},
		stall(ms) {
			options.logger.log("warn", `stalling the firmware's JS for ${ms} ms`);
			// A real stall: nothing else on this thread runs, timers included.
			const end = performance.now() + ms;
			while (performance.now() < end) {
				/* spin */
			}
		},
		stop() {
			sim.shutdown();
			wifi.stop();
			mirrors?.stop();
		},
	};

	function registerSimControls(firmware: Firmware): void {
		const r = firmware.router;
		// Once the owner has a password, the simulator's controls need it too: they crash, stall
		// and rewire the board. The long press stays open: it stands for a hand on the board (its
		// job is the forgotten password), and a page on another port cannot reach it (api/origin).
		r.add({
			method: "POST",
			path: "/api/sim/button",
			body: "json",
			handle: (_q, body) => {
				const press = (body as { press?: unknown } | undefined)?.press;
				if (press !== "short" && press !== "long") throw new HttpError(400, "bad_press", 'press must be "short" or "long".');
				return jsonResponse(202, { press, releasedInMs: sim.pressButton(press) });
			},
		});
		r.add({
			method: "POST",
			path: "/api/sim/inputs",
			body: "json",
			handle: (q, body) => {
				const refused = ownerOnly(firmware, q.headers.authorization);
				if (refused) return refused;
				const b = (body ?? {}) as Record<string, unknown>;
				for (const [k, v] of Object.entries(b)) {
					if (typeof v !== "boolean") throw new HttpError(400, "bad_input", `${k} must be true or false.`);
					if (k === "brake" || k === "handbrake") {
						if (!mirrors) throw new HttpError(503, "no_mirrors", "The CAN core's Node binding is not built: no brake mirrors.");
						mirrors.inputs[k] = v;
					} else if (k === "externalMode") inputs.set("externalMode", v);
					else throw new HttpError(400, "bad_input", `Unknown input "${k}" (brake, handbrake, externalMode).`);
				}
				return jsonResponse(200, {
					inputs: { ...(mirrors?.inputs ?? {}), externalMode: inputs.levels.externalMode },
					outputs: mirrors ? { brake: mirrors.status("brake"), handbrake: mirrors.status("handbrake") } : null,
				});
			},
		});
		r.add({
			method: "POST",
			path: "/api/sim/crash",
			body: "json",
			handle: (q, body) => {
				const refused = ownerOnly(firmware, q.headers.authorization);
				if (refused) return refused;
				const kind = (body as { kind?: unknown } | undefined)?.kind ?? "panic";
				if (kind !== "panic" && kind !== "int-watchdog") throw new HttpError(400, "bad_crash", 'kind must be "panic" or "int-watchdog".');
				return {
					...jsonResponse(202, { crashing: kind }),
					afterSend: () => {
						void sim.crash(kind);
					},
				};
			},
		});
		r.add({
			method: "POST",
			path: "/api/sim/stall",
			body: "json",
			handle: (q, body) => {
				const refused = ownerOnly(firmware, q.headers.authorization);
				if (refused) return refused;
				const ms = (body as { ms?: unknown } | undefined)?.ms;
				if (typeof ms !== "number" || ms < 1 || ms > 60_000) throw new HttpError(400, "bad_stall", "ms must be 1 to 60000.");
				return { ...jsonResponse(202, { stallingMs: ms }), afterSend: () => setImmediate(() => sim.stall(ms)) };
			},
		});
	}

	return sim;
}

/** The admin password's check, once a password exists (before setup, as on a fresh board, anyone may). */
export function ownerOnly(firmware: Firmware, authorization: string | undefined): Response | undefined {
	return firmware.auth.hasPassword() ? firmware.auth.check(authorization) : undefined;
}
