/*
 * The device endpoints:
 *   GET  /api/network        interfaces, addresses, SSIDs, signal, host name, mDNS, DNS, SNTP
 *   GET  /api/wifi           Wi-Fi settings (passphrases never returned)
 *   POST /api/wifi           change them (auth); applied after the answer is sent
 *   GET  /api/logs           event log, newest first (?limit=1..200, ?kind=)
 *   POST /api/logs/clear     erase it (auth)
 *   GET  /api/device         settings, boot and safe mode, LED, outputs
 *   POST /api/device/settings  favourite modes, external input, brake outputs (auth)
 */

import { jsonResponse } from "api/errors";
import type { Router } from "api/router";
import { textSource } from "api/http";
import { parseWifiChange } from "device/network";
import { deviceStatusFields, type DeviceServices } from "device/services";
import { apiError } from "api/error-codes";

export function registerDeviceRoutes(router: Router, device: DeviceServices): void {
	const network = () => {
		if (!device.network) throw apiError("no_network", "This build has no Wi-Fi adapter.");
		return device.network;
	};
	router.add({ method: "GET", path: "/api/network", handle: () => jsonResponse(200, network().status()) });
	router.add({ method: "GET", path: "/api/wifi", handle: () => jsonResponse(200, network().settings()) });
	router.add({
		method: "POST",
		path: "/api/wifi",
		auth: true,
		body: "json",
		handle: (_req, body) => {
			const change = parseWifiChange(body, network().settings().station?.ssid);
			const { apply } = network().change(change);
			return { ...jsonResponse(200, { ...network().settings(), applying: true }), afterSend: apply };
		},
	});
	router.add({
		method: "GET",
		path: "/api/logs",
		handle: (req) => {
			const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
			if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw apiError("invalid_limit", "limit must be 1 to 200.", { field: "limit" });
			// Streamed one entry at a time: 100 entries built into one string ran mcsim's 48 KiB heap out.
			const cursor = device.events.cursor(limit, req.query.kind || undefined);
			let first = true,
				done = false;
			const body = textSource(() => {
				if (done) return undefined;
				const e = cursor.next();
				if (e) {
					const piece = `${first ? '{"entries":[' : ","}${JSON.stringify(e)}`;
					first = false;
					return piece;
				}
				done = true;
				return `${first ? '{"entries":[' : ""}],"log":${JSON.stringify(device.events.status())}}`;
			});
			return {
				status: 200,
				headers: [
					["content-type", "application/json"],
					["cache-control", "no-store"],
				],
				body,
			};
		},
	});
	router.add({
		method: "POST",
		path: "/api/logs/clear",
		auth: true,
		handle: () => {
			device.events.clear("the owner (POST /api/logs/clear)");
			return jsonResponse(200, { cleared: true });
		},
	});
	router.add({
		method: "GET",
		path: "/api/device",
		handle: () => {
			const mirrors = device.ports.mirrors;
			return jsonResponse(200, {
				...deviceStatusFields(device),
				settings: device.settings(),
				outputs: mirrors ? { brake: mirrors.status("brake"), handbrake: mirrors.status("handbrake") } : null,
			});
		},
	});
	router.add({
		method: "POST",
		path: "/api/device/settings",
		auth: true,
		body: "json",
		handle: (_req, body) => jsonResponse(200, device.updateSettings(body)),
	});
}
