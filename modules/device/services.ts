/*
 * Device services, composed: network, captive DNS, mDNS, SNTP, the mode
 * button and external input, the status LED, brake mirrors, reset reason
 * and safe mode, the hardware watchdog and the event log.
 *
 * How a composition root uses it (see docs/device.md, "Wiring"):
 *
 *   const device = createDeviceServices({ ...platform, ports, config, signals, modes,
 *       physicalPresence: () => auth.physicalPresence(), setupOpen: () => auth.setupWindow().open,
 *       controller: haldex.controller });
 *   // device.safeMode.active: do not start the controller (it is already off)
 *   registerDeviceRoutes(router, device);
 *   status = { ...status, ...deviceStatusFields(device) };
 *   device.start();      // network, LED, button, watchdog, housekeeping
 *   device.stop();       // simulated reboot / shutdown (flushes the log)
 *
 * Construction does the boot-time work at once (reset reason, crash
 * streak, safe-mode decision, the "boot" log entry), so the caller knows
 * about safe mode before it starts anything else.
 */

import type { Clock } from "ports/clock";
import type { Logger } from "ports/log";
import type { KeyValueStore } from "ports/store";
import type { SystemInfo } from "ports/system";
import type { TimerHandle, Timers } from "ports/timers";
import type { MdnsPort, SntpPort, UdpPort, WifiPort } from "ports/network";
import type { BrakeMirrorPort, DigitalInputs, LedPort, MirrorChannel } from "ports/io";
import type { PartitionPort } from "ports/partition";
import type { HardwareWatchdog } from "ports/watchdog";
import { decideBoot, normalizeResetReason, readBootRecord, writeBootRecord, STABLE_AFTER_MS, type BootDecision } from "device/boot-record";
import { EventLog, type EventKind } from "device/event-log";
import { NetworkService, AP_ADDRESS, type StationState } from "device/network";
import { ButtonGestures, nextFavourite, type Gesture } from "device/button";
import { LED_FRAME_MS, ledColorAt, ledState, type LedState } from "device/led";
import { loadDeviceSettings, saveDeviceSettings, patchDeviceSettings, type DeviceSettings } from "device/settings";

/** How often the LED re-reads its slower signals (update, trial, bus fault, watchdog, setup window). */
export const LED_SIGNALS_MS = 200;

export const HOUSEKEEPING_MS = 1000;
export const WATCHDOG_TIMEOUT_MS = 10_000;

/** Platform adapters only the device services use. Each is optional: a missing one is reported, not faked. */
export interface DevicePorts {
	wifi?: WifiPort;
	mdns?: MdnsPort;
	udp?: UdpPort;
	sntp?: SntpPort;
	inputs?: DigitalInputs;
	led?: LedPort;
	mirrors?: BrakeMirrorPort;
	/** The "ohxdata" partition (event log). */
	partition?: PartitionPort;
	watchdog?: HardwareWatchdog;
}

/** What the rest of the firmware tells the LED and the event log. Missing getters read as false / STOCK. */
export interface DeviceSignals {
	/** Mode the bridge applies (the controller's effective mode). */
	effectiveMode?: () => string;
	busFault?: () => boolean;
	watchdogFallback?: () => boolean;
	updating?: () => boolean;
	pendingVerify?: () => boolean;
}

export interface DeviceDeps {
	clock: Clock;
	timers: Timers;
	store: KeyValueStore;
	system: SystemInfo;
	logger: Logger;
	ports: DevicePorts;
	config: { hostName: string; httpPort: number; dnsPort?: number };
	signals?: DeviceSignals;
	/** The driver's selected mode, and how to change it (the button, the external input). */
	modes?: { current(): string; select(mode: string): void };
	/** A long press: AdminAuth.physicalPresence(). */
	physicalPresence?: () => void;
	setupOpen?: () => boolean;
	/** Safe mode turns it off at once (HaldexController.turnOff). */
	controller?: { turnOff(reason: string): void };
}

export interface DeviceServices {
	readonly boot: BootDecision;
	readonly safeMode: { active: boolean; reason?: string };
	readonly events: EventLog;
	readonly network: NetworkService | undefined;
	readonly ports: DevicePorts;
	settings(): DeviceSettings;
	updateSettings(patch: unknown): DeviceSettings;
	/** The LED as it is now (a pure function of the signals). */
	led(): LedState & { hex: string };
	/** A button gesture, as if the button did it (the adapters call it through the inputs port). */
	gesture(g: Gesture): void;
	/** AdminAuth's onEvent hook. */
	authEvent(event: "login_failed" | "locked_out" | "password_set", detail: string): void;
	/** Addresses for the Host check: the access point's and the home network's. */
	addresses(): string[];
	/** Log an event (updates, rollbacks, ...). */
	record(kind: EventKind, message: string): void;
	start(): void;
	stop(): void;
}

export function createDeviceServices(deps: DeviceDeps): DeviceServices {
	const { clock, timers, store, logger, ports } = deps;
	const reason = normalizeResetReason(deps.system.resetReason());
	const boot = decideBoot(readBootRecord(store), reason);
	try {
		writeBootRecord(store, boot.record);
	} catch (e) {
		logger.log("error", `boot record not written: ${e instanceof Error ? e.message : String(e)}`);
	}

	const events = new EventLog({ clock, timers, partition: ports.partition, logger, boot: boot.record.boots });
	events.record("boot", `boot ${boot.record.boots}: reset reason ${reason}${boot.record.streak ? ` (crash ${boot.record.streak} in a row)` : ""}`);
	const safeMode = { active: boot.safeMode, ...(boot.safeModeReason ? { reason: boot.safeModeReason } : {}) };
	if (safeMode.active) {
		deps.controller?.turnOff("safe mode after repeated crashes");
		events.record("safe-mode", safeMode.reason!);
		logger.log("error", safeMode.reason!);
	}

	let settings = loadDeviceSettings(store);
	const sig = deps.signals ?? {};
	const read = (f: (() => boolean) | undefined) => {
		try {
			return f ? f() : false;
		} catch {
			return false;
		}
	};
	const mode = () => {
		try {
			return sig.effectiveMode?.() ?? "STOCK";
		} catch {
			return "STOCK";
		}
	};
	// The LED is drawn 20 times a second; building its state each frame cost about 100 slots
	// (the signals read the bridge's health, the OTA state, the setup window). So the signals
	// are sampled every LED_SIGNALS_MS, the mode every frame, and a new LedState is made only
	// when one of them changed: an unchanged frame allocates nothing.
	let ledAt = -Infinity;
	let ledMode = "",
		ledFlags = -1;
	let ledLast: (LedState & { hex: string }) | undefined;
	const ledFlag = (on: boolean, bit: number) => (on ? bit : 0);
	let signalFlags = 0;
	const currentLed = (): LedState & { hex: string } => {
		const now = clock.monotonicMs();
		if (now - ledAt >= LED_SIGNALS_MS || now < ledAt) {
			ledAt = now;
			signalFlags =
				ledFlag(read(sig.updating), 1) |
				ledFlag(read(sig.pendingVerify), 2) |
				ledFlag(read(sig.busFault), 4) |
				ledFlag(read(sig.watchdogFallback), 8) |
				ledFlag(read(deps.setupOpen), 16);
		}
		const m = safeMode.active ? "STOCK" : mode();
		const flags = signalFlags | ledFlag(safeMode.active, 32);
		if (!ledLast || m !== ledMode || flags !== ledFlags) {
			ledMode = m;
			ledFlags = flags;
			ledLast = ledState({
				mode: m,
				safeMode: (flags & 32) !== 0,
				updating: (flags & 1) !== 0,
				pendingVerify: (flags & 2) !== 0,
				busFault: (flags & 4) !== 0,
				watchdogFallback: (flags & 8) !== 0,
				setupOpen: (flags & 16) !== 0,
			});
		}
		return ledLast;
	};

	const network = ports.wifi
		? new NetworkService({
				wifi: ports.wifi,
				mdns: ports.mdns,
				udp: ports.udp,
				sntp: ports.sntp,
				store,
				clock,
				timers,
				logger,
				hostName: deps.config.hostName,
				httpPort: deps.config.httpPort,
				dnsPort: deps.config.dnsPort,
				onEvent: (kind, message) => events.record(kind, message),
			})
		: undefined;

	let externalPrevious: string | undefined;
	function gesture(g: Gesture): void {
		if (g === "long") {
			deps.physicalPresence?.();
			events.record("setup", "setup window opened by a long press of the mode button");
			return;
		}
		if (safeMode.active || !deps.modes) return;
		const next = nextFavourite(settings.favouriteModes, deps.modes.current());
		if (next) {
			try {
				deps.modes.select(next);
			} catch (e) {
				logger.log("warn", `button: mode ${next} refused: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
	}
	function externalInput(active: boolean): void {
		if (safeMode.active || !deps.modes || !settings.externalMode.enabled) return;
		try {
			if (active) {
				externalPrevious = deps.modes.current();
				deps.modes.select(settings.externalMode.mode);
			} else if (externalPrevious !== undefined) {
				deps.modes.select(externalPrevious);
				externalPrevious = undefined;
			}
		} catch (e) {
			logger.log("warn", `external mode input: ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	const button = new ButtonGestures(clock, timers, gesture);
	const applyMirrors = () => {
		if (!ports.mirrors) return;
		for (const ch of ["brake", "handbrake"] as MirrorChannel[]) {
			try {
				ports.mirrors.configure(ch, settings[ch]);
			} catch (e) {
				logger.log("error", `${ch} output: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
	};

	let ledTimer: TimerHandle | undefined, houseTimer: TimerHandle | undefined, stableTimer: TimerHandle | undefined;
	let lastRgb = -1;
	let seen = { mode: mode(), busFault: false, watchdogFallback: false, updating: false, pendingVerify: read(sig.pendingVerify) };
	if (seen.pendingVerify) events.record("update", "running a new firmware image, being verified (PENDING_VERIFY)");

	function housekeeping(): void {
		ports.watchdog?.feed();
		const now = {
			mode: mode(),
			busFault: read(sig.busFault),
			watchdogFallback: read(sig.watchdogFallback),
			updating: read(sig.updating),
			pendingVerify: read(sig.pendingVerify),
		};
		if (now.mode !== seen.mode) events.record("mode", `mode ${seen.mode} -> ${now.mode}`);
		if (now.busFault !== seen.busFault) events.record("bus-fault", now.busFault ? "CAN bus fault (bus-off or silent bus)" : "CAN buses healthy again");
		if (now.watchdogFallback !== seen.watchdogFallback)
			events.record("watchdog", now.watchdogFallback ? "bridge watchdog fell back to pass-through" : "bridge rewriting again");
		if (now.updating !== seen.updating) events.record("update", now.updating ? "firmware update started" : "firmware update ended");
		if (now.pendingVerify !== seen.pendingVerify && !now.pendingVerify) events.record("update", "new firmware confirmed (VALID)");
		seen = now;
	}

	const services: DeviceServices = {
		boot,
		safeMode,
		events,
		network,
		ports,
		settings: () => settings,
		updateSettings(patch: unknown) {
			const next = patchDeviceSettings(settings, patch);
			saveDeviceSettings(store, next);
			settings = next;
			applyMirrors();
			return settings;
		},
		led: currentLed,
		gesture,
		authEvent(event, detail) {
			events.record(event === "password_set" ? "setup" : "login", detail);
		},
		addresses: () => network?.addresses() ?? [AP_ADDRESS],
		record: (kind, message) => {
			events.record(kind, message);
		},
		start() {
			network?.start();
			applyMirrors();
			ports.inputs?.watch("modeButton", (active) => button.edge(active));
			ports.inputs?.watch("externalMode", (active) => externalInput(active));
			if (ports.inputs?.read("externalMode")) externalInput(true);
			ports.watchdog?.start(WATCHDOG_TIMEOUT_MS);
			houseTimer = timers.every(HOUSEKEEPING_MS, housekeeping);
			stableTimer = timers.after(STABLE_AFTER_MS, () => {
				try {
					writeBootRecord(store, { ...boot.record, stable: true, streak: 0, reasons: [] });
				} catch (e) {
					logger.log("error", `boot record not written: ${e instanceof Error ? e.message : String(e)}`);
				}
			});
			if (ports.led) {
				ledTimer = timers.every(LED_FRAME_MS, () => {
					const rgb = ledColorAt(services.led(), clock.monotonicMs());
					if (rgb !== lastRgb) {
						lastRgb = rgb;
						ports.led!.show(rgb);
					}
				});
			}
		},
		stop() {
			for (const t of [ledTimer, houseTimer, stableTimer]) timers.cancel(t);
			button.stop();
			network?.stop();
			events.stop();
		},
	};
	return services;
}

/** The device part of GET /api/status. */
export interface DeviceStatusFields {
	safeMode: boolean;
	banner?: string;
	boot: { count: number; resetReason: string; crashStreak: number };
	led: { color: string; rgb: string; pattern: string; reason: string };
	network: { addresses: string[]; station: StationState };
}

/** The device fields of GET /api/status, written into `out` when given (filled in place poll after poll). */
export function deviceStatusFields(device: DeviceServices, out?: DeviceStatusFields): DeviceStatusFields {
	const led = device.led();
	const o = out ?? ({ safeMode: false, boot: {}, led: {}, network: {} } as DeviceStatusFields);
	o.safeMode = device.safeMode.active;
	if (device.safeMode.active) o.banner = device.safeMode.reason;
	else delete o.banner;
	o.boot.count = device.boot.record.boots;
	o.boot.resetReason = device.boot.reason;
	o.boot.crashStreak = device.boot.record.streak;
	o.led.color = led.color;
	o.led.rgb = led.hex;
	o.led.pattern = led.pattern;
	o.led.reason = led.reason;
	o.network.addresses = device.addresses();
	o.network.station = device.network?.stationState ?? "disabled";
	return o;
}
