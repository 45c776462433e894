/* The mcsim car's UDP datagrams use the C core's wire format byte for byte. */

import { assert } from "chai";
import { wireDecode, wireEncode } from "../../host/car/udp-car";
import { loadOhxCan } from "../../host/adapters/can-bridge-node";

describe("host/car/udp-car", () => {
	it("encodes frames exactly as ohx_wire_encode does, and decodes them back", () => {
		const binding = loadOhxCan() as unknown as { wireEncode(f: { id: number; data: Uint8Array }, bus: number): Uint8Array };
		for (const [frame, bus] of [
			[{ id: 0x280, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }, 0],
			[{ id: 0x2c0, data: new Uint8Array([0x81, 0xc0]) }, 1],
		] as const) {
			const ours = wireEncode(frame, bus);
			assert.deepEqual([...ours], [...binding.wireEncode(frame, bus)]);
			const back = wireDecode(ours)!;
			assert.equal(back.bus, bus);
			assert.equal(back.frame.id, frame.id);
			assert.deepEqual([...back.frame.data], [...frame.data]);
		}
	});
	it("rejects a datagram that is not a wire frame", () => {
		assert.isUndefined(wireDecode(Buffer.alloc(15)));
		assert.isUndefined(wireDecode(Buffer.alloc(16)));
	});
});
