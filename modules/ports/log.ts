/* Logger port: trace() on the board, the console in the simulator, a recorder in tests. */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
	log(level: LogLevel, message: string): void;
}
