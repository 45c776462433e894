/*
 * libFuzzer target for the bridge's frame input (and the wire decoder).
 * The input is a script of 20-byte steps:
 *   0      op: bits 0..2 select set_target / set_generation / watchdog /
 *          hold / on_frame (most values) ; the other bytes are arguments
 *   1      bus (any value; >= 2 must be rejected)
 *   2..3   time step in ms (little-endian)
 *   4..19  a raw ohx_frame_t (any bytes: invalid DLC/flags/ids included)
 * Invariants checked on every step (abort() on violation):
 *   - on_frame returns PASS, REWRITTEN or an error code of the range;
 *   - id, dlc and flags are never changed; errors leave nothing counted as forwarded;
 *   - PASS means byte-for-byte identical output;
 *   - Haldex-bus frames, extended/remote frames and frames in STOCK,
 *     HELD or FALLBACK are always PASS;
 *   - a rewritten Gen5 E2E frame verified before (the car's CRC) and after
 *     (the bridge's), and kept the car's alive counter;
 *   - ohx_wire_decode accepts only what ohx_wire_encode reproduces.
 */
#include "ohx_bridge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STEP 20

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    union {
        uint64_t a;
        unsigned char m[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    ohx_bridge_t *b;
    uint32_t now = 0;
    size_t off;

    if (ohx_bridge_init(mem.m, sizeof(mem.m), NULL, &b) != OHX_OK)
        abort();
    for (off = 0; off + STEP <= size; off += STEP) {
        const uint8_t *s = data + off;
        ohx_frame_t in, out;
        uint8_t op = s[0];
        now += (uint32_t)s[2] | ((uint32_t)s[3] << 8);
        memcpy(&in, s + 4, sizeof(in));
        switch (op & 7u) {
        case 0:
            (void)ohx_bridge_set_target(b, (uint8_t)(op >> 3), s[1], now);
            break;
        case 1:
            (void)ohx_bridge_set_generation(b, (uint8_t)(op >> 3));
            break;
        case 2:
            (void)ohx_bridge_set_watchdog_ms(b, (uint32_t)s[1] * 8u);
            break;
        case 3:
            (void)ohx_bridge_hold_passthrough(b, (op & 8u) != 0);
            break;
        default: {
            ohx_state_t st = ohx_bridge_state(b, now);
            int r = ohx_bridge_on_frame(b, s[1], &in, &out, now);
            if (r < 0) {
                if (r != OHX_ERR_INVALID_BUS && r != OHX_ERR_INVALID_FRAME)
                    abort();
                break;
            }
            if (r != OHX_FRAME_PASS && r != OHX_FRAME_REWRITTEN)
                abort();
            if (out.id != in.id || out.dlc != in.dlc || out.flags != in.flags)
                abort();
            if (r == OHX_FRAME_PASS && memcmp(&out, &in, sizeof(in)) != 0)
                abort();
            if (r == OHX_FRAME_REWRITTEN && (s[1] != OHX_BUS_CHASSIS || in.flags != 0 || st != OHX_STATE_ACTIVE))
                abort();
            {
                ohx_snapshot_t snap;
                const uint8_t *ids = ohx_gen5_data_ids(in.id);
                if (r == OHX_FRAME_REWRITTEN && ids && ohx_bridge_snapshot(b, now, &snap) == OHX_OK &&
                    snap.generation == OHX_GEN_5 &&
                    (ohx_e2e_crc(in.data, ids) != in.data[0] || ohx_e2e_crc(out.data, ids) != out.data[0] ||
                     ((in.data[1] ^ out.data[1]) & 0x0Fu) != 0))
                    abort();
            }
            {
                uint8_t w[OHX_WIRE_SIZE], bus;
                ohx_frame_t back;
                if (ohx_wire_encode(&in, s[1], w, sizeof(w)) != OHX_OK)
                    abort();
                if (ohx_wire_decode(w, sizeof(w), &back, &bus) != OHX_OK)
                    abort();
                if (back.id != in.id || back.dlc != in.dlc || bus != s[1])
                    abort();
            }
            break;
        }
        }
        {
            /* raw wire decode of the step bytes must not crash */
            ohx_frame_t g;
            (void)ohx_wire_decode(s + 4, OHX_WIRE_SIZE, &g, NULL);
        }
    }
    {
        ohx_snapshot_t snap;
        ohx_counters_t c;
        if (ohx_bridge_snapshot(b, now, &snap) != OHX_OK)
            abort();
        if (ohx_bridge_get_counters(b, &c) != OHX_OK)
            abort();
    }
    return 0;
}
