/*
 * OpenHaldex XS - bridge self-test (called by the OTA health check).
 *
 * Runs golden vectors through a scratch bridge on the stack. The vectors are
 * a small subset of host-tests/c (characterization of the originals' byte
 * tables, plus the fail-safe rules specified in ohx_bridge.h). Do not "fix" a
 * golden here to make the self-test pass: a mismatch means the build's
 * rewrite behaviour changed.
 */
#include "ohx_bridge.h"

#include <string.h>

static const uint8_t k_in[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

static int run(ohx_bridge_t *b, uint8_t bus, uint32_t id, uint8_t dlc, const uint8_t *in, uint32_t now, int verdict,
               const uint8_t *expect)
{
    ohx_frame_t f, o;
    int r;
    memset(&f, 0, sizeof(f));
    f.id = id;
    f.dlc = dlc;
    memcpy(f.data, in, 8);
    r = ohx_bridge_on_frame(b, bus, &f, &o, now);
    if (r != verdict)
        return 0;
    if (o.id != f.id || o.dlc != f.dlc || o.flags != f.flags)
        return 0;
    return memcmp(o.data, expect, 8) == 0;
}

int ohx_bridge_self_test(void)
{
    /* union forces the alignment the storage needs */
    union {
        uint64_t align;
        unsigned char bytes[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    static const uint8_t g4_motor1_100[8] = {0x11, 0xFE, 0x20, 0x4E, 0xFE, 0xFE, 0x16, 0xFE};
    static const uint8_t g4_brakes3_40[8] = {0x48, 0x07, 0x51, 0x07, 0x54, 0x07, 0x54, 0x07};
    static const uint8_t g4_brakes4_100_c0[8] = {0xFE, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x9A};
    static const uint8_t g4_brakes4_100_c1[8] = {0xFE, 0x00, 0x00, 0x64, 0x00, 0x00, 0x10, 0x8A};
    static const uint8_t g4_mlw1_row0[8] = {0x22, 0x00, 0x00, 0x00, 0x80, 0x00, 0xA0, 0xDD};
    static const uint8_t g4_mlw1_row1[8] = {0x22, 0x00, 0x00, 0x00, 0x80, 0x10, 0x85, 0xCD};
    static const uint8_t g1_motor1_fwd0[8] = {0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0xFE, 0x00};
    static const uint8_t haldex_fb[8] = {0x09, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    /* Gen5 MOTOR_11 from the car (CRC 0x99 for counter 0) and as rewritten at 100 % */
    static const uint8_t g5_motor11_in[8] = {0x99, 0x50, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    static const uint8_t g5_motor11_100[8] = {0x80, 0x40, 0xFA, 0xFA, 0x00, 0xFA, 0xFA, 0xFA};
    ohx_bridge_t *b = NULL;
    ohx_bridge_config_t cfg;
    ohx_counters_t c;
    ohx_snapshot_t s;
    uint32_t t = 1000;
    int ok = 1;

    ohx_bridge_config_default(&cfg);
    cfg.generation = OHX_GEN_4;
    cfg.watchdog_ms = 500;
    if (ohx_bridge_init(mem.bytes, sizeof(mem.bytes), &cfg, &b) != OHX_OK)
        return OHX_ERR_SELF_TEST;

    /* STOCK: byte for byte. */
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_MOTOR1, 8, k_in, t, OHX_FRAME_PASS, k_in);

    /* Gen4 rewrites. */
    ok &= ohx_bridge_set_target(b, OHX_MODE_5050, 100, t) == OHX_OK;
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_MOTOR1, 8, k_in, t, OHX_FRAME_REWRITTEN, g4_motor1_100);
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_BRAKES4, 8, k_in, t, OHX_FRAME_REWRITTEN, g4_brakes4_100_c0);
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_BRAKES4, 8, k_in, t, OHX_FRAME_REWRITTEN, g4_brakes4_100_c1);
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_MLW1, 8, k_in, t, OHX_FRAME_REWRITTEN, g4_mlw1_row0);
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_MLW1, 8, k_in, t, OHX_FRAME_REWRITTEN, g4_mlw1_row1);
    ok &= ohx_bridge_set_target(b, OHX_MODE_6040, 40, t) == OHX_OK;
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_BRAKES3, 8, k_in, t, OHX_FRAME_REWRITTEN, g4_brakes3_40);

    /* Short frame and Haldex direction: untouched. */
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_MOTOR1, 7, k_in, t, OHX_FRAME_PASS, k_in);
    ok &= run(b, OHX_BUS_HALDEX, OHX_ID_MOTOR1, 8, k_in, t, OHX_FRAME_PASS, k_in);

    /* Watchdog: valid at exactly the period, fallback one ms later. */
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_BRAKES3, 8, k_in, t + 500, OHX_FRAME_REWRITTEN, g4_brakes3_40);
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_BRAKES3, 8, k_in, t + 501, OHX_FRAME_PASS, k_in);

    /* Feedback decoding (Gen4: byte 1 mapped 128..255). */
    ok &= run(b, OHX_BUS_HALDEX, OHX_ID_HALDEX, 8, haldex_fb, t + 501, OHX_FRAME_PASS, haldex_fb);
    ok &= ohx_bridge_snapshot(b, t + 501, &s) == OHX_OK;
    ok &= s.haldex_engagement_pct == 100 && s.haldex_state == 0x09 && s.state == OHX_STATE_FALLBACK;

    /* Gen1 FWD: byte 6 inverted to 0xFE. */
    ok &= ohx_bridge_set_generation(b, OHX_GEN_1) == OHX_OK;
    ok &= ohx_bridge_set_target(b, OHX_MODE_FWD, 0, t + 600) == OHX_OK;
    ok &= run(b, OHX_BUS_CHASSIS, OHX_ID_MOTOR1, 8, k_in, t + 600, OHX_FRAME_REWRITTEN, g1_motor1_fwd0);

    /* Gen5: an E2E frame rewritten with a fresh CRC; a wrong CRC passes untouched. */
    ok &= ohx_bridge_set_generation(b, OHX_GEN_5) == OHX_OK;
    ok &= ohx_bridge_set_target(b, OHX_MODE_5050, 100, t + 600) == OHX_OK;
    ok &= run(b, OHX_BUS_CHASSIS, 0x0A7, 8, g5_motor11_in, t + 600, OHX_FRAME_REWRITTEN, g5_motor11_100);
    ok &= run(b, OHX_BUS_CHASSIS, 0x0A7, 8, k_in, t + 600, OHX_FRAME_PASS, k_in);

    ok &= ohx_bridge_get_counters(b, &c) == OHX_OK;
    ok &= c.watchdog_fallbacks == 1 && c.short_frames == 1 && c.rewritten == 9 && c.e2e_mismatch == 1;
    ok &= c.frames[OHX_BUS_CHASSIS] == 13 && c.frames[OHX_BUS_HALDEX] == 2;

    /* Scaling rule anchors. */
    ok &= ohx_lock_scale(0xFE, 40, false) == 0x65 && ohx_lock_scale(0xFE, 0, true) == 0xFE &&
          ohx_lock_scale(0x16, 100, false) == 0x16 && ohx_lock_scale(0xFE, 100, true) == 0x00;

    return ok ? OHX_OK : OHX_ERR_SELF_TEST;
}
