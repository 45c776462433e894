// Smoke test of the Node binding (build/Release/ohx_can.node); run by make -C host-tests/c test when built.
// [spec] conversions and error classes; the behaviour itself is tested in C (test_bridge.c).
const ohx = require(require("node:path").join(__dirname, "../../build/Release/ohx_can.node"));
const assert = require("node:assert");
assert.strictEqual(ohx.selfTest(), true);
const b = ohx.create({ generation: 4, watchdogMs: 500 });
const data = Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
let r = b.onFrame(ohx.BUS.CHASSIS, { id: 0x280, data }, 0);
assert.strictEqual(r.verdict, ohx.VERDICT.PASS);
assert.deepStrictEqual([...r.frame.data], [...data]);
b.setTarget(ohx.MODE["5050"], 100, 0);
r = b.onFrame(0, { id: 0x280, data }, 10);
assert.strictEqual(r.rewritten, true);
assert.deepStrictEqual([...r.frame.data], [0x11, 0xfe, 0x20, 0x4e, 0xfe, 0xfe, 0x16, 0xfe]);
r = b.onFrame(0, { id: 0x280, data }, 501);
assert.strictEqual(r.rewritten, false);
const inb = ohx.wireEncode({ id: 0x5a0, data }, 0),
	outb = new Uint8Array(16);
b.setTarget(2, 100, 600);
assert.strictEqual(b.onWire(0, inb, outb, 600), 1);
assert.strictEqual(ohx.wireDecode(outb).frame.data[4], 0x7f);
assert.strictEqual(ohx.wireDecode(outb).bus, 1);
assert.strictEqual(b.counters().rewritten, 2);
assert.throws(
	() => b.setTarget(2, 101, 0),
	(e) => e instanceof RangeError && e.code === "OHX_ERR_INVALID_PERCENT",
);
assert.throws(
	() => b.setTarget("x", 1, 0),
	(e) => e instanceof TypeError,
);
assert.throws(
	() => ohx.create({ generation: 3 }),
	(e) => e instanceof RangeError && e.code === "OHX_ERR_UNSUPPORTED_GENERATION",
);
assert.throws(
	() => b.onFrame(0, { id: 0x800, data }, 0),
	(e) => e.code === "OHX_ERR_INVALID_FRAME",
);
assert.throws(
	() => b.onFrame(3, { id: 0x80, data }, 0),
	(e) => e.code === "OHX_ERR_INVALID_BUS",
);
assert.throws(
	() => b.onFrame(0, { id: 0x80, data: [1] }, 0),
	(e) => e instanceof TypeError,
);
assert.strictEqual(ohx.lockScale(0xfe, 40), 0x65);
// throughput through the binding
let t = process.hrtime.bigint();
const n = 1e6;
const f = { id: 0x280, data };
for (let i = 0; i < n; i++) b.onFrame(0, f, 700);
let dt = Number(process.hrtime.bigint() - t) / 1e9;
console.log("onFrame via N-API", (n / dt / 1e6).toFixed(2), "M/s");
t = process.hrtime.bigint();
for (let i = 0; i < n; i++) b.onWire(0, inb, outb, 700);
dt = Number(process.hrtime.bigint() - t) / 1e9;
console.log("onWire via N-API", (n / dt / 1e6).toFixed(2), "M/s");
console.log("node smoke ok");
