/*
 * Unit tests for modules/can/core/ohx_capture.h (the capture ring).
 * [spec] every test: behaviour the header specifies. The last test runs a
 * producer thread against a consumer thread (lock-free SPSC) under ASan.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "harness.h"
#include "ohx_bridge.h"
#include "ohx_capture.h"

static ohx_capture_t g_cap; /* 14 KiB: static, like the ports' */

static ohx_frame_t frame(uint32_t id, uint8_t seq)
{
    ohx_frame_t f;
    unsigned i;
    memset(&f, 0, sizeof(f));
    f.id = id;
    f.dlc = 8;
    for (i = 0; i < 8; i++)
        f.data[i] = (uint8_t)(seq + i);
    return f;
}

/* [spec] disabled by default: put() records nothing; stats say disabled. */
TEST(disabled_by_default_records_nothing)
{
    ohx_capture_entry_t e[4];
    ohx_capture_stats_t s;
    ohx_frame_t f = frame(0x280, 1);
    ohx_capture_init(&g_cap);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &f, NULL, OHX_FRAME_PASS, 10);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, e, 4), 0);
    CHECK_EQ(ohx_capture_stats(&g_cap, &s), OHX_OK);
    CHECK_EQ(s.enabled, 0);
    CHECK_EQ(s.captured[0], 0);
    CHECK_EQ(ohx_capture_stats(NULL, &s), OHX_ERR_INVALID_ARG);
    CHECK_EQ(ohx_capture_configure(NULL, 1, NULL), OHX_ERR_INVALID_ARG);
}

/* [spec] an entry keeps time, id, bus, flags, dlc, the received bytes and
 * what was forwarded; a rewrite is flagged and `out` differs. */
TEST(entries_keep_before_and_after)
{
    ohx_capture_entry_t e[4];
    ohx_frame_t in = frame(0x1A0, 0x10), out = in, ext = frame(0x1ABCDEF, 0x20), bad = frame(0x800, 0);
    out.data[3] = 0xFE;
    ext.flags = OHX_FRAME_FLAG_EXT;
    ohx_capture_init(&g_cap);
    CHECK_EQ(ohx_capture_configure(&g_cap, 1, NULL), OHX_OK);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &in, &out, OHX_FRAME_REWRITTEN, 1000);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &ext, &ext, OHX_FRAME_PASS, 1001);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &bad, NULL, OHX_ERR_INVALID_FRAME, 1002);
    ohx_capture_put(&g_cap, 2, &in, NULL, OHX_FRAME_PASS, 1003); /* no such bus: ignored */
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, e, 4), 3);
    CHECK_EQ(e[0].ts_us, 1000);
    CHECK_EQ(e[0].id, 0x1A0);
    CHECK_EQ(e[0].bus, OHX_BUS_CHASSIS);
    CHECK_EQ(e[0].dlc, 8);
    CHECK_EQ(e[0].flags, OHX_CAPTURE_FLAG_REWRITTEN);
    CHECK_BYTES(e[0].data, in.data, 8, "as received");
    CHECK_BYTES(e[0].out, out.data, 8, "as forwarded");
    CHECK_EQ(e[1].flags, OHX_CAPTURE_FLAG_EXT);
    CHECK_BYTES(e[1].out, ext.data, 8, "pass: out == data");
    CHECK_EQ(e[2].flags, OHX_CAPTURE_FLAG_NOT_FWD);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_HALDEX, e, 4), 0);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, NULL, 4), 0);
}

/* [spec] the ID filter keeps exactly the standard IDs set, and extended
 * IDs only with ext; the rings are per bus. */
TEST(filter_keeps_the_id_set)
{
    ohx_capture_entry_t e[8];
    ohx_capture_filter_t flt;
    ohx_frame_t a = frame(0x280, 1), b = frame(0x288, 2), x = frame(0x12345, 3), h = frame(0x2C0, 4);
    x.flags = OHX_FRAME_FLAG_EXT;
    memset(&flt, 0, sizeof(flt));
    flt.use_ids = 1;
    ohx_capture_filter_set(&flt, 0x280, 1);
    ohx_capture_filter_set(&flt, 0x2C0, 1);
    ohx_capture_filter_set(&flt, 0x7FF, 1);
    ohx_capture_filter_set(&flt, 0x7FF, 0);
    ohx_capture_filter_set(&flt, 0x800, 1); /* ignored */
    ohx_capture_init(&g_cap);
    ohx_capture_configure(&g_cap, 1, &flt);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &a, NULL, OHX_FRAME_PASS, 1);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &b, NULL, OHX_FRAME_PASS, 2);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &x, NULL, OHX_FRAME_PASS, 3);
    ohx_capture_put(&g_cap, OHX_BUS_HALDEX, &h, NULL, OHX_FRAME_PASS, 4);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, e, 8), 1);
    CHECK_EQ(e[0].id, 0x280);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_HALDEX, e, 8), 1);
    CHECK_EQ(e[0].id, 0x2C0);
    flt.ext = 1;
    ohx_capture_configure(&g_cap, 1, &flt);
    ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &x, NULL, OHX_FRAME_PASS, 5);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, e, 8), 1);
    CHECK_EQ(e[0].id, 0x12345);
}

/* [spec] overrun at full bus rate: a saturated 500 kbit/s bus is about
 * 4,000 frames/s. With the reader stalled for a second the ring keeps the
 * oldest DEPTH frames, drops and counts the rest, and never overwrites;
 * once drained it captures again, and configure zeroes the counts. */
TEST(overrun_at_full_bus_rate_drops_and_counts)
{
    enum { RATE = 4000 };
    static ohx_capture_entry_t e[OHX_CAPTURE_DEPTH + 8];
    ohx_capture_stats_t s;
    unsigned i;
    ohx_capture_init(&g_cap);
    ohx_capture_configure(&g_cap, 1, NULL);
    for (i = 0; i < RATE; i++) {
        ohx_frame_t f = frame(0x100 + (i & 0xFF), (uint8_t)i);
        ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &f, NULL, OHX_FRAME_PASS, i * 250u);
    }
    ohx_capture_stats(&g_cap, &s);
    CHECK_EQ(s.captured[0], OHX_CAPTURE_DEPTH);
    CHECK_EQ(s.dropped[0], RATE - OHX_CAPTURE_DEPTH);
    CHECK_EQ(s.pending[0], OHX_CAPTURE_DEPTH);
    CHECK_EQ(s.dropped[1], 0);
    CHECK_EQ(ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, e, OHX_CAPTURE_DEPTH + 8), OHX_CAPTURE_DEPTH);
    CHECK_EQ(e[0].ts_us, 0); /* oldest kept, in order */
    CHECK_EQ(e[OHX_CAPTURE_DEPTH - 1].ts_us, (OHX_CAPTURE_DEPTH - 1) * 250u);
    {
        ohx_frame_t f = frame(0x280, 0);
        ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &f, NULL, OHX_FRAME_PASS, 7);
    }
    ohx_capture_stats(&g_cap, &s);
    CHECK_EQ(s.pending[0], 1);
    CHECK_EQ(s.captured[0], OHX_CAPTURE_DEPTH + 1);
    ohx_capture_configure(&g_cap, 1, NULL);
    ohx_capture_stats(&g_cap, &s);
    CHECK_EQ(s.captured[0], 0);
    CHECK_EQ(s.dropped[0], 0);
    CHECK_EQ(s.pending[0], 0);
    /* A reader draining every 20 ms keeps up with the same rate: 80 frames a drain. */
    for (i = 0; i < RATE; i++) {
        ohx_frame_t f = frame(0x100, (uint8_t)i);
        ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &f, NULL, OHX_FRAME_PASS, i * 250u);
        if (i % 80u == 79u)
            ohx_capture_read(&g_cap, OHX_BUS_CHASSIS, e, OHX_CAPTURE_DEPTH);
    }
    ohx_capture_stats(&g_cap, &s);
    CHECK_EQ(s.dropped[0], 0);
    CHECK_EQ(s.captured[0], RATE);
}

/* [spec] the bridge forwards every frame whatever the capture does: a full
 * ring costs the bridge nothing (its counters see no drop). */
TEST(full_ring_never_touches_the_bridge)
{
    union {
        uint64_t a;
        unsigned char m[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    ohx_bridge_t *b;
    ohx_counters_t k;
    ohx_capture_stats_t s;
    unsigned i, forwarded = 0;
    CHECK_EQ(ohx_bridge_init(mem.m, sizeof(mem.m), NULL, &b), OHX_OK);
    ohx_capture_init(&g_cap);
    ohx_capture_configure(&g_cap, 1, NULL);
    for (i = 0; i < 10000u; i++) {
        ohx_frame_t in = frame(0x1A0, (uint8_t)i), out;
        int r = ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &in, &out, i / 4u);
        if (r >= 0)
            forwarded++;
        ohx_capture_put(&g_cap, OHX_BUS_CHASSIS, &in, &out, r, i * 250u);
    }
    ohx_bridge_get_counters(b, &k);
    ohx_capture_stats(&g_cap, &s);
    CHECK_EQ(forwarded, 10000);
    CHECK_EQ(k.frames[0], 10000);
    CHECK_EQ(k.dropped[1], 0);
    CHECK_EQ(s.dropped[0], 10000 - OHX_CAPTURE_DEPTH);
}

/* [spec] lock-free SPSC: a producer thread and a consumer thread see every
 * kept frame exactly once and in order; captured + dropped = produced. */
#define SPSC_FRAMES 400000u
static volatile int g_done;
static void *producer(void *arg)
{
    unsigned i;
    (void)arg;
    for (i = 0; i < SPSC_FRAMES; i++) {
        ohx_frame_t f = frame(0x280, 0);
        memcpy(f.data, &i, sizeof(i));
        ohx_capture_put(&g_cap, OHX_BUS_HALDEX, &f, NULL, OHX_FRAME_PASS, i);
    }
    __atomic_store_n(&g_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

TEST(spsc_threads_in_order_exactly_once)
{
    static ohx_capture_entry_t e[64];
    ohx_capture_stats_t s;
    pthread_t t;
    uint32_t last = 0, got = 0;
    int first = 1, disorder = 0, torn = 0;
    ohx_capture_init(&g_cap);
    ohx_capture_configure(&g_cap, 1, NULL);
    g_done = 0;
    CHECK_EQ(pthread_create(&t, NULL, producer, NULL), 0);
    for (;;) {
        int done = __atomic_load_n(&g_done, __ATOMIC_ACQUIRE);
        size_t n = ohx_capture_read(&g_cap, OHX_BUS_HALDEX, e, 64), i;
        for (i = 0; i < n; i++) {
            uint32_t v;
            memcpy(&v, e[i].data, sizeof(v));
            if (v != e[i].ts_us)
                torn++;
            if (!first && v <= last)
                disorder++;
            last = v;
            first = 0;
            got++;
        }
        if (done && n == 0)
            break;
    }
    pthread_join(t, NULL);
    ohx_capture_stats(&g_cap, &s);
    CHECK_EQ(torn, 0);
    CHECK_EQ(disorder, 0);
    CHECK_EQ(got, s.captured[1]);
    CHECK_EQ(s.captured[1] + s.dropped[1], SPSC_FRAMES);
    CHECK_EQ(s.pending[1], 0);
}

int main(void)
{
    RUN(disabled_by_default_records_nothing);
    RUN(entries_keep_before_and_after);
    RUN(filter_keeps_the_id_set);
    RUN(overrun_at_full_bus_rate_drops_and_counts);
    RUN(full_ring_never_touches_the_bridge);
    RUN(spsc_threads_in_order_exactly_once);
    return ohx_test_summary();
}
