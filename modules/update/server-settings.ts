/*
 * Where the board looks for updates: the OTA file server's base URL, the
 * module token that names our firmware on that server, and the access
 * token it sends as x-access-token (the fleet OTA file API, v2). Kept in the store (NVS on
 * the board) under the domain "updsrv".
 *
 * The access token is write-only: nothing returns it, views say only
 * `tokenSet`. Every value is checked before it is stored, because the URL
 * and the tokens end up in request lines and headers.
 */

import type { KeyValueStore } from "ports/store";
import { isSafeHeaderValue, parseHttpUrl } from "ports/http-client";
import { apiError } from "api/error-codes";

export const UPDATE_SERVER_DOMAIN = "updsrv";
/** The module token the board asks for when the owner set none. */
export const DEFAULT_MODULE = "openhaldex-xs";

const KEY_URL = "url",
	KEY_MODULE = "module",
	KEY_TOKEN = "token";
export const MAX_URL_LENGTH = 200;
export const MAX_TOKEN_LENGTH = 512;

export interface ServerSettings {
	/** Base URL without a trailing slash, e.g. "https://ota.example.com"; "" when not configured. */
	url: string;
	module: string;
	/** The access token; "" when none. Never leaves the board through the API. */
	token: string;
}

/** What GET /api/update/server shows. */
export interface ServerSettingsView {
	url: string;
	module: string;
	tokenSet: boolean;
	configured: boolean;
}

export interface ServerSettingsPatch {
	url?: unknown;
	module?: unknown;
	/** A string sets the token; "" or null clears it. */
	token?: unknown;
}

export function loadServerSettings(store: KeyValueStore): ServerSettings {
	const text = (key: string, fallback: string) => {
		const v = store.get(UPDATE_SERVER_DOMAIN, key);
		return typeof v === "string" ? v : fallback;
	};
	return { url: text(KEY_URL, ""), module: text(KEY_MODULE, DEFAULT_MODULE), token: text(KEY_TOKEN, "") };
}

export function viewServerSettings(s: ServerSettings): ServerSettingsView {
	return { url: s.url, module: s.module, tokenSet: s.token.length > 0, configured: s.url.length > 0 };
}

/** Checks the whole patch first (400 bad_url / bad_module / bad_token / bad_settings), then stores it. */
export function saveServerSettings(store: KeyValueStore, patch: unknown): ServerSettings {
	if (typeof patch !== "object" || patch === null || Array.isArray(patch))
		throw apiError("body_not_object", "Send a JSON object with url, module and/or token.");
	const p = patch as ServerSettingsPatch;
	const unknown = Object.keys(p).filter((k) => k !== "url" && k !== "module" && k !== "token");
	if (unknown.length)
		throw apiError("invalid_setting", `Unknown setting ${unknown.map((k) => `"${k}"`).join(", ")}; use url, module and token.`, { field: unknown[0] });
	const next = loadServerSettings(store);
	if (p.url !== undefined) next.url = normalizeServerUrl(p.url);
	if (p.module !== undefined) {
		if (typeof p.module !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(p.module))
			throw apiError("invalid_module", "The module token is 1 to 64 letters, digits, dots, dashes or underscores.", { field: "module" });
		next.module = p.module;
	}
	if (p.token !== undefined) {
		if (p.token === null || p.token === "") next.token = "";
		else if (typeof p.token !== "string" || p.token.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(p.token))
			throw apiError("invalid_token", `The access token is up to ${MAX_TOKEN_LENGTH} printable ASCII characters without spaces.`, { field: "token" });
		else next.token = p.token;
	}
	if (p.url !== undefined) {
		if (next.url) store.set(UPDATE_SERVER_DOMAIN, KEY_URL, next.url);
		else store.delete(UPDATE_SERVER_DOMAIN, KEY_URL);
	}
	if (p.module !== undefined) store.set(UPDATE_SERVER_DOMAIN, KEY_MODULE, next.module);
	if (p.token !== undefined) {
		if (next.token) store.set(UPDATE_SERVER_DOMAIN, KEY_TOKEN, next.token);
		else store.delete(UPDATE_SERVER_DOMAIN, KEY_TOKEN);
	}
	return next;
}

/** "" clears; otherwise an http(s) base URL without query or fragment; the trailing slash is dropped. */
export function normalizeServerUrl(value: unknown): string {
	if (value === "" || value === null) return "";
	if (typeof value !== "string" || value.length > MAX_URL_LENGTH || !isSafeHeaderValue(value))
		throw apiError("invalid_url", `The server URL must be an http:// or https:// address of at most ${MAX_URL_LENGTH} characters.`, { field: "url" });
	const url = value.replace(/\/+$/, "");
	const parsed = parseHttpUrl(url);
	if (!parsed || /[?#]/.test(url))
		throw apiError("invalid_url", `"${value}" is not an http:// or https:// base address (like https://ota.example.com) without ? or #.`, { field: "url" });
	return url;
}

/** The token goes only to the configured server, never to another host named in a fetch URL. */
export function isOnServer(settings: ServerSettings, url: string): boolean {
	return settings.url.length > 0 && url.startsWith(`${settings.url}/`);
}

export function listUrl(s: ServerSettings): string {
	return `${s.url}/api/v2/ota-files?module=${encodeURIComponent(s.module)}&isActive=1`;
}

export function fileUrl(s: ServerSettings, id: string): string {
	return `${s.url}/api/v2/ota-files/${encodeURIComponent(id)}/file`;
}

export function authHeaders(s: ServerSettings): [string, string][] {
	return s.token ? [["x-access-token", s.token]] : [];
}
