/*
 * TcpServerPort over node:net for the simulator. Send room imitates a
 * socket's: up to ROOM bytes may wait in Node's buffer, and writable()
 * says how much more fits, so a slow peer makes the GVRET stream drop as
 * it would on the board instead of queueing without end.
 */

import net from "node:net";
import type { TcpConnection, TcpServerPort } from "ports/tcp";

const ROOM = 16 * 1024;

export function nodeTcpServer(host = "127.0.0.1"): TcpServerPort & { listening(): Promise<number> } {
	let last: Promise<number> = Promise.reject(new Error("nothing listens"));
	last.catch(() => undefined);
	return {
		listen(port, accept) {
			const server = net.createServer((socket) => {
				let closed = false;
				const connection: TcpConnection = {
					writable: () => (closed ? 0 : Math.max(0, ROOM - socket.writableLength)),
					write(bytes, n) {
						if (!closed && n > 0) socket.write(Buffer.from(bytes.buffer, bytes.byteOffset, n));
					},
					close() {
						if (closed) return;
						closed = true;
						socket.end();
					},
				};
				const handlers = accept(connection);
				if (!handlers) {
					socket.destroy();
					return;
				}
				socket.setNoDelay(true);
				socket.on("data", (chunk: Buffer) => handlers.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length), chunk.length));
				socket.on("drain", () => handlers.onWritable());
				socket.on("error", () => undefined);
				socket.on("close", () => {
					if (closed) return;
					closed = true;
					handlers.onClose();
				});
			});
			const handle = { port, close: () => server.close() };
			const listening = new Promise<number>((resolve, reject) => {
				server.once("error", reject);
				server.listen(port, host, () => {
					const address = server.address();
					handle.port = typeof address === "object" && address ? address.port : port;
					resolve(handle.port);
				});
			});
			listening.catch(() => undefined); // a port in use is reported through listening(), not as an unhandled rejection
			last = listening;
			return handle;
		},
		/** The port the last listen() bound (the OS's choice for 0); rejects when it could not bind. */
		listening: () => last,
	};
}
