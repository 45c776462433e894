/*
 * The board's network: its own access point, always up, and the owner's
 * home network (station) joined at the same time when configured, retried
 * in the background. On top: mDNS (openhaldex.local, _http._tcp on both
 * interfaces), the captive DNS responder on the access point, and SNTP
 * once the home network is up.
 *
 *   access point  "OpenHaldex-XXXX" (last 2 bytes of its MAC), 192.168.4.1,
 *                 open until the owner sets a passphrase (WPA2-PSK after)
 *   station       connecting -> connected (got an address) | retrying:
 *                 backoff 5 s doubling to 60 s; an attempt with no address
 *                 after 30 s is abandoned and retried
 *   time          SNTP after each connect, again every 6 h; a failure
 *                 (a network without internet) retries after 5 min
 *
 * Settings (store domain "wifi"): station SSID and passphrase, access
 * point passphrase, and "staOff" while the owner has switched the home
 * network off (its SSID and passphrase kept). Passphrases are never
 * returned by the API.
 *
 * POST /api/wifi takes our shape ({station, accessPoint, stationEnabled})
 * or OpenHaldex-S3's ({ssid, password, apPassword, staEnabled}), never
 * both in one body; GET answers ours with S3's three fields beside it.
 */

import type { Clock } from "ports/clock";
import type { Logger } from "ports/log";
import type { MdnsPort, SntpPort, SntpRequest, StationEvent, UdpPort, UdpSocket, WifiPort } from "ports/network";
import type { KeyValueStore } from "ports/store";
import type { TimerHandle, Timers } from "ports/timers";
import { answerDatagram } from "device/dns";
import { utf8Length } from "ports/store";
import { frozen } from "util/frozen";
import { apiError } from "api/error-codes";

export const AP_ADDRESS = "192.168.4.1";
export const WIFI_DOMAIN = "wifi";
export const RETRY_FIRST_MS = 5_000;
export const RETRY_MAX_MS = 60_000;
export const CONNECT_TIMEOUT_MS = 30_000;
export const SNTP_SERVERS = frozen(["pool.ntp.org", "time.google.com"]);
export const SNTP_RESYNC_MS = 6 * 3600_000;
export const SNTP_RETRY_MS = 5 * 60_000;
export const DNS_PORT = 53;
/** The station's state compared on every request (the Host check's addresses): a constant, not a literal. */
const CONNECTED = "connected";

export type StationState = "disabled" | "connecting" | "connected" | "retrying";

export interface NetworkDeps {
	wifi: WifiPort;
	mdns?: MdnsPort;
	udp?: UdpPort;
	sntp?: SntpPort;
	store: KeyValueStore;
	clock: Clock;
	timers: Timers;
	logger?: Logger;
	hostName: string;
	httpPort: number;
	/** Port of the captive DNS responder (53 on the board; 0 = any free one, in tests). */
	dnsPort?: number;
	/** Event log hook. */
	onEvent?: (kind: "wifi" | "time", message: string) => void;
}

export interface WifiChange {
	station?: { ssid: string; password?: string } | null;
	accessPoint?: { password: string | null };
	/** false: stay off the home network but keep its SSID and passphrase (S3's staEnabled). */
	stationEnabled?: boolean;
}

const OUR_WIFI_FIELDS = frozen(["station", "accessPoint", "stationEnabled"]);
const S3_WIFI_FIELDS = frozen(["ssid", "password", "apPassword", "staEnabled"]);

/** The access point's name: "OpenHaldex-" and the last two MAC bytes in hex. */
export function accessPointSsid(mac: string): string {
	const hex = mac.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
	return `OpenHaldex-${hex.slice(-4).padStart(4, "0")}`;
}

/** True for a client of the access point (192.168.4.0/24) or loopback (the simulator). */
export function fromAccessPoint(address: string): boolean {
	return address.startsWith("192.168.4.") || address === "127.0.0.1";
}

/**
 * Validate a POST /api/wifi body (throws HttpError 400 or 422). `storedSsid`
 * is the home network stored now: S3's shape may send a new password alone.
 */
export function parseWifiChange(body: unknown, storedSsid?: string): WifiChange {
	if (typeof body !== "object" || body === null || Array.isArray(body))
		throw apiError("body_not_object", "Send a JSON object with station and/or accessPoint.");
	const b = body as Record<string, unknown>;
	const keys = Object.keys(b);
	const s3 = keys.filter((k) => S3_WIFI_FIELDS.includes(k));
	const ours = keys.filter((k) => OUR_WIFI_FIELDS.includes(k));
	for (const k of keys)
		if (!s3.includes(k) && !ours.includes(k))
			throw apiError("invalid_wifi", `Unknown field "${k}"; use station, accessPoint and stationEnabled (or S3's ssid, password, apPassword, staEnabled).`, {
				field: k,
			});
	if (s3.length && ours.length)
		throw apiError(
			"invalid_wifi",
			`Send either our fields (station, accessPoint, stationEnabled) or S3's (ssid, password, apPassword, staEnabled), not both.`,
			{
				field: s3[0],
			},
		);
	if (s3.length) return s3WifiChange(b, storedSsid);
	if (!ours.length) throw apiError("invalid_wifi", "Nothing to change: send station, accessPoint and/or stationEnabled.", { field: "station" });
	const out: WifiChange = {};
	if (b.station === null) out.station = null;
	else if (b.station !== undefined) {
		const s = b.station as Record<string, unknown>;
		out.station = stationChange(typeof s === "object" ? s.ssid : undefined, typeof s === "object" ? s.password : undefined, "station.ssid", "station.password");
	}
	if (b.accessPoint !== undefined) {
		const a = b.accessPoint as Record<string, unknown>;
		if (typeof a !== "object" || a === null || !("password" in a)) throw accessPointRefusal("accessPoint.password");
		out.accessPoint = accessPointChange(a.password, "accessPoint.password");
	}
	if (b.stationEnabled !== undefined) out.stationEnabled = enabledFlag(b.stationEnabled, "stationEnabled");
	return out;
}

/** S3's shape: ssid "" forgets the home network, apPassword "" opens the access point (S3 api.cpp handleWifiPost). */
function s3WifiChange(b: Record<string, unknown>, storedSsid: string | undefined): WifiChange {
	const out: WifiChange = {};
	if (b.ssid === "") out.station = null;
	else if (b.ssid !== undefined || b.password !== undefined) {
		const ssid = b.ssid ?? storedSsid;
		if (ssid === undefined) throw apiError("invalid_wifi", "No home network is stored: send ssid with the password.", { field: "password" });
		out.station = stationChange(ssid, b.password, "ssid", "password");
	}
	if (b.apPassword !== undefined) out.accessPoint = accessPointChange(b.apPassword === "" ? null : b.apPassword, "apPassword");
	if (b.staEnabled !== undefined) out.stationEnabled = enabledFlag(b.staEnabled, "staEnabled");
	return out;
}

function stationChange(ssid: unknown, password: unknown, ssidField: string, passwordField: string): { ssid: string; password?: string } {
	if (typeof ssid !== "string" || !ssid.length || utf8Length(ssid) > 32)
		throw apiError("invalid_ssid", `${ssidField} must be 1 to 32 bytes.`, { field: ssidField });
	if (password !== undefined && !validPassphrase(password, true))
		throw apiError("invalid_passphrase", `${passwordField} must be empty (open network) or 8 to 63 characters.`, { field: passwordField });
	return { ssid, ...(password !== undefined ? { password: password as string } : {}) };
}

function accessPointRefusal(field: string) {
	return apiError(
		"invalid_passphrase",
		`${field} must be 8 to 63 printable ASCII characters (WPA2), or ${field === "apPassword" ? '""' : "null"} for an open access point.`,
		{
			field,
		},
	);
}

function accessPointChange(password: unknown, field: string): { password: string | null } {
	if (password !== null && !validPassphrase(password, false)) throw accessPointRefusal(field);
	return { password: password as string | null };
}

function enabledFlag(value: unknown, field: string): boolean {
	if (typeof value !== "boolean") throw apiError("invalid_wifi", `${field} must be true or false.`, { field });
	return value;
}

function validPassphrase(p: unknown, allowEmpty: boolean): boolean {
	if (typeof p !== "string") return false;
	if (p === "") return allowEmpty;
	return p.length >= 8 && p.length <= 63 && /^[\x20-\x7e]+$/.test(p);
}

export class NetworkService {
	readonly #d: NetworkDeps;
	#apSsid = "";
	#station: StationState = "disabled";
	#attempts = 0;
	#retryAt = 0;
	#lastError: string | undefined;
	#connectedAt = 0;
	#retryTimer: TimerHandle | undefined;
	#timeoutTimer: TimerHandle | undefined;
	#sntpTimer: TimerHandle | undefined;
	#sntpRequest: SntpRequest | undefined;
	#sntp: { state: "idle" | "asking" | "synced" | "failed"; lastError?: string; lastSyncUpMs?: number } = { state: "idle" };
	#mdns: { state: "off" | "claiming" | "up" | "failed"; name?: string; error?: string } = { state: "off" };
	#dns: UdpSocket | undefined;
	#dnsStats = { queries: 0, answered: 0, error: undefined as string | undefined };
	#started = false;

	constructor(deps: NetworkDeps) {
		this.#d = deps;
	}

	start(): void {
		if (this.#started) return;
		this.#started = true;
		const { wifi } = this.#d;
		this.#apSsid = accessPointSsid(wifi.macAddress());
		wifi.onStation((e) => this.#onStation(e));
		this.#startAccessPoint();
		this.#startStation();
		this.#startMdns();
		this.#startDns();
	}

	stop(): void {
		for (const t of [this.#retryTimer, this.#timeoutTimer, this.#sntpTimer]) this.#d.timers.cancel(t);
		this.#sntpRequest?.cancel();
		this.#dns?.close();
		this.#dns = undefined;
		this.#d.mdns?.stop();
		this.#started = false;
	}

	/** The addresses the board answers on, for the Host check. */
	addresses(): string[] {
		const out = [AP_ADDRESS];
		const sta = this.#station === CONNECTED ? this.#d.wifi.stationInfo().address : undefined;
		if (sta) out.push(sta);
		return out;
	}

	get stationState(): StationState {
		return this.#station;
	}
	get dnsPort(): number | undefined {
		return this.#dns?.port;
	}

	/**
	 * GET /api/network, with OpenHaldex-S3's six fields after ours (its
	 * "internet" is our SNTP having synced: the one internet service the
	 * board uses).
	 */
	status() {
		const now = this.#d.clock.monotonicMs();
		const sta = this.#d.wifi.stationInfo();
		const ssid = this.#stored("staSsid");
		const staConnected = this.#station === "connected";
		return {
			hostName: this.#d.hostName,
			mdns: {
				hostName: `${this.#mdns.name ?? this.#d.hostName}.local`,
				services: ["_http._tcp"],
				state: this.#mdns.state,
				...(this.#mdns.error ? { error: this.#mdns.error } : {}),
			},
			interfaces: [
				{
					name: "ap",
					up: this.#started,
					ssid: this.#apSsid,
					address: AP_ADDRESS,
					mac: this.#d.wifi.macAddress(),
					security: this.#stored("apPass") ? "wpa2-psk" : "open",
					clients: this.#d.wifi.accessPointClients(),
				},
				{
					name: "station",
					state: this.#station,
					...(ssid ? { ssid } : {}),
					...(this.#station === "connected"
						? { address: sta.address, rssi: sta.rssi, gateway: sta.gateway, connectedS: Math.floor((now - this.#connectedAt) / 1000) }
						: {}),
					attempts: this.#attempts,
					...(this.#station === "retrying" ? { retryInS: Math.max(0, Math.ceil((this.#retryAt - now) / 1000)) } : {}),
					...(this.#lastError ? { lastError: this.#lastError } : {}),
				},
			],
			dns: {
				captive: this.#dns !== undefined,
				port: this.#dns?.port ?? null,
				answersWith: AP_ADDRESS,
				queries: this.#dnsStats.queries,
				answered: this.#dnsStats.answered,
				...(this.#dnsStats.error ? { error: this.#dnsStats.error } : {}),
			},
			time: { ...this.#sntp, servers: [...SNTP_SERVERS] }, // a copy: JSON.stringify throws on flash objects
			staConnected,
			staIp: staConnected ? (sta.address ?? "") : "",
			ap: this.#started,
			apIp: this.#started ? AP_ADDRESS : "",
			hostname: `${this.#mdns.name ?? this.#d.hostName}.local`,
			internet: staConnected && this.#sntp.state === "synced",
		};
	}

	/** GET /api/wifi: the settings, without passphrases; S3's ssid, staEnabled and apPasswordSet beside ours. */
	settings() {
		const ssid = this.#stored("staSsid");
		const enabled = !this.#stored("staOff");
		const apPasswordSet = !!this.#stored("apPass");
		return {
			accessPoint: { ssid: this.#apSsid, address: AP_ADDRESS, security: apPasswordSet ? "wpa2-psk" : "open", passwordSet: apPasswordSet },
			station: ssid ? { ssid, passwordSet: !!this.#stored("staPass"), enabled, state: this.#station } : null,
			stationEnabled: enabled,
			ssid: ssid ?? "",
			staEnabled: enabled,
			apPasswordSet,
		};
	}

	/**
	 * Store a change now; apply it (restart the access point, rejoin) when
	 * `apply` runs, i.e. after the HTTP answer left: changing the access
	 * point drops the phone that asked.
	 */
	change(change: WifiChange): { apply: () => void } {
		const s = this.#d.store;
		if (change.station === null) {
			s.delete(WIFI_DOMAIN, "staSsid");
			s.delete(WIFI_DOMAIN, "staPass");
		} else if (change.station) {
			const same = this.#stored("staSsid") === change.station.ssid;
			s.set(WIFI_DOMAIN, "staSsid", change.station.ssid);
			if (change.station.password !== undefined) s.set(WIFI_DOMAIN, "staPass", change.station.password);
			else if (!same) s.delete(WIFI_DOMAIN, "staPass");
		}
		if (change.accessPoint) {
			if (change.accessPoint.password === null) s.delete(WIFI_DOMAIN, "apPass");
			else s.set(WIFI_DOMAIN, "apPass", change.accessPoint.password);
		}
		const toggled = change.stationEnabled !== undefined && change.stationEnabled === !!this.#stored("staOff");
		if (change.stationEnabled === true) s.delete(WIFI_DOMAIN, "staOff");
		else if (change.stationEnabled === false) s.set(WIFI_DOMAIN, "staOff", "1");
		return {
			apply: () => {
				if (change.accessPoint) {
					this.#startAccessPoint();
					this.#d.onEvent?.("wifi", `access point is now ${this.#stored("apPass") ? "WPA2-protected" : "open"}`);
				}
				if (change.station !== undefined || toggled) {
					this.#stopStation();
					this.#attempts = 0;
					this.#lastError = undefined;
					this.#startStation();
					if (change.station !== undefined)
						this.#d.onEvent?.("wifi", change.station ? `home network set to "${change.station.ssid}"` : "home network forgotten");
					if (toggled) this.#d.onEvent?.("wifi", `home network switched ${change.stationEnabled ? "on" : "off"}`);
				}
			},
		};
	}

	#stored(key: string): string | undefined {
		const v = this.#d.store.get(WIFI_DOMAIN, key);
		return typeof v === "string" && v.length ? v : undefined;
	}

	#startAccessPoint(): void {
		const password = this.#stored("apPass");
		this.#d.wifi.startAccessPoint({ ssid: this.#apSsid, address: AP_ADDRESS, ...(password ? { password } : {}) });
		this.#d.logger?.log("info", `access point ${this.#apSsid} (${password ? "WPA2" : "open"}) at ${AP_ADDRESS}`);
	}

	#startStation(): void {
		const ssid = this.#stored("staSsid");
		if (!ssid || this.#stored("staOff")) {
			this.#station = "disabled";
			return;
		}
		this.#attempts++;
		this.#station = "connecting";
		this.#d.wifi.connectStation({ ssid, password: this.#stored("staPass") ?? "" });
		this.#d.timers.cancel(this.#timeoutTimer);
		this.#timeoutTimer = this.#d.timers.after(CONNECT_TIMEOUT_MS, () => {
			this.#timeoutTimer = undefined;
			if (this.#station !== "connecting") return;
			this.#d.wifi.disconnectStation();
			this.#scheduleRetry(`no address from "${ssid}" within ${CONNECT_TIMEOUT_MS / 1000} s`);
		});
	}

	#stopStation(): void {
		this.#d.timers.cancel(this.#retryTimer);
		this.#d.timers.cancel(this.#timeoutTimer);
		this.#retryTimer = this.#timeoutTimer = undefined;
		if (this.#station !== "disabled") this.#d.wifi.disconnectStation();
		const was = this.#station;
		this.#station = "disabled";
		if (was === "connected") this.#linkChanged();
	}

	#scheduleRetry(why: string): void {
		this.#lastError = why;
		this.#station = "retrying";
		const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, this.#attempts - 1));
		this.#retryAt = this.#d.clock.monotonicMs() + delay;
		this.#d.logger?.log("info", `home network: ${why}; retrying in ${delay / 1000} s`);
		this.#d.timers.cancel(this.#retryTimer);
		this.#retryTimer = this.#d.timers.after(delay, () => {
			this.#retryTimer = undefined;
			this.#startStation();
		});
	}

	#onStation(event: StationEvent): void {
		if (this.#station === "disabled") return;
		if (event === "gotIP") {
			this.#d.timers.cancel(this.#timeoutTimer);
			this.#timeoutTimer = undefined;
			this.#station = "connected";
			this.#connectedAt = this.#d.clock.monotonicMs();
			this.#attempts = 0;
			this.#lastError = undefined;
			const sta = this.#d.wifi.stationInfo();
			this.#d.onEvent?.("wifi", `joined "${this.#stored("staSsid")}" as ${sta.address ?? "?"}`);
			this.#linkChanged();
			this.#syncTime();
		} else if (event === "disconnected" || event === "lostIP") {
			const was = this.#station;
			this.#d.wifi.disconnectStation();
			this.#scheduleRetry(was === "connected" ? "the home network dropped" : `could not join "${this.#stored("staSsid")}" (wrong passphrase or out of range)`);
			if (was === "connected") {
				this.#d.onEvent?.("wifi", "left the home network");
				this.#linkChanged();
			}
		}
	}

	/** Interfaces changed: announce mDNS again so both interfaces carry it. */
	#linkChanged(): void {
		if (!this.#d.mdns) return;
		this.#d.mdns.stop();
		this.#startMdns();
	}

	#startMdns(): void {
		const mdns = this.#d.mdns;
		if (!mdns) return;
		this.#mdns = { state: "claiming" };
		try {
			mdns.start(this.#d.hostName, [{ name: "http", protocol: "tcp", port: this.#d.httpPort }], (name, error) => {
				this.#mdns = name ? { state: "up", name } : { state: "failed", error: error ?? "mDNS failed" };
			});
		} catch (e) {
			this.#mdns = { state: "failed", error: e instanceof Error ? e.message : String(e) };
		}
	}

	#startDns(): void {
		const udp = this.#d.udp;
		if (!udp) return;
		try {
			this.#dns = udp.bind(this.#d.dnsPort ?? DNS_PORT, (data, address, port) => {
				// Only phones on the access point (and the simulator's loopback): on the
				// home network the board must not pose as everybody's DNS server.
				if (!fromAccessPoint(address)) return;
				this.#dnsStats.queries++;
				const answer = answerDatagram(data, AP_ADDRESS);
				if (!answer) return;
				this.#dns?.send(address, port, answer);
				this.#dnsStats.answered++;
			});
		} catch (e) {
			this.#dnsStats.error = e instanceof Error ? e.message : String(e);
			this.#d.logger?.log("warn", `captive DNS not started: ${this.#dnsStats.error}`);
		}
	}

	#syncTime(): void {
		const sntp = this.#d.sntp;
		if (!sntp || this.#sntp.state === "asking") return;
		this.#d.timers.cancel(this.#sntpTimer);
		this.#sntp = { ...this.#sntp, state: "asking" };
		// A copy: SNTP_SERVERS is frozen (in flash on the board) and the adapter may keep or change it.
		this.#sntpRequest = sntp.request([...SNTP_SERVERS], (epochMs, error) => {
			this.#sntpRequest = undefined;
			if (epochMs !== undefined) {
				this.#d.clock.setWallMs(epochMs, "sntp");
				this.#sntp = { state: "synced", lastSyncUpMs: this.#d.clock.monotonicMs() };
				this.#d.onEvent?.("time", `clock set by SNTP to ${new Date(epochMs).toISOString()}`);
				this.#sntpTimer = this.#d.timers.after(SNTP_RESYNC_MS, () => this.#syncTime());
			} else {
				this.#sntp = { ...this.#sntp, state: "failed", lastError: error ?? "no answer" };
				this.#sntpTimer = this.#d.timers.after(SNTP_RETRY_MS, () => {
					if (this.#station === "connected") this.#syncTime();
				});
			}
		});
	}
}
