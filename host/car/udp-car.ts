/*
 * The simulated car and Haldex for mcsim: the same drive cycle and Haldex
 * model as the Node simulator, talking to the lin build's CAN port over UDP
 * on 127.0.0.1 (modules/can/ports/udp: 16-byte OHX wire frames). So the app
 * in mcsim bridges real traffic through the C core.
 *
 *   car  --chassis frames-->  :30100  [bridge]  :30103 --Haldex-side output--> simulated Haldex
 *   car  <--chassis output--  :30101  [bridge]  :30102 <--0x2C0 reports------- simulated Haldex
 *
 * Run: npm run mcsim:car-udp [-- --seconds N] (base port: $OHX_CAN_UDP_BASE, default 30100).
 */

import dgram from "node:dgram";
import { parseArgs } from "node:util";
import { DriveCycleCar } from "./drive-cycle";
import { SimulatedHaldex } from "./haldex-sim";
import type { CanFrame } from "./frames";

export const WIRE_SIZE = 16;
const BUS_CHASSIS = 0,
	BUS_HALDEX = 1;

export function wireEncode(frame: CanFrame, bus: number): Buffer {
	const b = Buffer.alloc(WIRE_SIZE);
	b[0] = 0x01;
	b[2] = frame.data.length;
	b[3] = bus;
	b.writeUInt32LE(frame.id, 4);
	Buffer.from(frame.data.subarray(0, 8)).copy(b, 8);
	return b;
}

export function wireDecode(b: Buffer): { bus: number; frame: CanFrame } | undefined {
	if (b.length !== WIRE_SIZE || b[0] !== 0x01) return undefined;
	const dlc = Math.min(b[2], 8);
	return { bus: b[3], frame: { id: b.readUInt32LE(4), data: new Uint8Array(b.subarray(8, 8 + dlc)) } };
}

export interface UdpCarStats {
	sent: number;
	haldexReceived: number;
	chassisReceived: number;
	lastEngagementPct: number;
}

export function startUdpCar(base = Number(process.env.OHX_CAN_UDP_BASE ?? 30100)): { stats: UdpCarStats; stop(): void } {
	const t0 = performance.now();
	const now = () => Math.floor(performance.now() - t0);
	const car = new DriveCycleCar(0);
	const haldex = new SimulatedHaldex(4, 0);
	const stats: UdpCarStats = { sent: 0, haldexReceived: 0, chassisReceived: 0, lastEngagementPct: 0 };
	const out = dgram.createSocket("udp4");
	const haldexSide = dgram.createSocket("udp4");
	const chassisSide = dgram.createSocket("udp4");
	haldexSide.on("message", (msg) => {
		const w = wireDecode(msg);
		if (!w) return;
		stats.haldexReceived++;
		haldex.receive(w.frame, now());
	});
	chassisSide.on("message", (msg) => {
		if (wireDecode(msg)) stats.chassisReceived++;
	});
	haldexSide.bind(base + 3, "127.0.0.1");
	chassisSide.bind(base + 1, "127.0.0.1");
	const timer = setInterval(() => {
		const t = now();
		for (const { frame } of car.poll(t)) {
			out.send(wireEncode(frame, BUS_CHASSIS), base, "127.0.0.1");
			stats.sent++;
		}
		for (const { frame } of haldex.poll(t)) {
			out.send(wireEncode(frame, BUS_HALDEX), base + 2, "127.0.0.1");
			stats.sent++;
		}
		stats.lastEngagementPct = haldex.engagementPct;
	}, 5);
	return {
		stats,
		stop() {
			clearInterval(timer);
			out.close();
			haldexSide.close();
			chassisSide.close();
		},
	};
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { values } = parseArgs({ options: { seconds: { type: "string", default: "0" } } });
	const car = startUdpCar();
	console.log("simulated car on UDP 127.0.0.1: chassis -> :30100, Haldex reports -> :30102 (Ctrl-C stops)");
	const report = setInterval(() => {
		const s = car.stats;
		console.log(
			`sent ${s.sent} frames; bridge delivered ${s.haldexReceived} to the Haldex and ${s.chassisReceived} to the car; engagement ${s.lastEngagementPct.toFixed(0)} %`,
		);
	}, 2000);
	const stop = () => {
		clearInterval(report);
		car.stop();
	};
	process.on("SIGINT", () => {
		stop();
		process.exit(0);
	});
	const seconds = Number(values.seconds);
	if (seconds > 0)
		setTimeout(() => {
			stop();
			process.exit(0);
		}, seconds * 1000);
}
