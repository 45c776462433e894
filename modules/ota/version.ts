/*
 * Which images are ours, and whether one may replace the running one.
 *
 * Identity rule: every Moddable ESP32 app is the ESP-IDF project "xs_esp32",
 * so the project name alone cannot tell apps apart. Ours carry the
 * descriptor version "<semver>+ohxs" (SemVer build metadata), written into
 * CONFIG_APP_PROJECT_VER from package.json. This IDENTIFIES an image; it
 * does not AUTHENTICATE it: anyone can build an image with these strings.
 * Images are not signed yet.
 */

import { OtaError } from "ota/errors";
import type { AppDescriptor } from "ota/image-format";

export const PROJECT_NAME = "xs_esp32";
export const IDENTITY_SUFFIX = "+ohxs";

export interface SemVer {
	major: number;
	minor: number;
	patch: number;
	/** Dot-separated pre-release identifiers; empty for a release. */
	prerelease: string[];
	/** Build metadata identifiers (ignored for precedence). */
	build: string[];
}

/** A run of ASCII digits (SemVer's numeric identifier, leading zeros not judged here). */
function isDigits(text: string): boolean {
	if (!text.length) return false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

/** Dot-separated identifiers of [0-9A-Za-z-], none empty; undefined otherwise. */
function identifiers(text: string): string[] | undefined {
	const parts = text.split(".");
	for (const part of parts) {
		if (!part.length) return undefined;
		for (let i = 0; i < part.length; i++) {
			const c = part.charCodeAt(i);
			const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
			if (!ok) return undefined;
		}
	}
	return parts;
}

/** A numeric core field: digits, no leading zero, a safe integer. */
function coreNumber(text: string): number | undefined {
	if (!isDigits(text) || (text.length > 1 && text[0] === "0")) return undefined;
	const n = Number(text);
	return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * SemVer 2.0.0 parse; undefined when the text is not a version. Written
 * without a RegExp: it runs on every image check and status answer, and a
 * module-level RegExp crashes XS once preloaded (docs/preload-hazards.md).
 */
export function parseSemVer(text: string): SemVer | undefined {
	const plus = text.indexOf("+");
	const head = plus < 0 ? text : text.slice(0, plus);
	const build = plus < 0 ? [] : identifiers(text.slice(plus + 1));
	const dash = head.indexOf("-");
	const core = (dash < 0 ? head : head.slice(0, dash)).split(".");
	const prerelease = dash < 0 ? [] : identifiers(head.slice(dash + 1));
	if (!build || !prerelease || core.length !== 3) return undefined;
	// SemVer: numeric pre-release identifiers must not have leading zeros.
	if (prerelease.some((p) => isDigits(p) && p.length > 1 && p[0] === "0")) return undefined;
	const major = coreNumber(core[0]),
		minor = coreNumber(core[1]),
		patch = coreNumber(core[2]);
	if (major === undefined || minor === undefined || patch === undefined) return undefined;
	return { major, minor, patch, prerelease, build };
}

/** SemVer precedence: negative when a < b, 0 when equal (build metadata ignored). */
export function compareSemVer(a: SemVer, b: SemVer): number {
	if (a.major !== b.major) return a.major < b.major ? -1 : 1;
	if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
	if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
	const pa = a.prerelease,
		pb = b.prerelease;
	if (!pa.length || !pb.length) return pa.length === pb.length ? 0 : pa.length ? -1 : 1;
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		if (i >= pa.length) return -1;
		if (i >= pb.length) return 1;
		const x = pa[i],
			y = pb[i];
		if (x === y) continue;
		const xn = isDigits(x),
			yn = isDigits(y);
		if (xn && yn) return Number(x) < Number(y) ? -1 : 1;
		if (xn !== yn) return xn ? -1 : 1;
		return x < y ? -1 : 1;
	}
	return 0;
}

export function formatSemVer(v: SemVer): string {
	return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join(".")}` : ""}${v.build.length ? `+${v.build.join(".")}` : ""}`;
}

/**
 * Check that a descriptor is an OpenHaldex XS image; returns its version.
 * Throws image_wrong_project (another ESP-IDF project, e.g. the Arduino
 * OpenHaldex firmware), image_not_ohxs (another Moddable app) or
 * image_bad_version (our suffix, but no SemVer before it).
 */
export function checkIdentity(desc: Pick<AppDescriptor, "projectName" | "version">): SemVer {
	if (desc.projectName !== PROJECT_NAME)
		throw new OtaError(
			"image_wrong_project",
			`This image is the ESP-IDF project "${desc.projectName}", not OpenHaldex XS ("${PROJECT_NAME}"). It may be another firmware for this board; it cannot be installed over the air here.`,
		);
	if (!desc.version.endsWith(IDENTITY_SUFFIX))
		throw new OtaError(
			"image_not_ohxs",
			`This image is a Moddable app with version "${desc.version}", not OpenHaldex XS (its versions end in "${IDENTITY_SUFFIX}").`,
		);
	const v = parseSemVer(desc.version);
	if (!v || v.build.join(".") !== IDENTITY_SUFFIX.slice(1))
		throw new OtaError("image_bad_version", `The image's version "${desc.version}" is not a version number like 1.2.3${IDENTITY_SUFFIX}.`);
	return v;
}

export interface VersionPolicy {
	/** Version of the running image (from its descriptor). */
	running: string;
	/** secure_version of the running image. */
	runningSecureVersion: number;
	/** Allow an older version (the owner asked for a downgrade). */
	allowDowngrade?: boolean;
	/** Allow a lower secure_version (only meaningful while anti-rollback eFuses are unused). */
	allowLowerSecureVersion?: boolean;
}

/** Throws image_downgrade or image_secure_version_lower unless allowed. Same version: allowed (reinstall). */
export function checkUpgrade(candidate: SemVer, candidateSecureVersion: number, policy: VersionPolicy): void {
	const running = parseSemVer(policy.running);
	if (!policy.allowDowngrade && running && compareSemVer(candidate, running) < 0)
		throw new OtaError(
			"image_downgrade",
			`The image is version ${formatSemVer(candidate)}, older than the running ${policy.running}. Ask for a downgrade explicitly to install it.`,
		);
	if (!policy.allowLowerSecureVersion && candidateSecureVersion < policy.runningSecureVersion)
		throw new OtaError(
			"image_secure_version_lower",
			`The image's security version ${candidateSecureVersion} is lower than the running image's ${policy.runningSecureVersion}.`,
		);
}
