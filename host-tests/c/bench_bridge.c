/*
 * Bridge throughput on the host.
 *   bench_bridge                 frames/s for STOCK and a Gen4 rewrite mix
 *   bench_bridge stock N         bridge N frames in STOCK (for callgrind)
 *   bench_bridge gen4 N          bridge N frames, every one rewritten (Gen4 mix
 *                                of MOTOR1, BRAKES1..4, mLW_1 at 40 %)
 *   bench_bridge gen4-capture-off N   the same, each frame then offered to a
 *                                disabled capture ring (nobody looking)
 *   bench_bridge gen4-capture N  the same with the capture on, the reader
 *                                taking 64 entries at a time (its copy counted too)
 * Instructions per frame: run the callgrind modes for two N and divide the
 * difference of the totals by the difference of N (setup cancels out);
 * `make -C host-tests/c bench` does exactly that.
 */
#define _POSIX_C_SOURCE 199309L
#include "ohx_bridge.h"
#include "ohx_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint32_t k_gen4_ids[6] = {OHX_ID_MOTOR1,  OHX_ID_BRAKES1, OHX_ID_BRAKES2,
                                       OHX_ID_BRAKES3, OHX_ID_BRAKES4, OHX_ID_MLW1};

static volatile uint32_t sink;

static ohx_capture_t g_cap;
static ohx_capture_entry_t g_taken[64];

/* cap: NULL = no capture call (the bridge alone). */
static uint32_t run(ohx_bridge_t *b, unsigned long n, ohx_capture_t *cap)
{
    ohx_frame_t f[6], o;
    unsigned long i;
    uint32_t acc = 0;
    unsigned k;
    for (k = 0; k < 6; k++) {
        memset(&f[k], 0, sizeof(f[k]));
        f[k].id = k_gen4_ids[k];
        f[k].dlc = 8;
        memset(f[k].data, 0x5A, 8);
    }
    for (i = 0; i < n; i++) {
        int r = ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f[i % 6], &o, (uint32_t)(i >> 10));
        acc += (uint32_t)r + o.data[1];
        if (cap) {
            ohx_capture_put(cap, OHX_BUS_CHASSIS, &f[i % 6], &o, r, (uint32_t)i);
            if ((i & 63u) == 63u)
                acc += (uint32_t)ohx_capture_read(cap, OHX_BUS_CHASSIS, g_taken, 64);
        }
    }
    return acc;
}

static ohx_bridge_t *setup(void *mem, int rewrite)
{
    ohx_bridge_t *b;
    if (ohx_bridge_init(mem, OHX_BRIDGE_STORAGE_SIZE, NULL, &b) != OHX_OK)
        exit(2);
    if (rewrite) {
        ohx_bridge_set_watchdog_ms(b, OHX_WATCHDOG_MAX_MS);
        ohx_bridge_set_target(b, OHX_MODE_6040, 40, 0);
    }
    return b;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static union {
        uint64_t a;
        unsigned char m[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    if (argc == 3) {
        unsigned long n = strtoul(argv[2], NULL, 10);
        ohx_bridge_t *b = setup(mem.m, strncmp(argv[1], "gen4", 4) == 0);
        ohx_capture_t *cap = NULL;
        if (strncmp(argv[1], "gen4-capture", 12) == 0) {
            cap = &g_cap;
            ohx_capture_configure(cap, strcmp(argv[1], "gen4-capture") == 0, NULL);
        }
        sink = run(b, n, cap);
        return 0;
    } else {
        const unsigned long n = 20000000ul;
        int mode;
        for (mode = 0; mode < 2; mode++) {
            ohx_bridge_t *b = setup(mem.m, mode);
            ohx_counters_t c;
            double t0 = seconds(), dt;
            sink = run(b, n, NULL);
            dt = seconds() - t0;
            ohx_bridge_get_counters(b, &c);
            printf("%-5s %lu frames in %.3f s: %.1f M frames/s (%.1f ns/frame), rewritten %lu\n",
                   mode ? "gen4" : "stock", n, dt, n / dt / 1e6, dt * 1e9 / n, (unsigned long)c.rewritten);
        }
    }
    return 0;
}
