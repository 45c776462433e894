/*
 * Network ports: Wi-Fi (access point and station at once), mDNS, UDP
 * sockets (the captive DNS responder) and SNTP. Device adapters wrap
 * Moddable's legacy `wifi`, `mdns`, `socket` and `sntp` modules
 * (modules/device/moddable); the simulator has an equivalent for each
 * (host/simulator/device-sim.ts). Every policy (retry, backoff, which
 * names the DNS responder answers) lives in modules/device, not here.
 */

export interface AccessPointConfig {
	ssid: string;
	/** WPA2-PSK passphrase (8..63 characters); undefined = open network. */
	password?: string;
	/** The access point's own address (fixed, 192.168.4.1 on the board). */
	address: string;
	channel?: number;
}

export interface StationConfig {
	ssid: string;
	/** Empty for an open network. */
	password: string;
}

/** What a Wi-Fi adapter reports about the station (home network) link. */
export type StationEvent = "connected" | "gotIP" | "lostIP" | "disconnected";

export interface WifiPort {
	/** MAC address of the access point interface, "aa:bb:cc:dd:ee:ff" lower case. */
	macAddress(): string;
	/** Start (or reconfigure) the access point. The station link is kept. */
	startAccessPoint(config: AccessPointConfig): void;
	/** Start joining a network; progress arrives through onStation. The access point stays up. */
	connectStation(config: StationConfig): void;
	/** Leave the network (no event follows a disconnect asked for here). */
	disconnectStation(): void;
	/** The one listener for station events. */
	onStation(listener: (event: StationEvent) => void): void;
	/** Station address and signal while connected. */
	stationInfo(): { address?: string; rssi?: number; gateway?: string };
	/** Stations joined to the access point. */
	accessPointClients(): number;
}

export interface MdnsService {
	name: string;
	protocol: "tcp" | "udp";
	port: number;
	txt?: Record<string, string>;
}

export interface MdnsPort {
	/**
	 * Claim `hostName`.local and announce the services on every interface
	 * that is up. `onClaimed` gets the name actually claimed (the responder
	 * may append "-2" on a conflict), or undefined when mDNS failed.
	 */
	start(hostName: string, services: MdnsService[], onClaimed: (name: string | undefined, error?: string) => void): void;
	stop(): void;
}

export interface UdpSocket {
	/** The local port (useful when bound to port 0). */
	readonly port: number;
	send(address: string, port: number, data: Uint8Array): void;
	close(): void;
}

export interface UdpPort {
	/** Bind a socket; every datagram received goes to onMessage. Throws when the port is taken. */
	bind(port: number, onMessage: (data: Uint8Array, address: string, port: number) => void): UdpSocket;
}

export interface SntpRequest {
	cancel(): void;
}

export interface SntpPort {
	/**
	 * Ask the servers (in order) for the time. `done` is called once: with
	 * epoch ms, or with undefined and the reason. Callbacks never run inside
	 * request().
	 */
	request(servers: string[], done: (epochMs: number | undefined, error?: string) => void): SntpRequest;
}
