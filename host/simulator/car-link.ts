/*
 * The simulator's CAN side: a simulated car on the chassis bus, the C core
 * (through its Node binding) in the middle, a simulated Haldex on the other
 * bus. Every millisecond of car time:
 *   car frames -> bridge (chassis side, maybe rewritten) -> simulated Haldex
 *   Haldex reports (0x2C0) -> bridge (Haldex side, untouched) -> car
 * The car is the drive cycle, or a candump log (`--can-log FILE`). A Gen5
 * link's car is an MQB car and its Haldex a Gen5 one (0x118, E2E checked);
 * setGeneration() swaps both, as the simulator does when the firmware's
 * haldexGeneration setting changes.
 *
 * The link outlives the firmware's simulated reboots, as the car and the
 * Haldex do; the bridge's own clock keeps running.
 *
 * step(nowMs) moves everything to nowMs (tests call it with a manual
 * clock); start() calls it from a 5 ms interval with the bridge's clock.
 */

import { NodeCanBridge, BUS_CHASSIS, BUS_HALDEX, bindingAvailable } from "../adapters/can-bridge-node";
import { DriveCycleCar, driveCycle, parkedCycle, type ChassisSource } from "../car/drive-cycle";
import { CandumpReplay } from "../car/candump";
import { SimulatedHaldex, type Generation } from "../car/haldex-sim";
import type { CanFrame } from "../car/frames";
import type { Logger } from "ports/log";

/** What the simulated car does: drive the cycle, or stand parked (ignition on, engine off). */
export type CarScenario = "drive" | "parked";

export interface CarLinkOptions {
	/** Replay this candump log instead of the drive cycle. */
	canLog?: string;
	/** Start driving (default) or parked; switch later with setScenario(). */
	scenario?: CarScenario;
	/** Any other chassis source (tests). */
	car?: ChassisSource;
	/** Haldex generation of the simulated coupling, and so of the car: 5 is an MQB car (default 4). */
	generation?: Generation;
	/** Monotonic ms for bridge and car; default: the bridge's own clock. */
	now?: () => number;
	logger?: Logger;
}

export interface CarLink {
	readonly bridge: NodeCanBridge;
	readonly car: ChassisSource;
	readonly scenario: CarScenario | "log";
	/** Switch the drive cycle car between driving and parked (not for a log replay). */
	setScenario(scenario: CarScenario): void;
	/** Swap the simulated car (PQ or MQB) and Haldex for another generation's; a log replay keeps its car. */
	setGeneration(generation: Generation): void;
	readonly haldex: SimulatedHaldex;
	/** Frames the chassis received from the Haldex side, by ID: the last one. */
	readonly chassisReceived: Map<number, CanFrame>;
	readonly stats: { chassisFrames: number; haldexFrames: number; rewritten: number; injected: number };
	step(nowMs?: number): void;
	start(intervalMs?: number): void;
	stop(): void;
}

export function createCarLink(options: CarLinkOptions = {}): CarLink {
	const bridge = new NodeCanBridge({ generation: options.generation ?? 4, now: options.now });
	const start = bridge.now();
	let scenario: CarScenario | "log" = options.canLog ? "log" : (options.scenario ?? "drive");
	let generation: Generation = options.generation ?? 4;
	const cycleCar = (s: CarScenario, at: number) => new DriveCycleCar(at, s === "parked" ? parkedCycle : driveCycle, generation === 5 ? "mqb" : "pq");
	let car: ChassisSource =
		options.car ?? (options.canLog ? CandumpReplay.fromFile(options.canLog, { startMs: start, loop: true }) : cycleCar(scenario as CarScenario, start));
	let haldex = new SimulatedHaldex(generation, start);
	const chassisReceived = new Map<number, CanFrame>();
	const stats = { chassisFrames: 0, haldexFrames: 0, rewritten: 0, injected: 0 };
	let timer: NodeJS.Timeout | undefined;
	// Frames a GVRET client sent (capture.transmit): onto the bus named, past the bridge, as on the board.
	bridge.onTransmit = (bus, frame) => {
		stats.injected++;
		if (bus === BUS_HALDEX) haldex.receive({ id: frame.id, data: frame.data }, bridge.now());
		else chassisReceived.set(frame.id, { id: frame.id, data: frame.data });
	};

	function step(nowMs = bridge.now()): void {
		for (const { atMs, frame } of car.poll(nowMs)) {
			const out = bridge.forward(BUS_CHASSIS, frame, atMs);
			stats.chassisFrames++;
			if (out.rewritten) stats.rewritten++;
			haldex.receive(out.frame, atMs);
		}
		for (const { atMs, frame } of haldex.poll(nowMs)) {
			const out = bridge.forward(BUS_HALDEX, frame, atMs);
			stats.haldexFrames++;
			chassisReceived.set(out.frame.id, out.frame);
		}
	}

	return {
		bridge,
		get haldex() {
			return haldex;
		},
		chassisReceived,
		stats,
		step,
		get car() {
			return car;
		},
		get scenario() {
			return scenario;
		},
		setScenario(next: CarScenario) {
			if (scenario === "log" || options.car) throw new Error("the car replays a log; its scenario cannot change");
			if (next === scenario) return;
			scenario = next;
			car = cycleCar(next, bridge.now());
			options.logger?.log("info", `simulated car: ${next === "parked" ? "parked, ignition on, engine off" : "driving the cycle"}`);
		},
		setGeneration(next: Generation) {
			if (next === generation) return;
			generation = next;
			haldex = new SimulatedHaldex(next, bridge.now());
			if (scenario !== "log" && !options.car) car = cycleCar(scenario as CarScenario, bridge.now());
			options.logger?.log("info", `simulated ${next === 5 ? "MQB car" : "PQ car"} with a Gen${next} Haldex`);
		},
		start(intervalMs = 5) {
			if (timer) return;
			timer = setInterval(() => {
				try {
					step();
				} catch (e) {
					options.logger?.log("error", `car link: ${e instanceof Error ? e.message : String(e)}`);
				}
			}, intervalMs);
			timer.unref?.();
			options.logger?.log(
				"info",
				`simulated ${generation === 5 ? "MQB" : "PQ"} car on the chassis bus (${options.canLog ? `replaying ${options.canLog}` : "drive cycle"}), simulated Gen${haldex.generation} Haldex`,
			);
		},
		stop() {
			if (timer) clearInterval(timer);
			timer = undefined;
		},
	};
}

/** A started car link, or undefined (with a log line) when the native binding is not built. */
export function startCarLink(options: CarLinkOptions = {}): CarLink | undefined {
	if (!bindingAvailable()) {
		options.logger?.log("warn", "CAN core binding not built (npx node-gyp rebuild): the simulator runs without CAN traffic");
		return undefined;
	}
	try {
		const link = createCarLink(options);
		link.start();
		return link;
	} catch (e) {
		options.logger?.log("warn", `CAN link not started: ${e instanceof Error ? e.message : String(e)}`);
		return undefined;
	}
}
