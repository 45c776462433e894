/*
 * OpenHaldex XS - CAN capture ring. Behaviour is specified in ohx_capture.h.
 * Pure C99: no OS, no heap, no platform headers. ohx_capture_put() is on
 * the frame path (OHX_HOT); the rest runs in the reader's task.
 */
#include "ohx_capture.h"

#include <string.h>

#include "ohx_hot.h"

#define OHX_CAPTURE_MASK (OHX_CAPTURE_DEPTH - 1u)

/* Compile-time checks (names distinct from ohx_bridge.c's: the board's port
 * compiles both into one unit). */
#define OHX_CAP_ASSERT(cond, name) typedef char ohx_capture_assert_##name[(cond) ? 1 : -1]
OHX_CAP_ASSERT((OHX_CAPTURE_DEPTH & OHX_CAPTURE_MASK) == 0 && OHX_CAPTURE_DEPTH >= 2u, depth_power_of_two);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, ts_us) == 0, ts_at_0);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, id) == 4, id_at_4);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, bus) == 8, bus_at_8);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, flags) == 9, flags_at_9);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, dlc) == 10, dlc_at_10);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, data) == 12, data_at_12);
OHX_CAP_ASSERT(offsetof(ohx_capture_entry_t, out) == 20, out_at_20);
OHX_CAP_ASSERT(sizeof(ohx_capture_entry_t) == OHX_CAPTURE_ENTRY_SIZE, entry_size);

/* Publication between the two sides (see the header). Inline builtins: no
 * call leaves IRAM on the board. */
#if defined(__GNUC__) || defined(__clang__)
#define LOAD_ACQUIRE(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define LOAD_RELAXED(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#else
#define LOAD_ACQUIRE(p)     (*(volatile const uint32_t *)(p))
#define STORE_RELEASE(p, v) (*(volatile uint32_t *)(p) = (v))
#define LOAD_RELAXED(p)     (*(volatile const uint8_t *)(p))
#define STORE_RELAXED(p, v) (*(volatile uint8_t *)(p) = (v))
#endif

void ohx_capture_init(ohx_capture_t *c)
{
    if (c)
        memset(c, 0, sizeof(*c));
}

int ohx_capture_configure(ohx_capture_t *c, int enabled, const ohx_capture_filter_t *filter)
{
    unsigned i;
    if (!c)
        return OHX_ERR_INVALID_ARG;
    STORE_RELAXED(&c->enabled, (uint8_t)0);
    if (filter)
        c->filter = *filter;
    else
        memset(&c->filter, 0, sizeof(c->filter));
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        ohx_capture_ring_t *r = &c->ring[i];
        uint32_t head = LOAD_ACQUIRE(&r->head);
        STORE_RELEASE(&r->tail, head);
        r->head_base = head;
        r->dropped_base = LOAD_ACQUIRE(&r->dropped);
    }
    STORE_RELAXED(&c->enabled, (uint8_t)(enabled ? 1 : 0));
    return OHX_OK;
}

OHX_HOT void ohx_capture_put(ohx_capture_t *c, uint8_t bus, const ohx_frame_t *in, const ohx_frame_t *out, int verdict,
                             uint32_t ts_us)
{
    ohx_capture_ring_t *r;
    ohx_capture_entry_t *e;
    uint32_t head;
    uint8_t flags;

    if (!c || !LOAD_RELAXED(&c->enabled) || bus >= OHX_BUS_COUNT || !in)
        return;
    flags = (uint8_t)(in->flags & (OHX_FRAME_FLAG_EXT | OHX_FRAME_FLAG_RTR));
    if (c->filter.use_ids) {
        if (flags & OHX_FRAME_FLAG_EXT) {
            if (!c->filter.ext)
                return;
        } else if (in->id > 0x7FFu || !(c->filter.std_ids[in->id >> 3] & (1u << (in->id & 7u)))) {
            return;
        }
    }
    r = &c->ring[bus];
    head = r->head;
    if (head - LOAD_ACQUIRE(&r->tail) >= OHX_CAPTURE_DEPTH) {
        STORE_RELEASE(&r->dropped, r->dropped + 1u);
        return;
    }
    e = &r->e[head & OHX_CAPTURE_MASK];
    e->ts_us = ts_us;
    e->id = in->id;
    e->bus = bus;
    e->dlc = in->dlc;
    e->reserved = 0;
    memcpy(e->data, in->data, 8);
    if (verdict == OHX_FRAME_REWRITTEN && out) {
        flags |= OHX_CAPTURE_FLAG_REWRITTEN;
        memcpy(e->out, out->data, 8);
    } else {
        if (verdict < 0)
            flags |= OHX_CAPTURE_FLAG_NOT_FWD;
        memcpy(e->out, in->data, 8);
    }
    e->flags = flags;
    STORE_RELEASE(&r->head, head + 1u);
}

size_t ohx_capture_read(ohx_capture_t *c, uint8_t bus, ohx_capture_entry_t *out, size_t max)
{
    ohx_capture_ring_t *r;
    uint32_t head, tail;
    size_t n = 0;
    if (!c || !out || bus >= OHX_BUS_COUNT)
        return 0;
    r = &c->ring[bus];
    head = LOAD_ACQUIRE(&r->head);
    tail = r->tail;
    while (tail != head && n < max) {
        out[n++] = r->e[tail & OHX_CAPTURE_MASK];
        tail++;
    }
    STORE_RELEASE(&r->tail, tail);
    return n;
}

int ohx_capture_stats(const ohx_capture_t *c, ohx_capture_stats_t *out)
{
    unsigned i;
    if (!c || !out)
        return OHX_ERR_INVALID_ARG;
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        const ohx_capture_ring_t *r = &c->ring[i];
        uint32_t head = LOAD_ACQUIRE(&r->head);
        out->captured[i] = head - r->head_base;
        out->dropped[i] = LOAD_ACQUIRE(&r->dropped) - r->dropped_base;
        out->pending[i] = head - r->tail;
    }
    out->enabled = LOAD_RELAXED(&c->enabled);
    return OHX_OK;
}

void ohx_capture_filter_set(ohx_capture_filter_t *f, uint32_t id, int keep)
{
    if (!f || id > 0x7FFu)
        return;
    if (keep)
        f->std_ids[id >> 3] = (uint8_t)(f->std_ids[id >> 3] | (1u << (id & 7u)));
    else
        f->std_ids[id >> 3] = (uint8_t)(f->std_ids[id >> 3] & ~(1u << (id & 7u)));
}
