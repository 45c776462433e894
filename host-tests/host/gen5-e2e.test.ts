/*
 * Gen5's E2E CRC, the C core's against an independent implementation: the
 * npm package polycrc (a generic table-driven CRC, configured as CRC-8H2F)
 * through the simulator's host/car/mqb.ts. Random bytes and every frame the
 * core protects; the DataID lists of the two sides must agree.
 */

import { assert } from "chai";
import { bindingAvailable, loadOhxCan } from "../../host/adapters/can-bridge-node";
import { DATA_IDS, MQB, crc8h2f, e2eCrc } from "../../host/car/mqb";

/** A small deterministic generator: the same bytes on every run. */
function bytes(seed: number, n: number): Uint8Array {
	let x = seed >>> 0 || 1;
	const out = new Uint8Array(n);
	for (let i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}
	return out;
}

describe("Gen5 E2E CRC: C core against polycrc", () => {
	before(function () {
		if (!bindingAvailable()) this.skip();
	});

	it("polycrc as configured is CRC-8/AUTOSAR: the catalogue's check value 0xDF", () => {
		assert.equal(crc8h2f(new TextEncoder().encode("123456789")), 0xdf);
	});

	it("CRC-8H2F agrees on 5,000 random inputs of 0..64 bytes", () => {
		const core = loadOhxCan();
		for (let i = 0; i < 5000; i++) {
			const data = bytes(i + 1, i % 65);
			assert.equal(core.crc8h2f(data), crc8h2f(data), `input ${i}`);
		}
	});

	it("the E2E CRC agrees for every frame the core protects, every counter, on random payloads", () => {
		const core = loadOhxCan();
		const rewritten = [MQB.MOTOR_12, MQB.MOTOR_11, MQB.ESP_14, MQB.ESP_10, MQB.ESP_05, MQB.ESP_23, MQB.MOTOR_14, MQB.ESP_07, MQB.MOTOR_CODE_01, MQB.ESP_20];
		for (const id of rewritten) {
			for (let i = 0; i < 160; i++) {
				const d = bytes(id * 1000 + i, 8);
				d[1] = (d[1] & 0xf0) | (i & 0x0f);
				assert.equal(core.gen5E2eCrc(id, d), e2eCrc(d, DATA_IDS.get(id)!), `id 0x${id.toString(16)} counter ${i & 15}`);
			}
		}
	});

	it("frames the core does not protect have no DataIDs there: ESP_19, and the decoded-only ESP_21 and MOTOR_20", () => {
		const core = loadOhxCan();
		for (const id of [MQB.ESP_19, MQB.ESP_21, MQB.MOTOR_20, MQB.MOTOR_04, 0x280]) assert.isNull(core.gen5E2eCrc(id, new Uint8Array(8)), `0x${id.toString(16)}`);
	});
});
