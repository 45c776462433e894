/*
 * The HTTP server on the board and in mcsim: ECMA-419 sockets
 * (embedded:io/socket/listener and tcp: lwIP on the board, BSD sockets in
 * mcsim) carrying api/http-connection, which reads every body piece into
 * one buffer shared by all connections. It replaces the SDK's "http"
 * Server, which handed each body piece over as a new ArrayBuffer: at least
 * an upload's own size in chunk garbage (docs/performance.md).
 *
 * A socket reads into a caller's buffer only as many bytes as it holds
 * ("invalid" otherwise), which is why the connection reads min(announced,
 * room) each time. Connections persist (keep-alive, api/http-connection);
 * one over MAX_CONNECTIONS takes the place of an idle one, or is closed at
 * once when none is idle: the heap and lwIP's sockets are fixed, and a
 * phone's browser opens up to six to a host and keeps them.
 */

import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import type { Router } from "api/router";
import type { Timers } from "ports/timers";
import { DEFAULT_WIRE_OPTIONS, HttpConnection, WireBuffers, type WireOptions, type WireSocket } from "api/http-connection";

const MAX_CONNECTIONS = 6;

const encode = (text: string) => new Uint8Array(ArrayBuffer.fromString(text));

/**
 * The server's shared buffers, made before the firmware: their head pool is
 * also where /api/status is written (platform.jsonBuffers), so a poll makes
 * no buffer of its own.
 */
export function httpWireBuffers(): WireBuffers {
	return new WireBuffers(wireOptions());
}

function wireOptions(): WireOptions {
	return { ...DEFAULT_WIRE_OPTIONS, encode };
}

export function serveRouter(router: Router, port: number, timers: Timers, buffers: WireBuffers = httpWireBuffers()): { close(): void } {
	const options = wireOptions();
	const connections: HttpConnection[] = [];
	const listener = new Listener({
		port,
		onReadable(requests: number) {
			for (let i = 0; i < requests; i++) {
				const from = this.read();
				if (!from) return;
				accept(from);
			}
		},
	});

	function accept(from: TCP): void {
		if (connections.length >= MAX_CONNECTIONS && !closeOneIdle()) {
			from.close();
			return;
		}
		let closed = false;
		// The connection exists before the socket's callbacks can run (they are delivered later, from the socket's task).
		let tcp: TCP | undefined;
		const socket: WireSocket = {
			read: (into) => tcp!.read(into),
			write: (bytes) => tcp!.write(bytes) as unknown as number,
			close: () => {
				if (closed) return;
				closed = true;
				const at = connections.indexOf(connection);
				if (at >= 0) connections.splice(at, 1);
				tcp?.close();
			},
		};
		const connection = new HttpConnection(socket, router, buffers, timers, options);
		connections.push(connection);
		tcp = new TCP({
			from,
			onReadable: (count: number) => connection.readable(count),
			onWritable: (count: number) => connection.writable(count),
			onError: () => connection.error(),
		});
	}

	function closeOneIdle(): boolean {
		for (let i = 0; i < connections.length; i++) if (connections[i].closeIfIdle()) return true;
		return false;
	}

	// The typings omit close(); the SDK's listener has it (modules/io/socket/*/listener.js).
	return { close: () => (listener as unknown as { close(): void }).close() };
}
