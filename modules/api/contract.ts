/*
 * The HTTP contract between the board and its web app, declared once: the
 * body each route answers, as the firmware produces it. The web app imports
 * these types (never copies of them), so a renamed or reshaped field breaks
 * the app's type check (npm test) instead of a page on the owner's phone.
 * Types only: nothing here runs.
 */

import type { UpdateService, ImageInfo } from "update/service";
import type { NetworkService } from "device/network";
import type { LogEntry, EventLog } from "device/event-log";
import type { HaldexSettings } from "haldex/settings";
import type { CurvePoint, LockMap } from "haldex/curve";
import type { ServerSettingsView } from "update/server-settings";
import type { SetupWindow } from "api/auth";
import type { gvretBody, liveBody, signalBody } from "canview/routes";

export type { StatusBody } from "app/status";

/** GET /api/update */
export type UpdateBody = ReturnType<UpdateService["status"]>;
/** GET /api/update/images/{id}, and the answer to an upload */
export type ImageBody = ImageInfo;
/** GET /api/update/images */
export interface ImagesBody {
	items: ImageInfo[];
}
/** GET /api/network */
export type NetworkBody = ReturnType<NetworkService["status"]>;
/** GET /api/wifi */
export type WifiBody = ReturnType<NetworkService["settings"]>;
/** GET /api/logs (streamed entry by entry, newest first) */
export interface LogsBody {
	entries: LogEntry[];
	log: ReturnType<EventLog["status"]>;
}
export type { LogEntry };
/** GET /api/settings: the known settings and any extra keys kept from other firmwares */
export type SettingsBody = HaldexSettings & Record<string, unknown>;
/** GET /api/curve/{kind}; POST answers the same with ok */
export interface CurveBody {
	count: number;
	points: CurvePoint[];
}
/** GET /api/map; POST answers the same with ok */
export type MapBody = LockMap;
/** GET /api/update/server */
export type UpdateServerBody = ServerSettingsView;
/** GET /api/setup */
export interface SetupBody {
	passwordSet: boolean;
	setupOpen: boolean;
	reason: SetupWindow["reason"];
	closesInS: number;
}
/** GET /api/can/live */
export type CanLiveBody = ReturnType<typeof liveBody>;
/** GET /api/can/gvret */
export type CanGvretBody = ReturnType<typeof gvretBody>;
/** GET /api/can/signal */
export type CanSignalBody = ReturnType<typeof signalBody>;
