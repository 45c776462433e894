/*
 * OpenHaldex XS - simulator CAN port: two buses as UDP on 127.0.0.1.
 *
 * Each bus has two UDP ports on 127.0.0.1:
 *   listen  the bridge receives this bus's frames here (what the device's
 *           controller would hear on that bus);
 *   peer    the bridge sends the frames it transmits on this bus here (the
 *           bus simulator / car model / Haldex model listens there).
 * Defaults: chassis listen 30100, peer 30101; Haldex listen 30102, peer 30103.
 *
 * Datagram = one frame in the OHX wire format (ohx_bridge.h), 16 bytes:
 *   0      version 0x01
 *   1      flags: bit0 extended ID, bit1 remote frame
 *   2      dlc 0..15
 *   3      bus 0 chassis / 1 Haldex (set by the sender; the receiving socket
 *          decides the bus, a mismatch is ignored)
 *   4..7   identifier, little-endian
 *   8..15  data, zero past min(dlc, 8)
 * Datagrams that are not exactly that are dropped and counted (malformed).
 *
 * A frame received on bus X's listen port is bridged and sent to the other
 * bus's peer port at once, from the port's own thread (or from
 * ohx_udp_port_poll() when no thread is used), independent of JS.
 */
#ifndef OHX_UDP_PORT_H
#define OHX_UDP_PORT_H

#include <stdint.h>

#include "ohx_bridge.h"
#include "ohx_port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OHX_UDP_DEFAULT_BASE_PORT 30100u

typedef struct {
    uint16_t listen_port[OHX_BUS_COUNT]; /* 0 = any free port (see ohx_udp_port_local_port) */
    uint16_t peer_port[OHX_BUS_COUNT];
    ohx_port_options_t bridge;
} ohx_udp_config_t;

typedef struct {
    uint32_t malformed[OHX_BUS_COUNT]; /* datagrams that were not a wire frame */
    uint32_t tx_failed[OHX_BUS_COUNT]; /* sendto() failures (also counted as bridge drops) */
} ohx_udp_stats_t;

/** Defaults: ports from OHX_UDP_DEFAULT_BASE_PORT, Gen4, 500 ms watchdog. */
void ohx_udp_config_default(ohx_udp_config_t *cfg);

/** Environment overrides used by ohx_port_start(): OHX_CAN_UDP_BASE=<port>
 *  sets listen/peer to base, base+1, base+2, base+3. */
void ohx_udp_config_from_env(ohx_udp_config_t *cfg);

/** Open the sockets and initialise the bridge (STOCK). Does not start the
 *  thread. @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE
 *  (already open, or a socket could not be bound); bridge init codes. */
int ohx_udp_open(const ohx_udp_config_t *cfg);

/** Bound listen port of a bus (useful with listen_port 0), 0 if closed. */
uint16_t ohx_udp_local_port(uint8_t bus);

/** Wait up to timeout_ms for datagrams and bridge all that are pending.
 *  Also runs dead-bus detection. @return frames bridged (>= 0) or an
 *  OHX_ERR_* code. Do not mix with the thread. */
int ohx_udp_poll(int timeout_ms);

/** Run ohx_udp_poll() in a thread until ohx_udp_close(). @return OHX_OK;
 *  OHX_ERR_INVALID_STATE (not open or already running). */
int ohx_udp_start_thread(void);

/** Stop the thread, close the sockets. Safe to call when not open. */
void ohx_udp_close(void);

/** Port-level counters. */
void ohx_udp_get_stats(ohx_udp_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* OHX_UDP_PORT_H */
