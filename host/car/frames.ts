/*
 * CAN frames of the simulated car: the shape shared by the car, the
 * simulated Haldex, the bridge adapter and the candump reader, and the PQ
 * (Gen1/2/4) encoders and decoders the simulation needs.
 *
 * The encoders follow docs in haldex-domain.md so the C core's decoder
 * reads them back: pedal = MOTOR1 byte 5 x 0.4 %, rpm = MOTOR1 bytes 2..3
 * LE x 0.25, speed = BRAKES1 15 bits from bit 17 x 0.01 km/h, MOTOR2 byte 3
 * x 1.28 km/h, BRAKES4 counter +16 per frame in byte 6 with the XOR of
 * bytes 0..6 in byte 7.
 */

export interface CanFrame {
	id: number;
	data: Uint8Array;
}

export const ID = {
	MLW1: 0x0c2,
	BRAKES1: 0x1a0,
	MOTOR1: 0x280,
	MOTOR2: 0x288,
	BRAKES4: 0x2a0,
	HALDEX: 0x2c0,
	MOTOR3: 0x380,
	BRAKES3: 0x4a0,
	MOTOR5: 0x480,
	BRAKES2: 0x5a0,
} as const;

const clampByte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

export interface EngineState {
	rpm: number;
	pedalPct: number;
	/** Engine torque the ECU reports, byte 1 of MOTOR1 (0..254). */
	torqueByte: number;
}

export function encodeMotor1(e: EngineState): Uint8Array {
	const rpm4 = Math.max(0, Math.min(0xffff, Math.round(e.rpm * 4)));
	const d = new Uint8Array(8);
	d[0] = 0x08;
	d[1] = clampByte(e.torqueByte);
	d[2] = rpm4 & 0xff;
	d[3] = rpm4 >> 8;
	d[4] = clampByte(e.torqueByte);
	d[5] = clampByte(e.pedalPct / 0.4);
	d[6] = 0x10;
	d[7] = clampByte(e.torqueByte);
	return d;
}

export function decodeMotor1(d: Uint8Array): { rpm: number; pedalPct: number; torqueByte: number } {
	return { rpm: (d[2] | (d[3] << 8)) / 4, pedalPct: d[5] * 0.4, torqueByte: d[1] };
}

export function encodeBrakes1(speedKmh: number, braking: boolean): Uint8Array {
	const centi = Math.max(0, Math.min(0x7fff, Math.round(speedKmh * 100)));
	const raw = centi << 1;
	const d = new Uint8Array(8);
	d[0] = braking ? 0x08 : 0x00;
	d[1] = 0x00;
	d[2] = raw & 0xff;
	d[3] = (raw >> 8) & 0xff;
	d[4] = 0xfe;
	d[5] = 0xfe;
	return d;
}

export function decodeBrakes1Speed(d: Uint8Array): number {
	return (((d[3] << 8) | d[2]) >> 1) / 100;
}

export function encodeMotor2(speedKmh: number, coolantC = 20): Uint8Array {
	const d = new Uint8Array(8);
	d[1] = clampByte((coolantC + 48) / 0.75);
	d[3] = clampByte(speedKmh / 1.28);
	return d;
}

export function encodeMotor3(pedalPct: number): Uint8Array {
	const d = new Uint8Array(8);
	d[2] = clampByte(pedalPct * 2.54);
	d[7] = clampByte(pedalPct * 2.54);
	return d;
}

/** Four wheel speeds, 16-bit LE in 0.01 km/h units (bit 0 direction left clear). */
export function encodeBrakes3(speedKmh: number): Uint8Array {
	const d = new Uint8Array(8);
	const v = Math.max(0, Math.min(0xfffe, Math.round(speedKmh * 100))) & 0xfffe;
	for (let i = 0; i < 4; i++) {
		d[2 * i] = v & 0xff;
		d[2 * i + 1] = v >> 8;
	}
	return d;
}

export function encodeBrakes2(): Uint8Array {
	return new Uint8Array([0, 0, 0, 0, 0x10, 0x20, 0, 0]);
}

export function encodeBrakes4(counter: number, braking: boolean): Uint8Array {
	const d = new Uint8Array(8);
	d[0] = braking ? 0x20 : 0x00;
	d[3] = 0x64;
	d[6] = (counter << 4) & 0xf0;
	d[7] = d[0] ^ d[1] ^ d[2] ^ d[3] ^ d[4] ^ d[5] ^ d[6];
	return d;
}

/** Steering angle (0.04375 deg/bit, sign in byte 1 bit 7) with a rolling counter in byte 5's high nibble. */
export function encodeMlw1(angleDeg: number, counter: number): Uint8Array {
	const d = new Uint8Array(8);
	const raw = Math.min(0x7fff, Math.round(Math.abs(angleDeg) / 0.04375));
	d[0] = raw & 0xff;
	d[1] = ((raw >> 8) & 0x7f) | (angleDeg < 0 ? 0x80 : 0);
	d[5] = (counter & 0x0f) << 4;
	return d;
}

export function encodeMotor5(): Uint8Array {
	return new Uint8Array([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
}

export function hex(data: Uint8Array): string {
	return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}
