/*
 * The MQB (Gen5) chassis frames of the simulated car: what an MQB car sends
 * that the bridge decodes or rewrites, with AUTOSAR E2E protection where the
 * bridge expects it, so the C core's verify-then-rewrite path runs as on a car.
 *
 * E2E (Profile 2, as VW MQB uses it): byte 0 is CRC-8H2F over bytes 1..7 and
 * then the frame's DataID for the alive counter in byte 1's low nibble. The
 * CRC here is the npm package polycrc (an implementation independent of the
 * C core's table); the CRC over [bytes 1..7, DataID] in one pass is the
 * profile's two-step CRC, since CRC-8H2F is not reflected.
 *
 * Signals (S3's MQB DBC, docs/haldex.md "Gen5"): ESP_19 four wheel speeds
 * x 0.0075 km/h; ESP_21 bytes 4..5 x 0.01 km/h; MOTOR_12 rpm bytes 6..7
 * x 0.25; MOTOR_20 pedal 8 bits from bit 12 x 0.4 %; MOTOR_04 boost 9 bits
 * from bit 39 in kPa absolute; MOTOR_07 coolant byte 3 x 0.75 - 48.
 * MOTOR_11 byte 6 carries the engine torque the simulated Gen5 Haldex reads
 * (the byte S3 sets to lock-scaled 0xFA).
 */

import polycrc from "polycrc";

export const MQB = {
	ESP_14: 0x08a,
	MOTOR_11: 0x0a7,
	MOTOR_12: 0x0a8,
	ESP_19: 0x0b2,
	ESP_21: 0x0fd,
	ESP_05: 0x106,
	MOTOR_04: 0x107,
	ESP_10: 0x116,
	HALDEX: 0x118,
	MOTOR_20: 0x121,
	KOMBI_01: 0x30b,
	ESP_07: 0x392,
	MOTOR_14: 0x3be,
	ESP_23: 0x5be,
	MOTOR_07: 0x640,
	MOTOR_CODE_01: 0x641,
	ESP_20: 0x65d,
} as const;

const same = (x: number) => new Array<number>(16).fill(x);

/**
 * DataIDs by frame, indexed by the alive counter: OpenHaldex-S3's
 * standalone_can.cpp (ESP_10: OpenHaldex-Edge's correction), and ESP_21 as
 * a real car's trace fits it (host-tests/c/test_bridge.c).
 */
export const DATA_IDS: ReadonlyMap<number, readonly number[]> = new Map([
	[MQB.MOTOR_12, [0x52, 0x8c, 0x50, 0xee, 0x4f, 0xa6, 0xcc, 0xcf, 0x7d, 0x2f, 0x98, 0x6b, 0x27, 0x41, 0x9f, 0x93]],
	[MQB.MOTOR_11, [0xd2, 0x3d, 0xcd, 0x28, 0x4c, 0x14, 0x22, 0x4b, 0x24, 0xac, 0xfa, 0x55, 0x66, 0x80, 0x0d, 0x6c]],
	[MQB.ESP_14, same(0xd4)],
	[MQB.ESP_10, same(0xac)],
	[MQB.ESP_05, same(0x07)],
	[MQB.ESP_23, [0xc9, 0x21, 0x6f, 0x63, 0xd2, 0x42, 0x6a, 0x77, 0x4a, 0x3d, 0xb0, 0x62, 0x9f, 0x38, 0xcd, 0x5c]],
	[MQB.MOTOR_14, [0x1f, 0x28, 0xc6, 0x85, 0xe6, 0xf8, 0xb0, 0x19, 0x5b, 0x64, 0x35, 0x21, 0xe4, 0xf7, 0x9c, 0x24]],
	[MQB.ESP_07, same(0x91)],
	[MQB.MOTOR_CODE_01, same(0x47)],
	[MQB.ESP_20, [0xac, 0xb3, 0xab, 0xeb, 0x7a, 0xe1, 0x3b, 0xf7, 0x73, 0xba, 0x7c, 0x9e, 0x06, 0x5f, 0x02, 0xd9]],
	[MQB.MOTOR_20, [0xe9, 0x65, 0xae, 0x6b, 0x7b, 0x35, 0xe5, 0x5f, 0x4e, 0xc7, 0x86, 0xa2, 0xbb, 0xdd, 0xeb, 0xb4]],
	[MQB.ESP_21, [0xb4, 0xef, 0xf8, 0x49, 0x1e, 0xe5, 0xc2, 0xc0, 0x97, 0x19, 0x3c, 0xc9, 0xf1, 0x98, 0xd6, 0x61]],
]);

/** CRC-8H2F: width 8, poly 0x2F, init 0xFF, xor-out 0xFF, not reflected (CRC-8/AUTOSAR). */
export const crc8h2f: (data: Uint8Array) => number = polycrc.crc(8, 0x2f, 0xff, 0xff, false);

/** The E2E CRC of an 8-byte frame for its DataID list. */
export function e2eCrc(d: Uint8Array, ids: readonly number[]): number {
	const buf = new Uint8Array(8);
	buf.set(d.subarray(1, 8));
	buf[7] = ids[d[1] & 0x0f];
	return crc8h2f(buf);
}

/** Whether byte 0 of `d` is its E2E CRC (true for frames without E2E). */
export function e2eValid(id: number, d: Uint8Array): boolean {
	const ids = DATA_IDS.get(id);
	return !ids || (d.length >= 8 && e2eCrc(d, ids) === d[0]);
}

/** Put `counter` into byte 1's low nibble (keeping its high one) and the CRC into byte 0. */
export function protect(id: number, d: Uint8Array, counter: number): Uint8Array {
	const ids = DATA_IDS.get(id);
	if (!ids) return d;
	d[1] = (d[1] & 0xf0) | (counter & 0x0f);
	d[0] = e2eCrc(d, ids);
	return d;
}

const clamp = (v: number, max: number) => Math.max(0, Math.min(max, Math.round(v)));

export function encodeEsp19(speedKmh: number): Uint8Array {
	const d = new Uint8Array(8);
	const raw = clamp(speedKmh / 0.0075, 0xffff);
	for (let i = 0; i < 4; i++) {
		d[2 * i] = raw & 0xff;
		d[2 * i + 1] = raw >> 8;
	}
	return d;
}

export function encodeEsp21(speedKmh: number): Uint8Array {
	const d = new Uint8Array(8);
	const raw = clamp(speedKmh * 100, 0xffff);
	d[2] = 0x1f;
	d[3] = 0x80;
	d[4] = raw & 0xff;
	d[5] = raw >> 8;
	return d;
}

export function encodeMotor12(rpm: number): Uint8Array {
	const d = new Uint8Array(8);
	const raw = clamp(rpm * 4, 0xffff);
	d[6] = raw & 0xff;
	d[7] = raw >> 8;
	return d;
}

export function encodeMotor20(pedalPct: number): Uint8Array {
	const d = new Uint8Array(8);
	const raw = clamp(pedalPct / 0.4, 0xff);
	d[1] = (raw & 0x0f) << 4;
	d[2] = raw >> 4;
	return d;
}

export function encodeMotor04(boostKpa: number): Uint8Array {
	const d = new Uint8Array(8);
	const raw = clamp(boostKpa, 0x1ff);
	d[4] = (raw & 1) << 7;
	d[5] = raw >> 1;
	return d;
}

export function encodeMotor07(coolantC: number): Uint8Array {
	const d = new Uint8Array(8);
	d[3] = clamp((coolantC + 48) / 0.75, 0xff);
	return d;
}

/** Engine torque in MOTOR_11 byte 6 (0..250), as the simulated Gen5 Haldex reads it. */
export function encodeMotor11(torqueByte: number): Uint8Array {
	const d = new Uint8Array(8);
	d[1] = 0x20;
	d[6] = clamp(torqueByte, 250);
	d[7] = clamp(torqueByte, 250);
	return d;
}
