/*
 * TcpServerPort on the board and in mcsim: ECMA-419 sockets, as the HTTP
 * server (platform/moddable/http-listener). A socket's onWritable says how
 * much it takes; write() is called with no more than that. Bytes are read
 * into one buffer per server, reused for every read.
 */

import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import type { TcpConnection, TcpHandlers, TcpServerPort } from "ports/tcp";

const READ_BYTES = 512;

/** A server port; made at run time by the composition root (a module-level object would be frozen in flash). */
export function moddableTcpServer(): TcpServerPort {
	return { listen };
}

function listen(port: number, accept: (connection: TcpConnection) => TcpHandlers | undefined): { close(): void; port: number } {
	const buffer = new Uint8Array(READ_BYTES);
	const listener = new Listener({
		port,
		onReadable(count: number) {
			for (let i = 0; i < count; i++) {
				const from = this.read();
				if (!from) return;
				open(from);
			}
		},
	});

	function open(from: TCP): void {
		let tcp: TCP | undefined;
		let room = 0;
		let closed = false;
		let handlers: TcpHandlers | undefined;
		// The peer went away or the link failed: report it once.
		const fail = () => {
			if (closed) return;
			closed = true;
			room = 0;
			tcp?.close();
			handlers?.onClose();
		};
		const connection: TcpConnection = {
			writable: () => (closed ? 0 : room),
			write(bytes, n) {
				if (closed || n <= 0) return;
				const left = tcp!.write(n === bytes.length ? bytes : bytes.subarray(0, n)) as unknown as number | undefined;
				// A failed write answers nothing (the SDK traces "write failed"): the link is over, whenever onError comes.
				if (typeof left === "number") room = left;
				else fail();
			},
			close() {
				if (closed) return;
				closed = true;
				tcp?.close();
			},
		};
		handlers = accept(connection);
		if (!handlers) {
			from.close();
			return;
		}
		const h = handlers;
		tcp = new TCP({
			from,
			onReadable(count: number) {
				while (count > 0 && !closed) {
					const n = Math.min(count, READ_BYTES);
					const view = n === READ_BYTES ? buffer : buffer.subarray(0, n);
					this.read(view);
					h.onData(buffer, n);
					count -= n;
				}
			},
			onWritable(count: number) {
				room = count;
				h.onWritable();
			},
			onError: () => fail(),
		});
	}

	// The typings omit close(); the SDK's listener has it (modules/io/socket/*/listener.js).
	return { port, close: () => (listener as unknown as { close(): void }).close() };
}
