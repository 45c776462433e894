/*
 * Following an install through the board's restart, as a pure function of
 * what each poll saw (no DOM, no timers), so host-tests/host/web-logic.test.ts
 * drives it through whole restarts: the Update page renders its answer.
 */

/** The install being followed: the version asked for and the one running before. */
export interface FollowTarget {
	target: string;
	from: string;
	startedAt: number;
}

/** What the follower remembers between polls. */
export interface FollowMemory {
	sawDown: boolean;
	firstUptimeMs?: number;
}

/** One poll of /api/status and /api/update. */
export type Observation =
	| { kind: "unreachable" }
	| { kind: "error"; message: string }
	| { kind: "answer"; uptimeMs: number; current: string; state: string; stateDescription: string; stage: string };

/** A poll's answer as the follower reads it: the uptime from GET /api/status, the rest from GET /api/update. */
export function observed(status: { uptimeMs: number }, update: { current: string; state: string; state_description: string; stage: string }): Observation {
	return {
		kind: "answer",
		uptimeMs: status.uptimeMs,
		current: update.current,
		state: update.state,
		stateDescription: update.state_description,
		stage: update.stage,
	};
}

export const FOLLOW_STEPS = ["Switching to the new firmware", "Restarting: the board is away for a moment", "Checking the new firmware (about 30 s)", "Done"];

/** Which step is current (an index of FOLLOW_STEPS; 4 = all done), what to say, and whether following ends. */
export interface FollowView {
	step: number;
	note: string;
	tone: "info" | "warn" | "bad" | "ok";
	finished: boolean;
}

/** The view after `obs`, or undefined to keep the last one (the board answered, nothing new yet). */
export function followStep(f: FollowTarget, memory: FollowMemory, obs: Observation, nowMs: number): FollowView | undefined {
	const elapsedS = (nowMs - f.startedAt) / 1000;
	if (obs.kind === "unreachable") {
		memory.sawDown = true;
		return elapsedS > 180
			? {
					step: 1,
					note: "The board has not answered for 3 minutes. Keep the power on a little longer. If it never comes back, switch the ignition off and on: it then starts the previous firmware.",
					tone: "warn",
					finished: false,
				}
			: { step: 1, note: "Waiting for the board to come back… Keep the power on.", tone: "info", finished: false };
	}
	if (obs.kind === "error") return { step: 1, note: obs.message, tone: "warn", finished: false };
	memory.firstUptimeMs ??= obs.uptimeMs;
	const restarted = memory.sawDown || obs.uptimeMs < memory.firstUptimeMs;
	if (!restarted && obs.current === f.from) return { step: elapsedS > 20 ? 1 : 0, note: "Keep the power on.", tone: "info", finished: false };
	const unknownTarget = f.target === "the new firmware";
	const onTarget = obs.current === f.target || (unknownTarget && obs.current !== f.from);
	if (!onTarget) {
		if (obs.state === "FAILED_GRACEFUL" || obs.state === "FAILED_CRITICAL" || restarted)
			return {
				step: 4,
				note: `The new firmware did not start properly, so the board went back to ${obs.current}. ${obs.stateDescription}`,
				tone: "bad",
				finished: true,
			};
		return undefined;
	}
	if (obs.state === "RUNNING" || obs.stage === "verifying")
		return { step: 2, note: `The board is back with ${obs.current}. It is checking that everything works; keep the power on.`, tone: "info", finished: false };
	return { step: 4, note: `Done: the board now runs ${obs.current}.`, tone: "ok", finished: true };
}
