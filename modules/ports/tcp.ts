/*
 * A plain TCP server (GVRET for SavvyCAN). The board and mcsim use
 * ECMA-419 sockets (platform/moddable/tcp-server); the simulator node:net
 * (host/adapters/node-tcp-server). Writes never wait: a connection takes
 * what fits its send room now, and the caller keeps or drops the rest.
 */

export interface TcpConnection {
	/** Bytes the connection takes now without waiting. */
	writable(): number;
	/** Send bytes [0, n) of `bytes`, n at most writable(). */
	write(bytes: Uint8Array, n: number): void;
	close(): void;
}

export interface TcpHandlers {
	/** Bytes from the peer, in a buffer the server reuses: read them now. */
	onData(bytes: Uint8Array, length: number): void;
	/** More send room. */
	onWritable(): void;
	/** The peer closed or the link failed (not called after close()). */
	onClose(): void;
}

export interface TcpServerPort {
	/**
	 * Listen on `port`. Each connection asks `accept` for its handlers;
	 * undefined refuses it (closed at once). Throws when the port cannot be
	 * bound.
	 */
	listen(port: number, accept: (connection: TcpConnection) => TcpHandlers | undefined): { close(): void; port: number };
}
