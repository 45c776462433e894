/*
 * Bridge throughput on the host.
 *   bench_bridge                 frames/s for STOCK and a Gen4 rewrite mix
 *   bench_bridge stock N         bridge N frames in STOCK (for callgrind)
 *   bench_bridge genG N          bridge N frames, every one rewritten, at 40 %:
 *                                gen1 MOTOR1, MOTOR3, BRAKES1, BRAKES3;
 *                                gen2 those and BRAKES2; gen4 MOTOR1, BRAKES1..4,
 *                                mLW_1; gen5 MOTOR_11, MOTOR_12, ESP_14, ESP_10,
 *                                ESP_05 (E2E: the car's CRC checked, a new one
 *                                made) and ESP_19
 *   bench_bridge gen4-capture-off N   the Gen4 mix, each frame then offered to a
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

#define MIX_MAX 6

typedef struct {
    const char *name;
    uint8_t generation;
    unsigned count;
    uint32_t ids[MIX_MAX];
} mix_t;

static const mix_t k_mixes[] = {
    {"gen1", OHX_GEN_1, 4, {OHX_ID_MOTOR1, OHX_ID_MOTOR3, OHX_ID_BRAKES1, OHX_ID_BRAKES3}},
    {"gen2", OHX_GEN_2, 5, {OHX_ID_MOTOR1, OHX_ID_MOTOR3, OHX_ID_BRAKES1, OHX_ID_BRAKES2, OHX_ID_BRAKES3}},
    {"gen4",
     OHX_GEN_4,
     6,
     {OHX_ID_MOTOR1, OHX_ID_BRAKES1, OHX_ID_BRAKES2, OHX_ID_BRAKES3, OHX_ID_BRAKES4, OHX_ID_MLW1}},
    {"gen5", OHX_GEN_5, 6, {0x0A7, 0x0A8, 0x08A, 0x116, 0x106, OHX_ID_ESP_19}},
};

static volatile uint32_t sink;

static ohx_capture_t g_cap;
static ohx_capture_entry_t g_taken[64];

/* cap: NULL = no capture call (the bridge alone). */
static uint32_t run(ohx_bridge_t *b, const mix_t *mix, unsigned long n, ohx_capture_t *cap)
{
    ohx_frame_t f[MIX_MAX], o;
    unsigned long i;
    uint32_t acc = 0;
    unsigned k;
    for (k = 0; k < mix->count; k++) {
        const uint8_t *ids = ohx_gen5_data_ids(mix->ids[k]);
        memset(&f[k], 0, sizeof(f[k]));
        f[k].id = mix->ids[k];
        f[k].dlc = 8;
        memset(f[k].data, 0x5A, 8);
        if (mix->generation == OHX_GEN_5 && ids)
            f[k].data[0] = ohx_e2e_crc(f[k].data, ids); /* as the car sends it */
    }
    for (i = 0, k = 0; i < n; i++) {
        int r = ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f[k], &o, (uint32_t)(i >> 10));
        acc += (uint32_t)r + o.data[1];
        if (cap) {
            ohx_capture_put(cap, OHX_BUS_CHASSIS, &f[k], &o, r, (uint32_t)i);
            if ((i & 63u) == 63u)
                acc += (uint32_t)ohx_capture_read(cap, OHX_BUS_CHASSIS, g_taken, 64);
        }
        if (++k == mix->count)
            k = 0;
    }
    return acc;
}

static ohx_bridge_t *setup(void *mem, const mix_t *mix, int rewrite)
{
    ohx_bridge_config_t cfg;
    ohx_bridge_t *b;
    ohx_bridge_config_default(&cfg);
    cfg.generation = mix->generation;
    if (ohx_bridge_init(mem, OHX_BRIDGE_STORAGE_SIZE, &cfg, &b) != OHX_OK)
        exit(2);
    if (rewrite) {
        ohx_bridge_set_watchdog_ms(b, OHX_WATCHDOG_MAX_MS);
        ohx_bridge_set_target(b, OHX_MODE_6040, 40, 0);
    }
    return b;
}

static const mix_t *mix_named(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof(k_mixes) / sizeof(k_mixes[0]); i++)
        if (strncmp(name, k_mixes[i].name, 4) == 0)
            return &k_mixes[i];
    return &k_mixes[2]; /* stock: the Gen4 mix, not rewritten */
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
        const mix_t *mix = mix_named(argv[1]);
        ohx_bridge_t *b = setup(mem.m, mix, strcmp(argv[1], "stock") != 0);
        ohx_capture_t *cap = NULL;
        if (strncmp(argv[1], "gen4-capture", 12) == 0) {
            cap = &g_cap;
            ohx_capture_configure(cap, strcmp(argv[1], "gen4-capture") == 0, NULL);
        }
        sink = run(b, mix, n, cap);
        return 0;
    } else {
        const unsigned long n = 20000000ul;
        size_t m;
        for (m = 0; m <= sizeof(k_mixes) / sizeof(k_mixes[0]); m++) {
            const mix_t *mix = m == 0 ? &k_mixes[2] : &k_mixes[m - 1];
            ohx_bridge_t *b = setup(mem.m, mix, m != 0);
            ohx_counters_t c;
            double t0 = seconds(), dt;
            sink = run(b, mix, n, NULL);
            dt = seconds() - t0;
            ohx_bridge_get_counters(b, &c);
            printf("%-5s %lu frames in %.3f s: %.1f M frames/s (%.1f ns/frame), rewritten %lu\n",
                   m ? mix->name : "stock", n, dt, n / dt / 1e6, dt * 1e9 / n, (unsigned long)c.rewritten);
        }
    }
    return 0;
}
