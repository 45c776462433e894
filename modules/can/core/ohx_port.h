/*
 * OpenHaldex XS - CAN port interface.
 *
 * A port owns the two buses and one bridge (ohx_bridge.h) and keeps frames
 * flowing without JS: on the board the TWAI receive ISR bridges and queues
 * the transmit itself (modules/platform/esp32c6/ohx_twai_port.c); in mcsim a
 * thread does it over UDP (modules/platform/mcsim/ohx_udp_port.c). The xsmc
 * binding (bindings/xs) talks only to this interface, so the same JS runs on
 * both.
 *
 * Every port implements all functions below. One port instance exists per
 * process (the hardware has one pair of buses).
 */
#ifndef OHX_PORT_H
#define OHX_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "ohx_bridge.h"
#include "ohx_capture.h"
#include "ohx_hot.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Frames not seen for this long on a bus that had traffic = dead bus. */
#define OHX_PORT_DEAD_BUS_MS 1000u

typedef struct {
    uint8_t generation;   /* ohx_generation_t; 0 = OHX_GEN_4 */
    uint32_t watchdog_ms; /* 0 = OHX_WATCHDOG_DEFAULT_MS */
} ohx_port_options_t;

typedef enum {
    OHX_PORT_BUS_STOPPED = 0, /* not started or failed to start */
    OHX_PORT_BUS_RUNNING = 1, /* error active/warning/passive */
    OHX_PORT_BUS_OFF = 2,     /* bus-off, recovery under way */
} ohx_port_bus_state_t;

typedef struct {
    uint8_t state;           /* ohx_port_bus_state_t */
    bool dead;               /* no frame for OHX_PORT_DEAD_BUS_MS after traffic */
    uint32_t last_rx_age_ms; /* OHX_AGE_NEVER before the first frame */
    uint16_t tx_errors;      /* controller TEC (0 in the simulator) */
    uint16_t rx_errors;      /* controller REC (0 in the simulator) */
} ohx_port_bus_status_t;

/** Start the buses and the bridge (in STOCK) if not yet started; later
 *  calls only apply generation/watchdog. @return OHX_OK or an OHX_ERR_*
 *  code (OHX_ERR_INVALID_STATE when a bus could not be started). */
int ohx_port_start(const ohx_port_options_t *opt);

/** The running bridge, or NULL before ohx_port_start() succeeded. Every
 *  call on it must be made between ohx_port_lock() and ohx_port_unlock(). */
ohx_bridge_t *ohx_port_bridge(void);

/** Serialise with the receive path (critical section / mutex). Keep the
 *  section short: the receive path waits for it. */
void ohx_port_lock(void);
void ohx_port_unlock(void);

/** The clock the port stamps received frames with (ms, wraps). */
uint32_t ohx_port_now_ms(void);

/** Bus health. @return OHX_OK; OHX_ERR_INVALID_BUS; OHX_ERR_INVALID_ARG. */
int ohx_port_bus_status(uint8_t bus, ohx_port_bus_status_t *out);

/** The port's capture ring (ohx_capture.h): the receive path puts every
 *  frame it bridged into it while it is enabled; the reader (JS) configures
 *  it and takes entries without ohx_port_lock(). NULL before start. */
ohx_capture_t *ohx_port_capture(void);

/** Queue one frame onto bus from task context (GVRET sending, when the
 *  owner allowed it); the frame does not pass the bridge. Never waits, and
 *  never takes the transmit room forwarding needs: the board refuses while
 *  fewer than half of the destination's TX slots are free.
 *  @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_BUS;
 *          OHX_ERR_INVALID_FRAME; OHX_ERR_INVALID_STATE (not started, or no
 *          room now: try later). */
int ohx_port_transmit(uint8_t bus, const ohx_frame_t *f);

/* ------------------------------------------------------------------------ */
/* Dead-bus tracker shared by the ports (pure; tested on the host).          */
/* ------------------------------------------------------------------------ */

typedef struct {
    uint32_t last_rx_ms;
    uint8_t seen; /* a frame was received at least once */
    uint8_t dead; /* currently declared dead */
} ohx_deadbus_t;

/** Record a received frame. @return true when it ends a dead period. */
static inline OHX_HOT bool ohx_deadbus_rx(ohx_deadbus_t *d, uint32_t now_ms)
{
    bool revived = d->dead != 0;
    d->last_rx_ms = now_ms;
    d->seen = 1;
    d->dead = 0;
    return revived;
}

/** Periodic check. @return true exactly once per dead period, when the bus
 *  had traffic and none arrived for more than limit_ms. */
static inline OHX_HOT bool ohx_deadbus_check(ohx_deadbus_t *d, uint32_t now_ms, uint32_t limit_ms)
{
    uint32_t age = now_ms - d->last_rx_ms;
    if (!d->seen || d->dead || (age & 0x80000000u) || age <= limit_ms)
        return false;
    d->dead = 1;
    return true;
}

#ifdef __cplusplus
}
#endif

#endif /* OHX_PORT_H */
