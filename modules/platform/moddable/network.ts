/*
 * Network ports over Moddable's legacy modules, on the board and in mcsim:
 *   WifiPort  legacy `wifi` (the ECMA-419 Wi-Fi has no access point):
 *             WiFi.mode = station | accessPoint, WiFi.accessPoint(), WiFi.connect()
 *   MdnsPort  `mdns` (claims the name, then adds _http._tcp)
 *   UdpPort   `socket` kind "UDP" (the captive DNS responder)
 *   SntpPort  `sntp`
 * On lin, mdns is not started (two SDK bugs make it throw or abort in mcsim:
 * see docs/device.md); the composition root passes no MdnsPort there.
 */

import WiFi from "wifi";
import Net from "net";
import MDNS from "mdns";
import { Socket } from "socket";
import SNTP from "sntp";
import type { AccessPointConfig, MdnsPort, MdnsService, SntpPort, StationConfig, StationEvent, UdpPort, UdpSocket, WifiPort } from "ports/network";
import { frozen } from "util/frozen";

const MODE_STATION = 1,
	MODE_AP = 2;
const netGet = Net.get as unknown as (what: string, iface?: string) => string | number | undefined;

export class ModdableWifi implements WifiPort {
	#monitor: WiFi | undefined;
	#listener: ((e: StationEvent) => void) | undefined;
	#clients = 0;

	macAddress(): string {
		return String(netGet("MAC", "ap") ?? netGet("MAC") ?? "00:00:00:00:00:00").toLowerCase();
	}
	startAccessPoint(config: AccessPointConfig): void {
		WiFi.mode = (MODE_STATION | MODE_AP) as 3;
		// The SDK's access point always serves 192.168.4.1 (ESP-IDF's default AP netif).
		WiFi.accessPoint({ ssid: config.ssid, ...(config.password ? { password: config.password } : {}), channel: config.channel ?? 1, max: 4 });
		this.#ensureMonitor();
	}
	connectStation(config: StationConfig): void {
		this.#ensureMonitor();
		WiFi.connect({ ssid: config.ssid, ...(config.password ? { password: config.password } : {}) });
	}
	disconnectStation(): void {
		WiFi.disconnect();
	}
	onStation(listener: (event: StationEvent) => void): void {
		this.#listener = listener;
	}
	stationInfo() {
		const address = netGet("IP", "station");
		const rssi = netGet("RSSI");
		return { ...(typeof address === "string" && address && address !== "0.0.0.0" ? { address } : {}), ...(typeof rssi === "number" ? { rssi } : {}) };
	}
	accessPointClients(): number {
		return this.#clients;
	}
	#ensureMonitor(): void {
		if (this.#monitor) return;
		this.#monitor = new WiFi(undefined, (message) => {
			switch (message) {
				case "connect":
					this.#listener?.("connected");
					break;
				case "gotIP":
					this.#listener?.("gotIP");
					break;
				case "lostIP":
					this.#listener?.("lostIP");
					break;
				case "disconnect":
					this.#listener?.("disconnected");
					break;
				case "station_connect":
					this.#clients++;
					break;
				case "station_disconnect":
					this.#clients = Math.max(0, this.#clients - 1);
					break;
			}
		});
	}
}

export class ModdableMdns implements MdnsPort {
	#mdns: MDNS | undefined;
	start(hostName: string, services: MdnsService[], onClaimed: (name: string | undefined, error?: string) => void): void {
		const mdns = new MDNS({ hostName }, (message, value) => {
			if (message !== 1) return;
			if (!value) {
				onClaimed(undefined, "mDNS name not claimed");
				return;
			}
			for (const s of services) mdns.add({ name: s.name, protocol: s.protocol, port: s.port, txt: s.txt ?? {} });
			onClaimed(value);
		});
		this.#mdns = mdns;
	}
	stop(): void {
		(this.#mdns as unknown as { close?: () => void } | undefined)?.close?.();
		this.#mdns = undefined;
	}
}

export const moddableUdp: UdpPort = frozen({
	bind(port, onMessage): UdpSocket {
		const socket = new Socket({ kind: "UDP", port }) as unknown as {
			callback: (message: number, value?: number, address?: string, remotePort?: number) => void;
			read(type: typeof ArrayBuffer): ArrayBuffer;
			write(address: string, port: number, data: ArrayBuffer): void;
			close(): void;
		};
		socket.callback = (message, _value, address, remotePort) => {
			if (message !== 2 || !address || remotePort === undefined) return; // 2: a datagram arrived
			onMessage(new Uint8Array(socket.read(ArrayBuffer)), address, remotePort);
		};
		return {
			port,
			send(address, p, data) {
				socket.write(address, p, data.slice().buffer as ArrayBuffer);
			},
			close() {
				socket.close();
			},
		};
	},
});

export const moddableSntp: SntpPort = frozen({
	request(servers, done) {
		let finished = false,
			index = 0;
		const finish = (epochMs: number | undefined, error?: string) => {
			if (!finished) {
				finished = true;
				done(epochMs, error);
			}
		};
		const sntp = new SNTP({ host: servers[0] }, (message, value) => {
			if (message === 1) {
				finish((value ?? 0) * 1000);
				(sntp as unknown as { close(): void }).close();
			} else if (message === -1) {
				const next = servers[++index];
				if (next) return next as unknown as undefined; // the SDK's callback returns the next host to try
				finish(undefined, "no answer from the SNTP servers");
			}
		});
		return {
			cancel() {
				finished = true;
				try {
					(sntp as unknown as { close(): void }).close();
				} catch {
					/* already closed */
				}
			},
		};
	},
});
