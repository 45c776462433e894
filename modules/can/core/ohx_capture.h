/*
 * OpenHaldex XS - CAN capture ring (pure C99).
 *
 * A copy of recent traffic for the owner to look at (the app's CAN page,
 * a candump download, SavvyCAN over GVRET), taken on the frame path right
 * after the bridge decided what to forward:
 *
 *     rx ISR -> ohx_bridge_on_frame -> queue the transmit -> ohx_capture_put
 *
 * Rules (they hold for every build and every input):
 *  - Capturing never stops or delays forwarding. ohx_capture_put() never
 *    blocks, never allocates, runs in bounded time (a flag, a bitmap test,
 *    a 28-byte copy), and is called after the transmit was queued.
 *  - A full ring drops the new frame and counts it (dropped[bus]); it never
 *    overwrites entries the reader has not taken, and it never waits.
 *  - Disabled (the default), put() costs one load and a branch.
 *
 * Concurrency: one ring per source bus, each single-producer (the receive
 * path of that bus: the TWAI ISR on the board, the UDP thread in mcsim, the
 * caller in the Node binding) and single-consumer (the JS task through
 * ohx_capture_read()). The ring is lock-free: the producer owns head, the
 * consumer owns tail, and each publishes with a release store that the
 * other reads with an acquire load (GCC/Clang __atomic builtins; plain
 * volatile elsewhere, enough on a single core). ohx_capture_configure()
 * may race a put(): a frame in flight during it is filtered by the old or
 * the new settings, never lost from the bridge.
 *
 * Timestamps are a free-running 32-bit microsecond count from the port
 * (wraps after ~71.6 minutes); readers unwrap them (consecutive entries
 * are far less than 2^31 us apart).
 */
#ifndef OHX_CAPTURE_H
#define OHX_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ohx_bridge.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Entries per bus; a power of two. 256 x 28 bytes = 7 KiB per bus. At a
 *  saturated 500 kbit/s bus (~4,000 frames/s of 8 bytes) that is 64 ms of
 *  traffic: the reader drains every 20 ms. */
#ifndef OHX_CAPTURE_DEPTH
#define OHX_CAPTURE_DEPTH 256u
#endif

/** Entry flags (ohx_capture_entry_t.flags). */
#define OHX_CAPTURE_FLAG_EXT       0x01u /* 29-bit identifier */
#define OHX_CAPTURE_FLAG_RTR       0x02u /* remote frame */
#define OHX_CAPTURE_FLAG_REWRITTEN 0x04u /* the bridge forwarded `out`, not `data` */
#define OHX_CAPTURE_FLAG_NOT_FWD   0x08u /* the bridge forwarded nothing (invalid frame) */

/**
 * One captured frame. Layout is fixed (checked at compile time) because the
 * bindings copy entries to JS byte for byte (little-endian on every target):
 * ts_us @0 (4), id @4 (4), bus @8, flags @9, dlc @10, reserved @11 (zero),
 * data @12..19 (as received), out @20..27 (as forwarded; equal to data
 * unless OHX_CAPTURE_FLAG_REWRITTEN).
 */
typedef struct {
    uint32_t ts_us;
    uint32_t id;
    uint8_t bus; /* the bus it was received on; it was forwarded to bus ^ 1 */
    uint8_t flags;
    uint8_t dlc; /* raw 0..15 */
    uint8_t reserved;
    uint8_t data[8];
    uint8_t out[8];
} ohx_capture_entry_t;

#define OHX_CAPTURE_ENTRY_SIZE 28u

/** Which frames are kept. */
typedef struct {
    /* 0: keep every frame; 1: keep standard IDs whose bit is set in std_ids
     * (bit id & 7 of byte id >> 3) and extended IDs only when ext is 1. */
    uint8_t use_ids;
    uint8_t ext;
    uint8_t std_ids[0x800u / 8u];
} ohx_capture_filter_t;

typedef struct {
    uint32_t captured[OHX_BUS_COUNT]; /* entries written since the last configure */
    uint32_t dropped[OHX_BUS_COUNT];  /* kept by the filter but the ring was full */
    uint32_t pending[OHX_BUS_COUNT];  /* entries waiting for the reader now */
    uint8_t enabled;
} ohx_capture_stats_t;

typedef struct {
    uint32_t head;                    /* written by the producer only */
    uint32_t dropped;                 /* written by the producer only */
    uint32_t tail;                    /* written by the consumer only */
    uint32_t head_base, dropped_base; /* consumer's: head and dropped at the last configure */
    ohx_capture_entry_t e[OHX_CAPTURE_DEPTH];
} ohx_capture_ring_t;

/** A capture. Static or caller storage; the fields are private. */
typedef struct {
    uint8_t enabled;
    ohx_capture_filter_t filter;
    ohx_capture_ring_t ring[OHX_BUS_COUNT];
} ohx_capture_t;

/** Zero everything: disabled, keep-all filter, empty rings, counts zero. */
void ohx_capture_init(ohx_capture_t *c);

/**
 * Enable or disable, and set the filter (NULL: keep every frame). Empties
 * both rings and zeroes the counts, so what the reader takes next was
 * captured under these settings. Call from the consumer's side only.
 * @return OHX_OK; OHX_ERR_INVALID_ARG (c NULL).
 */
int ohx_capture_configure(ohx_capture_t *c, int enabled, const ohx_capture_filter_t *filter);

/**
 * Record one frame the bridge has handled (the producer's side).
 * @param bus      the bus *in was received on (others are ignored).
 * @param in       the frame as received.
 * @param out      what was forwarded (read only when verdict is
 *                 OHX_FRAME_REWRITTEN; may be NULL otherwise).
 * @param verdict  ohx_bridge_on_frame()'s return value.
 * @param ts_us    the port's microsecond clock at receive.
 */
void ohx_capture_put(ohx_capture_t *c, uint8_t bus, const ohx_frame_t *in, const ohx_frame_t *out, int verdict,
                     uint32_t ts_us);

/** Move up to max entries of bus into out, oldest first (the consumer's
 *  side). @return the number moved (0 for a bad argument). */
size_t ohx_capture_read(ohx_capture_t *c, uint8_t bus, ohx_capture_entry_t *out, size_t max);

/** Copy the counts. @return OHX_OK; OHX_ERR_INVALID_ARG. */
int ohx_capture_stats(const ohx_capture_t *c, ohx_capture_stats_t *out);

/** Set or clear one standard ID in a filter (ids above 0x7FF ignored). */
void ohx_capture_filter_set(ohx_capture_filter_t *f, uint32_t id, int keep);

#ifdef __cplusplus
}
#endif

#endif /* OHX_CAPTURE_H */
