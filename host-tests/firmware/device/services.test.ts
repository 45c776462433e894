/* Specification of the composed device services and their routes (modules/device/services, routes) through the firmware's router. */

import { bodyText } from "../../support/body";
import { assert } from "../../support/assert";
import { fakePlatform, type FakePlatform } from "../../support/fakes";
import { FakeInputs, FakeLed, FakeMirrors, FakeUdp, FakeWatchdog, FakeWifi, MemoryPartition } from "../../support/fake-device";
import { createFirmware, type Firmware } from "app/firmware";
import { deviceStatusFields, WATCHDOG_TIMEOUT_MS, type DeviceServices } from "device/services";
import { LONG_PRESS_MS } from "device/button";
import { STABLE_AFTER_MS } from "device/boot-record";
import type { Response } from "api/http";
import { base64Encode } from "util/base64";
import { utf8Encode } from "util/utf8";

const HOST = { host: "openhaldex.local" };
const PASSWORD = "correct horse";
const AUTH = { authorization: `Basic ${base64Encode(utf8Encode(`admin:${PASSWORD}`))}` };

describe("device/services", () => {
	let platform: FakePlatform, fw: Firmware, device: DeviceServices;
	let ports: { wifi: FakeWifi; udp: FakeUdp; inputs: FakeInputs; led: FakeLed; mirrors: FakeMirrors; partition: MemoryPartition; watchdog: FakeWatchdog };
	let reason = "power-on";
	// The driver's mode lives in the Haldex settings; the firmware wires the device services to it.
	const mode = () => fw.haldex.settings.config.mode;
	const setMode = (m: string) => fw.haldex.settings.setMode(m);

	/** Power on: the firmware builds the device services over the platform's device ports. */
	function boot(): void {
		fw?.stop();
		platform.system = { ...platform.system, resetReason: () => reason };
		platform.device = ports;
		fw = createFirmware(platform, { hostName: "openhaldex", httpPort: 80 }, { auth: { iterations: 8 } });
		device = fw.device;
	}
	function call(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Response {
		const h: Record<string, string> = { ...HOST, ...headers };
		if (body !== undefined) h["content-type"] = "application/json";
		return fw.router.handle({ method, target, headers: h }, body === undefined ? undefined : JSON.stringify(body));
	}
	const json = (r: Response) => JSON.parse(bodyText(r));

	beforeEach(() => {
		platform = fakePlatform();
		ports = {
			wifi: new FakeWifi(),
			udp: new FakeUdp(),
			inputs: new FakeInputs(),
			led: new FakeLed(),
			mirrors: new FakeMirrors(),
			partition: new MemoryPartition(),
			watchdog: new FakeWatchdog(),
		};
		reason = "power-on";
		boot();
	});
	afterEach(() => fw.stop());

	it("a long press of the mode button opens the 2-minute setup window", () => {
		platform.time.advance(11 * 60_000); // first-boot window over
		assert.isFalse(json(call("GET", "/api/setup")).setupOpen);
		ports.inputs.set("modeButton", true);
		platform.time.advance(LONG_PRESS_MS);
		ports.inputs.set("modeButton", false);
		platform.time.advance(100);
		assert.deepInclude(json(call("GET", "/api/setup")), { setupOpen: true, reason: "button", closesInS: 120 });
		assert.equal(json(call("GET", "/api/logs")).entries[0].kind, "setup");
	});

	it("a short press cycles the favourite modes and the mode change is logged", () => {
		ports.inputs.set("modeButton", true);
		platform.time.advance(100);
		ports.inputs.set("modeButton", false);
		platform.time.advance(1000);
		assert.equal(mode(), "FWD");
		assert.deepInclude(json(call("GET", "/api/logs?kind=mode")).entries[0], { kind: "mode", message: "mode STOCK -> FWD" });
	});

	it("the external mode input selects its mode while active and restores the previous one", () => {
		assert.equal(call("POST", "/api/setup", { password: PASSWORD }).status, 200);
		assert.equal(call("POST", "/api/device/settings", { externalMode: { enabled: true, mode: "5050" } }, AUTH).status, 200);
		setMode("FWD");
		ports.inputs.set("externalMode", true);
		assert.equal(mode(), "5050");
		ports.inputs.set("externalMode", false);
		assert.equal(mode(), "FWD");
	});

	it("drives the LED in the mode colour and reports it in the status fragment", () => {
		platform.time.advance(11 * 60_000);
		setMode("5050");
		platform.time.advance(100);
		assert.equal(ports.led.shown[ports.led.shown.length - 1], 0x0000ff);
		assert.deepEqual(deviceStatusFields(device).led, { color: "blue", rgb: "#0000ff", pattern: "solid", reason: "mode 5050" });
	});

	it("feeds the hardware watchdog from the main loop", () => {
		assert.equal(ports.watchdog.timeoutMs, WATCHDOG_TIMEOUT_MS);
		platform.time.advance(5000);
		assert.equal(ports.watchdog.feeds, 5);
	});

	it("configures the brake outputs to follow by default and applies a change at once", () => {
		assert.deepEqual(ports.mirrors.config.brake, { mode: "follow", debounceMs: 0 });
		call("POST", "/api/setup", { password: PASSWORD });
		const r = call("POST", "/api/device/settings", { handbrake: { mode: "invert", debounceMs: 20 } }, AUTH);
		assert.equal(r.status, 200);
		assert.deepEqual(ports.mirrors.config.handbrake, { mode: "invert", debounceMs: 20 });
		assert.equal(call("POST", "/api/device/settings", { brake: { mode: "sometimes" } }, AUTH).status, 422);
		assert.equal(call("POST", "/api/device/settings", { favouriteModes: ["TURBO"] }, AUTH).status, 422);
	});

	it("starts in safe mode after three crashes in a row within a minute of boot", () => {
		for (const r of ["panic", "panic", "task-watchdog"]) {
			reason = r;
			boot();
		}
		assert.isTrue(device.safeMode.active);
		assert.equal(fw.haldex.controller.state(), "off", "the controller is off: the bridge stays in STOCK");
		const status = deviceStatusFields(device);
		assert.isTrue(status.safeMode);
		assert.match(status.banner!, /crashed 3 times/);
		assert.equal(status.led.color, "amber");
		assert.equal(json(call("GET", "/api/logs?kind=safe-mode")).entries.length, 1);
		// the button does not change modes in safe mode
		ports.inputs.set("modeButton", true);
		platform.time.advance(100);
		ports.inputs.set("modeButton", false);
		platform.time.advance(100);
		assert.equal(mode(), "STOCK");
	});

	it("does not count a crash after a minute of running", () => {
		for (const r of ["panic", "panic", "panic"]) {
			platform.time.advance(STABLE_AFTER_MS);
			reason = r;
			boot();
		}
		assert.isFalse(device.safeMode.active);
	});

	it("keeps the log across a reboot and clears it only with the password", () => {
		device.record("update", "installed 1.2.3");
		reason = "software";
		boot();
		const messages = json(call("GET", "/api/logs")).entries.map((e: { message: string }) => e.message);
		assert.include(messages, "installed 1.2.3");
		assert.equal(call("POST", "/api/logs/clear").status, 403); // no password yet: setup_required
		call("POST", "/api/setup", { password: PASSWORD });
		assert.equal(call("POST", "/api/logs/clear", undefined, AUTH).status, 200);
		assert.deepEqual(
			json(call("GET", "/api/logs")).entries.map((e: { message: string }) => e.message),
			["log cleared by the owner (POST /api/logs/clear)"],
		);
	});

	it("logs failed sign-ins through AdminAuth's onEvent", () => {
		device.authEvent("login_failed", "wrong admin password (1 in a row)");
		assert.equal(json(call("GET", "/api/logs?kind=login")).entries[0].message, "wrong admin password (1 in a row)");
	});

	it("serves /api/network and /api/wifi without passphrases; POST /api/wifi needs the password and applies after the answer", () => {
		const net = json(call("GET", "/api/network"));
		assert.equal(net.hostName, "openhaldex");
		assert.equal(net.interfaces[0].ssid, "OpenHaldex-ABCD");
		call("POST", "/api/setup", { password: PASSWORD });
		assert.equal(call("POST", "/api/wifi", { accessPoint: { password: "new-ap-pass" } }).status, 401);
		const r = call("POST", "/api/wifi", { accessPoint: { password: "new-ap-pass" }, station: { ssid: "Garage", password: "homepass1" } }, AUTH);
		assert.equal(r.status, 200);
		assert.isUndefined(ports.wifi.ap!.password, "not applied before the answer is sent");
		r.afterSend!();
		assert.equal(ports.wifi.ap!.password, "new-ap-pass");
		assert.notInclude(r.body as string, "new-ap-pass");
		assert.notInclude(call("GET", "/api/wifi").body as string, "homepass1");
	});

	it("streams the log one entry at a time: pieces no larger than the server asks for, newest first", () => {
		boot();
		for (let i = 0; i < 150; i++) device.events.record("mode", `mode change ${i} ${"m".repeat(i % 50)}`);
		const r = call("GET", "/api/logs?limit=200");
		assert.equal(r.status, 200);
		assert.notTypeOf(r.body, "string", "not built as one string");
		const parsed = JSON.parse(bodyText(r, 37)); // an odd piece size: entries are cut across pieces
		assert.equal(parsed.entries[0].message, `mode change 149 ${"m".repeat(149 % 50)}`);
		const numbers = parsed.entries.map((e: { n: number }) => e.n);
		assert.deepEqual(
			numbers,
			[...numbers].sort((a: number, b: number) => b - a),
			"newest first",
		);
		assert.isAtLeast(parsed.entries.length, 150);
		assert.isObject(parsed.log);
	});

	it("refuses a bad log limit", () => {
		assert.equal(call("GET", "/api/logs?limit=0").status, 422);
		assert.equal(call("GET", "/api/logs?limit=500").status, 422);
	});
});
