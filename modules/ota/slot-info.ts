/*
 * What is in a slot, read through the OTA port: the app descriptor of the
 * image there. The running version comes from here (the running slot's
 * descriptor), never from a constant.
 */

import type { OtaPort } from "ports/ota";
import { APP_DESC_MAGIC, IMAGE_MAGIC, IMAGE_PREFIX_LENGTH, parseAppDescriptor, type AppDescriptor } from "ota/image-format";

/** The descriptor of the image in `index`, or undefined when the slot holds no image. */
export function slotDescriptor(ota: OtaPort, index: number): AppDescriptor | undefined {
	const prefix = ota.read(index, 0, IMAGE_PREFIX_LENGTH);
	if (prefix[0] !== IMAGE_MAGIC) return undefined;
	const d = parseAppDescriptor(prefix);
	return d.magic === APP_DESC_MAGIC ? d : undefined;
}

export interface RunningImage {
	slot: number;
	version: string;
	secureVersion: number;
}

/** The running image's version and secure_version ("0.0.0" when it has no descriptor). */
export function runningImage(ota: OtaPort): RunningImage {
	const slot = ota.running().index;
	const d = slotDescriptor(ota, slot);
	return { slot, version: d ? d.version : "0.0.0", secureVersion: d ? d.secureVersion : 0 };
}
