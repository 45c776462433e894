/*
 * Talking to the board: relative URLs only (the firmware refuses foreign
 * Host names), JSON in and out, the admin password as a Basic
 * Authorization header (no cookies). A 401 asks the sign-in layer for the
 * password and retries the same request, so nothing typed on the page is
 * lost.
 */

export class ApiError extends Error {
	readonly status: number;
	readonly code: string;
	readonly field?: string;
	readonly retryAfterS?: number;
	constructor(status: number, code: string, message: string, extra: { field?: string; retryAfterS?: number } = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.field = extra.field;
		this.retryAfterS = extra.retryAfterS;
	}
}

const KEY = "ohx.pw";
let password: string | null = readStored();
const listeners = new Set<() => void>();

function readStored(): string | null {
	try {
		return sessionStorage.getItem(KEY);
	} catch {
		return null;
	}
}

export function signedIn(): boolean {
	return password !== null;
}

export function setPassword(value: string | null): void {
	password = value;
	try {
		if (value === null) sessionStorage.removeItem(KEY);
		else sessionStorage.setItem(KEY, value);
	} catch {
		/* private mode: memory only */
	}
	listeners.forEach((f) => f());
}

export function onAuthChange(f: () => void): void {
	listeners.add(f);
}

export function basic(pw: string): string {
	const bytes = new TextEncoder().encode(`admin:${pw}`);
	let bin = "";
	bytes.forEach((b) => {
		bin += String.fromCharCode(b);
	});
	return `Basic ${btoa(bin)}`;
}

export function authHeaders(): Record<string, string> {
	return password === null ? {} : { authorization: basic(password) };
}

/** Set by the sign-in dialog: resolves true once a working password is stored. */
let askPassword: (why: ApiError) => Promise<boolean> = async () => false;
export function setPasswordPrompt(f: (why: ApiError) => Promise<boolean>): void {
	askPassword = f;
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
	let code = `http_${res.status}`,
		message = res.statusText || `HTTP ${res.status}`,
		field: string | undefined;
	try {
		const body = await res.json();
		if (body?.error) {
			code = String(body.error.code ?? code);
			message = String(body.error.message ?? message);
			if (body.error.field) field = String(body.error.field);
			else if (body.field) field = String(body.field);
		}
	} catch {
		/* not JSON */
	}
	const ra = Number(res.headers.get("retry-after"));
	return new ApiError(res.status, code, message, { field, retryAfterS: ra > 0 ? ra : undefined });
}

export function offline(): ApiError {
	return new ApiError(0, "offline", "The board does not answer.");
}

export interface CallOptions {
	timeoutMs?: number;
	/** Do not open the sign-in dialog on 401 (the caller handles it). */
	noPrompt?: boolean;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		const headers: Record<string, string> = { ...authHeaders() };
		if (body !== undefined) headers["content-type"] = "application/json";
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), options.timeoutMs ?? 8000);
		let res: Response;
		try {
			res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal, cache: "no-store" });
		} catch {
			throw offline();
		} finally {
			clearTimeout(timer);
		}
		if (res.ok) {
			if (res.status === 204) return undefined as T;
			const text = await res.text();
			return (text ? JSON.parse(text) : undefined) as T;
		}
		const err = await errorFromResponse(res);
		if (res.status === 401 && !options.noPrompt && attempt < 3) {
			if (await askPassword(err)) continue;
		}
		throw err;
	}
}

export const get = <T = unknown>(path: string, options?: CallOptions) => api<T>("GET", path, undefined, options);
export const post = <T = unknown>(path: string, body?: unknown, options?: CallOptions) => api<T>("POST", path, body, options);

export interface UploadProgress {
	sent: number;
	total: number;
	bps: number;
}

/**
 * Upload a file with progress (XMLHttpRequest: fetch has no upload
 * progress). Resolves with the JSON answer or rejects with an ApiError;
 * a 401 asks for the password and uploads again.
 */
export async function upload<T>(path: string, file: Blob, onProgress: (p: UploadProgress) => void): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await uploadOnce<T>(path, file, onProgress);
		} catch (e) {
			if (e instanceof ApiError && e.status === 401 && attempt < 3 && (await askPassword(e))) continue;
			throw e;
		}
	}
}

function uploadOnce<T>(path: string, file: Blob, onProgress: (p: UploadProgress) => void): Promise<T> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		const started = performance.now();
		xhr.open("POST", path);
		xhr.setRequestHeader("content-type", "application/octet-stream");
		for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
		xhr.upload.onprogress = (ev) => {
			const s = (performance.now() - started) / 1000;
			onProgress({ sent: ev.loaded, total: ev.total || file.size, bps: s > 0.2 ? Math.round(ev.loaded / s) : 0 });
		};
		xhr.onerror = () => reject(new ApiError(0, "transfer_incomplete", "The connection to the board broke during the upload."));
		xhr.ontimeout = () => reject(new ApiError(0, "transfer_incomplete", "The upload took too long."));
		xhr.onload = async () => {
			const res = new Response(xhr.responseText || null, {
				status: xhr.status,
				statusText: xhr.statusText,
				headers: { "retry-after": xhr.getResponseHeader("retry-after") ?? "" },
			});
			if (xhr.status >= 200 && xhr.status < 300) {
				try {
					resolve(xhr.responseText ? JSON.parse(xhr.responseText) : (undefined as T));
				} catch {
					resolve(undefined as T);
				}
			} else reject(await errorFromResponse(res));
		};
		xhr.send(file);
	});
}
