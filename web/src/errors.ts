/*
 * Every failure in words a driver understands. The board's error codes
 * are stable (docs/api.md); its messages are good for the technical ones,
 * but the common refusals get a plain sentence and what to do next.
 */

import { ApiError } from "./api";

const SAY: Record<string, string> = {
	offline: "The board does not answer. Check that this phone is connected to the board's Wi-Fi (OpenHaldex-…) and that the ignition is on.",
	vehicle_moving: "The car is moving. Stop the car and switch the engine off, then try again.",
	engine_running: "The engine is running. Switch the engine off (the ignition can stay on), then try again.",
	pending_verify: "The board is still checking the firmware it installed last; this takes about 30 seconds after it starts. Wait a minute, then try again.",
	ota_pending_verify: "The board is still checking the firmware it installed last; this takes about 30 seconds after it starts. Wait a minute, then try again.",
	image_downgrade: "This file is an older version than the one the board runs. The board only installs newer firmware.",
	image_secure_version_lower: "The board's anti-rollback protection refuses this older firmware.",
	image_wrong_chip: "This file is for a different chip. Use the firmware file made for the OpenHaldex-C6 (ESP32-C6).",
	image_chip_revision: "This firmware is built for another revision of the ESP32-C6 chip than this board's, so the board could not start it. Use the OpenHaldex XS release file, which runs on every C6.",
	image_segment_misaligned: "This file is laid out in a way the board's bootloader cannot start. Use the OpenHaldex XS release .bin file.",
	image_bad_load_address: "This file is laid out in a way the board's bootloader cannot start. Use the OpenHaldex XS release .bin file.",
	image_not_ohxs: "This is firmware for something else, not OpenHaldex XS. Download the OpenHaldex XS firmware file.",
	image_wrong_project: "This is firmware for something else, not OpenHaldex XS. Download the OpenHaldex XS firmware file.",
	image_no_app_descriptor: "This file is not OpenHaldex XS firmware. Download the OpenHaldex XS firmware file.",
	image_bad_magic: "This is not a firmware file. Pick the .bin firmware file from the OpenHaldex XS release.",
	image_empty: "The file is empty. Pick the .bin firmware file again.",
	image_truncated_header: "The file is too short to be firmware; it was probably cut off while downloading. Download it again.",
	image_truncated: "The file is incomplete; it was probably cut off while downloading. Download it again.",
	image_bad_checksum: "The file is damaged (its checksum does not match). Download it again.",
	image_bad_appended_hash: "The file is damaged (its checksum does not match). Download it again.",
	image_sha256_mismatch: "The file is damaged or is not the expected one (its checksum does not match). Download it again.",
	image_too_large: "The file is too big for the board's firmware space. Check that it is the OpenHaldex XS firmware.",
	body_too_large: "The file is too big for the board's firmware space. Check that it is the OpenHaldex XS firmware.",
	image_bad_version: "The file's version number can't be read, so the board refuses it.",
	image_trailing_data: "The file has extra data at the end; it is not a clean firmware file. Download it again.",
	update_busy: "Another firmware transfer is running. Wait for it to finish, then try again.",
	ota_busy: "Another firmware transfer is running. Wait for it to finish, then try again.",
	update_running: "An update is already being installed. Wait for the board to restart.",
	nothing_to_install: "There is nothing to install yet: upload a firmware file or check for updates first.",
	not_initialized: "The update was not prepared. Upload the file again.",
	transfer_incomplete: "The upload stopped before the end (the connection dropped). Stay close to the car and try again.",
	transfer_aborted: "The upload was stopped before the end. Try again.",
	ota_aborted: "The upload was stopped before the end. Try again.",
	ota_write_failed: "Writing to the board's memory failed. Try again; if it keeps failing, the board needs a USB re-flash.",
	ota_unavailable: "Firmware updates are not possible on this board right now.",
	image_not_found: "That firmware file is no longer on the board. Upload it again.",
	auth_required: "Sign in with the admin password to do this.",
	auth_invalid: "That password is wrong.",
	setup_required: "No admin password has been set yet. Open Setup and choose one first.",
	bad_time: "This phone's clock looks wrong. Set the phone's date and time, then try again.",
	length_required: "The browser did not say how big the file is. Try again with another browser.",
	unsupported_media_type: "The board did not understand the request (wrong format).",
	not_found: "This firmware does not offer this yet.",
	method_not_allowed: "This firmware does not offer this yet.",
	host_not_allowed: "Open the app at http://openhaldex.local or the board's address, not through another name.",
	origin_not_allowed: "The board only accepts changes from its own page.",
};

export function explain(e: unknown): string {
	if (e instanceof ApiError) {
		if (e.code === "auth_locked") return `Too many wrong passwords. Wait ${e.retryAfterS ?? 30} seconds, then try again.`;
		const said = SAY[e.code];
		if (said) return said;
		if (e.code.startsWith("image_")) return `The board refused this file: ${e.message}`;
		return e.message || `Something went wrong (${e.code}).`;
	}
	return e instanceof Error ? e.message : String(e);
}

/** Error code shown small under the sentence, for support. */
export function codeOf(e: unknown): string {
	return e instanceof ApiError ? (e.status ? `${e.code} (${e.status})` : e.code) : "";
}

export function isMissing(e: unknown): boolean {
	return e instanceof ApiError && (e.status === 404 || e.status === 405) && (e.code === "not_found" || e.code === "method_not_allowed");
}
