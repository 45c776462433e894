/*
 * Who may change things. Reading needs no password; every route marked
 * `auth: true` needs the admin password in an Authorization header
 * (Basic, user "admin"), sent by the web app's script. No cookies, so no
 * other site can make a browser use it; no WWW-Authenticate, so browsers
 * never pop up a dialog.
 *
 * - Before a password exists: 403 setup_required.
 * - The password is set by POST /api/setup, accepted only while the setup
 *   window is open: the first 10 minutes after boot while none is set, or
 *   2 minutes after a long press of the mode button (physical presence,
 *   which also lets an owner who forgot it set a new one).
 * - 5 wrong passwords in a row lock authentication out, 30 s then doubling
 *   up to 15 min (429 with Retry-After), even for the right password.
 * - Stored as PBKDF2-HMAC-SHA256 with a random salt; the iteration count is
 *   in the stored string so it can change. A verified header is remembered
 *   as a keyed digest so later requests cost one SHA-256, not PBKDF2.
 */

import { jsonResponse } from "api/errors";
import type { Response } from "api/http";
import type { Guard, Router } from "api/router";
import type { Clock } from "ports/clock";
import type { DigestFactory } from "ports/digest";
import type { KeyValueStore } from "ports/store";
import type { Random } from "ports/random";
import type { Logger } from "ports/log";
import { constantTimeEqual, pbkdf2Sha256 } from "util/pbkdf2";
import { fromHex, toHex } from "util/hex";
import { utf8Decode, utf8Encode } from "util/utf8";
import { base64Decode } from "util/base64";
import { frozen } from "util/frozen";
import { apiError, apiErrorResponse } from "api/error-codes";

export const AUTH_DOMAIN = "auth";
const PASSWORD_KEY = "admin";
// setupWindow() runs five times a second (the LED) and on every status poll: constants, not literals.
const STRING = "string",
	CLOSED: SetupWindow["reason"] = "closed";

export interface AuthOptions {
	/** PBKDF2 iterations for a new password (see docs/api.md for the sizing). */
	iterations: number;
	/** Setup is open this long after boot while no password exists. */
	firstBootWindowMs: number;
	/** Setup is open this long after a long press of the mode button. */
	presenceWindowMs: number;
	maxFailures: number;
	lockoutBaseMs: number;
	lockoutMaxMs: number;
	minPasswordLength: number;
	maxPasswordLength: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = frozen({
	iterations: 4096,
	firstBootWindowMs: 10 * 60_000,
	presenceWindowMs: 2 * 60_000,
	maxFailures: 5,
	lockoutBaseMs: 30_000,
	lockoutMaxMs: 15 * 60_000,
	minPasswordLength: 8,
	maxPasswordLength: 64,
});

export interface AuthDeps {
	store: KeyValueStore;
	digests: DigestFactory;
	random: Random;
	clock: Clock;
	logger: Logger;
	/** Called on every sign-in outcome, for the event log. */
	onEvent?: (event: "login_failed" | "locked_out" | "password_set", detail: string) => void;
}

export type SetupWindow = { open: boolean; reason: "first_boot" | "button" | "closed"; closesInMs: number };

export class AdminAuth {
	readonly #deps: AuthDeps;
	readonly #options: AuthOptions;
	#failures = 0;
	#lockedUntil = 0;
	#lockouts = 0;
	#pressAt = -Infinity;
	#cacheKey: Uint8Array;
	#verifiedTag: Uint8Array | undefined;

	constructor(deps: AuthDeps, options: Partial<AuthOptions> = {}) {
		this.#deps = deps;
		this.#options = { ...DEFAULT_AUTH_OPTIONS, ...options };
		this.#cacheKey = deps.random.bytes(32);
	}

	/** @hot */
	hasPassword(): boolean {
		return typeof this.#deps.store.get(AUTH_DOMAIN, PASSWORD_KEY) === STRING;
	}

	/** The mode button was held: the owner is at the car. */
	physicalPresence(): void {
		this.#pressAt = this.#deps.clock.monotonicMs();
		this.#deps.logger.log("info", "setup window opened by a long press");
	}

	setupWindow(): SetupWindow {
		const now = this.#deps.clock.monotonicMs();
		const press = this.#pressAt + this.#options.presenceWindowMs - now;
		if (press > 0) return { open: true, reason: "button", closesInMs: press };
		const boot = this.#options.firstBootWindowMs - now;
		// The window's time first: after it, the store is not read (the LED samples this five times a second).
		if (boot > 0 && !this.hasPassword()) return { open: true, reason: "first_boot", closesInMs: boot };
		return { open: false, reason: CLOSED, closesInMs: 0 };
	}

	/** Set the admin password through the setup window. Throws HttpError. */
	setup(password: unknown): void {
		if (!this.setupWindow().open) {
			throw apiError(
				"setup_closed",
				this.hasPassword()
					? "A password is already set. To set a new one, hold the mode button for 3 seconds, then try again within 2 minutes."
					: "The setup window has closed (it is open for 10 minutes after power-on). Hold the mode button for 3 seconds to open it again.",
			);
		}
		const { minPasswordLength: min, maxPasswordLength: max } = this.#options;
		if (typeof password !== "string" || password.length < min || password.length > max)
			throw apiError("invalid_password", `The password must be ${min} to ${max} characters.`, { field: "password" });
		const salt = this.#deps.random.bytes(16);
		const iterations = this.#options.iterations;
		const hash = pbkdf2Sha256(this.#deps.digests, utf8Encode(password), salt, iterations);
		this.#deps.store.set(AUTH_DOMAIN, PASSWORD_KEY, `pbkdf2-sha256$${iterations}$${toHex(salt)}$${toHex(hash)}`);
		this.#verifiedTag = undefined;
		this.#failures = 0;
		this.#lockedUntil = 0;
		this.#pressAt = -Infinity; // one password per press
		this.#deps.onEvent?.("password_set", "admin password set");
	}

	/** Undefined when the Authorization header proves the admin; else the refusal. */
	check(authorization: string | undefined): Response | undefined {
		const stored = this.#deps.store.get(AUTH_DOMAIN, PASSWORD_KEY);
		if (typeof stored !== "string") return apiErrorResponse("setup_required", "No admin password is set yet. Open Setup on the device's page to choose one.");
		const now = this.#deps.clock.monotonicMs();
		if (now < this.#lockedUntil) return this.#lockedResponse(now);
		if (!authorization) return apiErrorResponse("auth_required", "This action needs the admin password.");
		const known = this.#verifiedTag !== undefined && constantTimeEqual(this.#tag(authorization), this.#verifiedTag);
		const password = known ? undefined : parseBasic(authorization);
		if (known || (password !== undefined && verifyPassword(this.#deps.digests, stored, password))) {
			// Failures count "in a row": the owner's right password, cached or not, starts the count again.
			this.#failures = 0;
			this.#lockouts = 0;
			if (!known) this.#verifiedTag = this.#tag(authorization);
			return undefined;
		}
		this.#failures++;
		this.#deps.onEvent?.("login_failed", `wrong admin password (${this.#failures} in a row)`);
		if (this.#failures >= this.#options.maxFailures) {
			const ms = Math.min(this.#options.lockoutMaxMs, this.#options.lockoutBaseMs * 2 ** this.#lockouts);
			this.#lockouts++;
			this.#failures = 0;
			this.#lockedUntil = now + ms;
			this.#deps.onEvent?.("locked_out", `sign-in locked for ${Math.ceil(ms / 1000)} s`);
			return this.#lockedResponse(now);
		}
		return apiErrorResponse("auth_invalid", "The admin password is wrong.");
	}

	/** Router guard: enforces `auth: true` routes. */
	guard(): Guard {
		return (req, route) => (route?.auth ? this.check(req.headers.authorization) : undefined);
	}

	routes(router: Router): void {
		router.add({
			method: "GET",
			path: "/api/setup",
			handle: () => {
				const w = this.setupWindow();
				return jsonResponse(200, { passwordSet: this.hasPassword(), setupOpen: w.open, reason: w.reason, closesInS: Math.ceil(w.closesInMs / 1000) });
			},
		});
		router.add({
			method: "POST",
			path: "/api/setup",
			body: "json",
			handle: (_req, body) => {
				this.setup((body as { password?: unknown } | undefined)?.password);
				return jsonResponse(200, { passwordSet: true });
			},
		});
		// Lets the web app check a password before it keeps it for the session.
		router.add({ method: "POST", path: "/api/auth/check", auth: true, handle: () => jsonResponse(200, { ok: true }) });
	}

	#tag(authorization: string): Uint8Array {
		const d = this.#deps.digests.sha256();
		d.write(this.#cacheKey);
		d.write(utf8Encode(authorization));
		return d.close();
	}

	#lockedResponse(now: number): Response {
		const seconds = Math.ceil((this.#lockedUntil - now) / 1000);
		const res = apiErrorResponse("auth_locked", `Too many wrong passwords. Try again in ${seconds} s.`, undefined);
		res.headers = [...(res.headers ?? []), ["retry-after", String(seconds)]];
		return res;
	}
}

function parseBasic(header: string): string | undefined {
	const m = /^Basic\s+(\S+)$/i.exec(header.trim());
	if (!m) return undefined;
	const raw = base64Decode(m[1]);
	if (!raw) return undefined;
	const text = utf8Decode(raw);
	const colon = text.indexOf(":");
	if (colon < 0) return undefined;
	const user = text.slice(0, colon);
	// Any user name is accepted for "admin": there is one account.
	return user.length <= 32 ? text.slice(colon + 1) : undefined;
}

export function verifyPassword(digests: DigestFactory, stored: string, password: string): boolean {
	const [scheme, iterText, saltHex, hashHex] = stored.split("$");
	const salt = fromHex(saltHex ?? ""),
		expected = fromHex(hashHex ?? "");
	const iterations = parseInt(iterText, 10);
	if (scheme !== "pbkdf2-sha256" || !salt || !expected || !(iterations > 0)) return false;
	return constantTimeEqual(pbkdf2Sha256(digests, utf8Encode(password), salt, iterations, expected.length), expected);
}
