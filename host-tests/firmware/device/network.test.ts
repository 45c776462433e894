/* Specification of the network service (modules/device/network): access point, home network retries, mDNS, captive DNS, SNTP. */

import { assert } from "../../support/assert";
import { ManualTime, MemoryStore } from "../../support/fakes";
import { FakeMdns, FakeSntp, FakeUdp, FakeWifi } from "../../support/fake-device";
import { NetworkService, accessPointSsid, parseWifiChange, CONNECT_TIMEOUT_MS, RETRY_FIRST_MS, RETRY_MAX_MS, AP_ADDRESS } from "device/network";
import { buildDnsQuery, parseDnsAnswers } from "device/dns";
import { HttpError } from "api/errors";

/** parseWifiChange refuses `body` with this HttpError code, status and field. */
function assertRefused(body: unknown, code: string, status: number, field: string | undefined): void {
	try {
		parseWifiChange(body);
		assert.fail(`accepted ${JSON.stringify(body)}`);
	} catch (e) {
		assert.instanceOf(e, HttpError);
		const h = e as HttpError;
		assert.deepEqual([h.code, h.status, h.detail?.field], [code, status, field], JSON.stringify(body));
	}
}

describe("device/network", () => {
	let time: ManualTime, store: MemoryStore, wifi: FakeWifi, mdns: FakeMdns, udp: FakeUdp, sntp: FakeSntp, events: string[];
	let net: NetworkService;
	function make() {
		net = new NetworkService({
			wifi,
			mdns,
			udp,
			sntp,
			store,
			clock: time,
			timers: time,
			hostName: "openhaldex",
			httpPort: 80,
			onEvent: (k, m) => events.push(`${k}: ${m}`),
		});
		net.start();
	}
	beforeEach(() => {
		time = new ManualTime();
		store = new MemoryStore();
		wifi = new FakeWifi();
		mdns = new FakeMdns();
		udp = new FakeUdp();
		sntp = new FakeSntp();
		events = [];
	});

	it("names the access point from the last MAC digits and starts it open at 192.168.4.1", () => {
		assert.equal(accessPointSsid("40:4c:ca:12:ab:cd"), "OpenHaldex-ABCD");
		make();
		assert.deepEqual(wifi.ap, { ssid: "OpenHaldex-ABCD", address: "192.168.4.1" });
		assert.deepEqual(net.addresses(), ["192.168.4.1"]);
		assert.equal(net.status().interfaces[0].security, "open");
	});

	it("uses WPA2 with the owner's passphrase once one is set, without returning it", () => {
		make();
		net.change(parseWifiChange({ accessPoint: { password: "haldex-owner-1" } })).apply();
		assert.equal(wifi.ap!.password, "haldex-owner-1");
		assert.deepEqual(net.settings().accessPoint, { ssid: "OpenHaldex-ABCD", address: AP_ADDRESS, security: "wpa2-psk", passwordSet: true });
		assert.notInclude(JSON.stringify(net.settings()) + JSON.stringify(net.status()), "haldex-owner-1");
	});

	it("joins the home network with the access point kept up, and adds its address", () => {
		make();
		net.change(parseWifiChange({ station: { ssid: "Garage", password: "supersecret" } })).apply();
		assert.deepEqual(wifi.station, { ssid: "Garage", password: "supersecret" });
		assert.equal(net.stationState, "connecting");
		wifi.emit("gotIP", "10.0.0.23");
		assert.equal(net.stationState, "connected");
		assert.deepEqual(net.addresses(), ["192.168.4.1", "10.0.0.23"]);
		assert.equal(wifi.apStarts, 1, "the access point was not restarted");
		const sta = net.status().interfaces[1] as Record<string, unknown>;
		assert.include(sta, { ssid: "Garage", address: "10.0.0.23", rssi: -55, state: "connected" });
	});

	it("retries in the background with a doubling backoff capped at 60 s", () => {
		store.set("wifi", "staSsid", "Garage");
		store.set("wifi", "staPass", "wrongpass");
		make();
		const delays: number[] = [];
		for (let i = 0; i < 6; i++) {
			wifi.emit("disconnected");
			assert.equal(net.stationState, "retrying");
			const before = wifi.connects.length;
			let waited = 0;
			while (wifi.connects.length === before) {
				time.advance(1000);
				waited += 1000;
			}
			delays.push(waited);
		}
		assert.deepEqual(delays, [RETRY_FIRST_MS, 10_000, 20_000, 40_000, RETRY_MAX_MS, RETRY_MAX_MS]);
		assert.match((net.status().interfaces[1] as { lastError: string }).lastError, /could not join "Garage"/);
	});

	it("abandons an attempt that gets no address within 30 s", () => {
		store.set("wifi", "staSsid", "Garage");
		make();
		time.advance(CONNECT_TIMEOUT_MS);
		assert.equal(net.stationState, "retrying");
		assert.equal(wifi.disconnects, 1);
	});

	it("keeps the stored passphrase when only the SSID is re-sent, and forgets it for another SSID", () => {
		make();
		net.change(parseWifiChange({ station: { ssid: "A", password: "passphrase1" } })).apply();
		net.change(parseWifiChange({ station: { ssid: "A" } })).apply();
		assert.equal(wifi.station!.password, "passphrase1");
		net.change(parseWifiChange({ station: { ssid: "B" } })).apply();
		assert.equal(wifi.station!.password, "");
		net.change(parseWifiChange({ station: null })).apply();
		assert.equal(net.stationState, "disabled");
		assert.isNull(net.settings().station);
	});

	it("announces openhaldex with _http._tcp, again when the home network comes up", () => {
		make();
		assert.deepEqual(mdns.starts[0], { hostName: "openhaldex", services: [{ name: "http", protocol: "tcp", port: 80 }] });
		mdns.claim("openhaldex");
		assert.equal(net.status().mdns.state, "up");
		store.set("wifi", "staSsid", "Garage");
		net.change({ station: { ssid: "Garage" } }).apply();
		wifi.emit("gotIP");
		assert.equal(mdns.starts.length, 2);
	});

	it("answers DNS queries for any name with the access point's address", () => {
		make();
		const sock = udp.sockets[0];
		assert.equal(sock.port, 53, "the DNS port");
		sock.onMessage(buildDnsQuery(42, "connectivitycheck.gstatic.com"), "192.168.4.2", 40000);
		assert.equal(sock.sent.length, 1);
		assert.equal(sock.sent[0].address, "192.168.4.2");
		assert.deepEqual(parseDnsAnswers(sock.sent[0].data).answers[0].address, "192.168.4.1");
		assert.include(net.status().dns, { queries: 1, answered: 1 });
	});

	it("answers DNS only on the access point's subnet (not as a DNS server on the home network)", () => {
		make();
		const sock = udp.sockets[0];
		sock.onMessage(buildDnsQuery(1, "openhaldex.local"), "10.0.0.7", 40000);
		assert.equal(sock.sent.length, 0);
		sock.onMessage(buildDnsQuery(2, "openhaldex.local"), "127.0.0.1", 40000);
		assert.equal(sock.sent.length, 1);
	});

	it("sets the clock by SNTP after joining, and retries after a network without internet", () => {
		store.set("wifi", "staSsid", "Garage");
		make();
		wifi.emit("gotIP");
		assert.equal(sntp.requests.length, 1);
		sntp.answer(undefined, "no response from SNTP server");
		assert.equal(net.status().time.state, "failed");
		time.advance(5 * 60_000);
		assert.equal(sntp.requests.length, 2);
		sntp.answer(1_750_000_000_000);
		assert.equal(time.source(), "sntp");
		assert.equal(time.wallMs(), 1_750_000_000_000);
		assert.include(events.join("\n"), "time: clock set by SNTP");
	});

	it("refuses a Wi-Fi body that is not an object with 400, and bad values with 422 naming the field", () => {
		const cases: [unknown, string, number, string | undefined][] = [
			[[], "body_not_object", 400, undefined],
			[null, "body_not_object", 400, undefined],
			[{}, "invalid_wifi", 422, "station"],
			[{ other: 1 }, "invalid_wifi", 422, "other"],
			[{ stationEnabled: 1 }, "invalid_wifi", 422, "stationEnabled"],
			[{ station: { ssid: "" } }, "invalid_ssid", 422, "station.ssid"],
			[{ station: { ssid: "x".repeat(33) } }, "invalid_ssid", 422, "station.ssid"],
			[{ station: { ssid: "a", password: "short" } }, "invalid_passphrase", 422, "station.password"],
			[{ accessPoint: { password: "1234567" } }, "invalid_passphrase", 422, "accessPoint.password"],
			[{ accessPoint: {} }, "invalid_passphrase", 422, "accessPoint.password"],
			[{ accessPoint: { password: "x".repeat(64) } }, "invalid_passphrase", 422, "accessPoint.password"],
		];
		for (const [body, code, status, field] of cases) assertRefused(body, code, status, field);
		assert.deepEqual(parseWifiChange({ station: { ssid: "Open", password: "" } }), { station: { ssid: "Open", password: "" } });
		assert.deepEqual(parseWifiChange({ accessPoint: { password: null } }), { accessPoint: { password: null } });
		assert.deepEqual(parseWifiChange({ stationEnabled: false }), { stationEnabled: false });
	});

	describe("OpenHaldex-S3's Wi-Fi shapes", () => {
		it("reads S3's ssid/password/apPassword/staEnabled as our station, accessPoint and stationEnabled", () => {
			assert.deepEqual(parseWifiChange({ ssid: "Garage", password: "supersecret", staEnabled: true }), {
				station: { ssid: "Garage", password: "supersecret" },
				stationEnabled: true,
			});
			assert.deepEqual(parseWifiChange({ ssid: "Garage" }), { station: { ssid: "Garage" } });
			assert.deepEqual(parseWifiChange({ password: "newsecret1" }, "Garage"), { station: { ssid: "Garage", password: "newsecret1" } }, "the stored SSID");
			// S3's "forget" button sends all three, empty.
			assert.deepEqual(parseWifiChange({ ssid: "", password: "", staEnabled: false }), { station: null, stationEnabled: false });
			assert.deepEqual(parseWifiChange({ apPassword: "haldex-owner-1" }), { accessPoint: { password: "haldex-owner-1" } });
			assert.deepEqual(parseWifiChange({ apPassword: "" }), { accessPoint: { password: null } }, "S3's empty apPassword opens the access point");
		});
		it("refuses bad S3 values naming S3's field, and a body mixing both shapes", () => {
			const cases: [unknown, string, string][] = [
				[{ ssid: "x".repeat(33) }, "invalid_ssid", "ssid"],
				[{ ssid: 5 }, "invalid_ssid", "ssid"],
				[{ ssid: "a", password: "short" }, "invalid_passphrase", "password"],
				[{ password: "longenough" }, "invalid_wifi", "password"],
				[{ apPassword: "1234567" }, "invalid_passphrase", "apPassword"],
				[{ staEnabled: "yes" }, "invalid_wifi", "staEnabled"],
				[{ ssid: "a", station: null }, "invalid_wifi", "ssid"],
			];
			for (const [body, code, field] of cases) assertRefused(body, code, 422, field);
		});
		it("switches the home network off and on with staEnabled, keeping its SSID and passphrase", () => {
			make();
			net.change(parseWifiChange({ ssid: "Garage", password: "supersecret", staEnabled: true })).apply();
			wifi.emit("gotIP", "10.0.0.23");
			assert.equal(net.stationState, "connected");
			net.change(parseWifiChange({ staEnabled: false })).apply();
			assert.equal(net.stationState, "disabled");
			assert.deepEqual(net.addresses(), ["192.168.4.1"]);
			assert.deepEqual(net.settings().station, { ssid: "Garage", passwordSet: true, enabled: false, state: "disabled" });
			assert.include(net.settings(), { ssid: "Garage", staEnabled: false, apPasswordSet: false });
			time.advance(RETRY_MAX_MS * 3);
			assert.equal(net.stationState, "disabled", "no retry while switched off");
			// A restart keeps it off.
			net.stop();
			make();
			assert.equal(net.stationState, "disabled");
			net.change(parseWifiChange({ staEnabled: true })).apply();
			assert.equal(net.stationState, "connecting");
			assert.deepEqual(wifi.station, { ssid: "Garage", password: "supersecret" });
			assert.include(events.join("\n"), "home network switched off");
			assert.include(events.join("\n"), "home network switched on");
		});
		it("answers S3's network fields beside ours", () => {
			make();
			assert.include(net.status(), { staConnected: false, staIp: "", ap: true, apIp: AP_ADDRESS, hostname: "openhaldex.local", internet: false });
			net.change(parseWifiChange({ ssid: "Garage", password: "supersecret" })).apply();
			wifi.emit("gotIP", "10.0.0.23");
			assert.include(net.status(), { staConnected: true, staIp: "10.0.0.23" });
		});
	});
});
