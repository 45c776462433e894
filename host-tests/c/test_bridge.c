/*
 * Unit tests for modules/can/core (ohx_bridge.h).
 *
 * Kinds of expectations, per test (see the tag in each test's comment):
 *  [spec]  the behaviour ohx_bridge.h specifies for this project (fail-safe
 *          rules, watchdog boundaries, counters, wire format, error codes).
 *  [char]  characterization of the original firmwares (OpenHaldex-S3
 *          lock_data.cpp / OpenHaldex-C6 OpenHaldexC6_Calculations.ino):
 *          byte positions, constants, counters and the scaling rule. The
 *          goldens in golden_vectors.inc come from golden_oracle.py, an
 *          independent re-statement of those tables. Do not "fix" a golden
 *          to make a test pass; a failure names the frame that changed.
 *
 * Each test builds its own bridge (no shared state between tests).
 */
#include "harness.h"
#include "ohx_bridge.h"

#include <stdint.h>
#include <stdlib.h>

typedef union {
    uint64_t align;
    unsigned char bytes[OHX_BRIDGE_STORAGE_SIZE];
} storage_t;

static const uint8_t IN8[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

static ohx_bridge_t *make(storage_t *m, uint8_t gen)
{
    ohx_bridge_config_t cfg;
    ohx_bridge_t *b = NULL;
    ohx_bridge_config_default(&cfg);
    cfg.generation = gen;
    if (ohx_bridge_init(m->bytes, sizeof(m->bytes), &cfg, &b) != OHX_OK)
        return NULL;
    return b;
}

static ohx_frame_t frame(uint32_t id, uint8_t dlc, const uint8_t *data)
{
    ohx_frame_t f;
    memset(&f, 0, sizeof(f));
    f.id = id;
    f.dlc = dlc;
    if (data)
        memcpy(f.data, data, 8);
    return f;
}

/* ---------------------------------------------------------------- init */

/* [spec] ohx_bridge_init() verifies its arguments and returns exact codes. */
TEST(init_verifies_arguments)
{
    storage_t m;
    ohx_bridge_t *b = NULL;
    ohx_bridge_config_t cfg;
    ohx_bridge_config_default(&cfg);
    CHECK_EQ(cfg.generation, OHX_GEN_4);
    CHECK_EQ(cfg.watchdog_ms, 500);
    CHECK_EQ(ohx_bridge_init(NULL, sizeof(m), &cfg, &b), OHX_ERR_INVALID_ARG);
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, NULL), OHX_ERR_INVALID_ARG);
    CHECK_EQ(ohx_bridge_init(m.bytes, OHX_BRIDGE_STORAGE_SIZE - 1, &cfg, &b), OHX_ERR_NO_MEM);
    {
        static union {
            uint64_t a;
            unsigned char c[OHX_BRIDGE_STORAGE_SIZE + 8];
        } big;
        CHECK_EQ(ohx_bridge_init(big.c + 1, OHX_BRIDGE_STORAGE_SIZE, &cfg, &b), OHX_ERR_NO_MEM);
    }
    cfg.generation = 3;
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, &b), OHX_ERR_UNSUPPORTED_GENERATION);
    cfg.generation = 6;
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, &b), OHX_ERR_UNSUPPORTED_GENERATION);
    cfg.generation = OHX_GEN_5;
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, &b), OHX_OK);
    b = NULL;
    ohx_bridge_config_default(&cfg);
    cfg.watchdog_ms = OHX_WATCHDOG_MIN_MS - 1;
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, &b), OHX_ERR_INVALID_WATCHDOG);
    cfg.watchdog_ms = OHX_WATCHDOG_MAX_MS + 1;
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, &b), OHX_ERR_INVALID_WATCHDOG);
    CHECK(b == NULL);
    cfg.watchdog_ms = 0; /* 0 = default */
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), &cfg, &b), OHX_OK);
    CHECK(b == (ohx_bridge_t *)m.bytes);
    CHECK_EQ(ohx_bridge_init(m.bytes, sizeof(m), NULL, &b), OHX_OK);
}

/* [spec] calls on a handle that is not an initialised bridge are refused. */
TEST(calls_on_a_foreign_handle_return_invalid_state)
{
    storage_t m;
    ohx_frame_t f = frame(0x280, 8, IN8), o;
    ohx_counters_t c;
    ohx_snapshot_t s;
    ohx_bridge_t *b = (ohx_bridge_t *)m.bytes;
    memset(&m, 0xA5, sizeof(m));
    CHECK_EQ(ohx_bridge_on_frame(b, 0, &f, &o, 0), OHX_ERR_INVALID_STATE);
    CHECK_EQ(ohx_bridge_set_target(b, 2, 100, 0), OHX_ERR_INVALID_STATE);
    CHECK_EQ(ohx_bridge_get_counters(b, &c), OHX_ERR_INVALID_STATE);
    CHECK_EQ(ohx_bridge_snapshot(b, 0, &s), OHX_ERR_INVALID_STATE);
    CHECK_EQ(ohx_bridge_state(b, 0), OHX_STATE_STOCK);
    CHECK_EQ(ohx_bridge_on_frame(NULL, 0, &f, &o, 0), OHX_ERR_INVALID_ARG);
    CHECK_EQ(ohx_bridge_set_generation(NULL, 4), OHX_ERR_INVALID_ARG);
}

/* [spec] set_target() checks mode and percent and leaves the bridge unchanged on error. */
TEST(set_target_verifies_mode_and_percent)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_snapshot_t s;
    CHECK_EQ(ohx_bridge_set_target(b, OHX_MODE_COUNT, 50, 0), OHX_ERR_INVALID_MODE);
    CHECK_EQ(ohx_bridge_set_target(b, OHX_MODE_5050, 101, 0), OHX_ERR_INVALID_PERCENT);
    ohx_bridge_snapshot(b, 0, &s);
    CHECK_EQ(s.mode, OHX_MODE_STOCK);
    CHECK_EQ(s.target_age_ms, OHX_AGE_NEVER);
    CHECK_EQ(ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0), OHX_OK);
    CHECK_EQ(ohx_bridge_set_generation(b, 3), OHX_ERR_UNSUPPORTED_GENERATION);
    CHECK_EQ(ohx_bridge_set_watchdog_ms(b, 5), OHX_ERR_INVALID_WATCHDOG);
}

/* ---------------------------------------------------------------- STOCK */

/* [spec] STOCK forwards every frame byte for byte, both directions, any DLC/flags. */
TEST(stock_forwards_every_frame_byte_for_byte)
{
    static const uint32_t ids[] = {0x0C2, 0x1A0, 0x280, 0x288, 0x2A0, 0x2C0, 0x380, 0x4A0, 0x5A0, 0x000, 0x7FF};
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    unsigned i, dlc, bus, fl;
    srand(7);
    for (bus = 0; bus < 2; bus++)
        for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
            for (dlc = 0; dlc <= 15; dlc++)
                for (fl = 0; fl < 4; fl++) {
                    ohx_frame_t f, o;
                    unsigned k;
                    f = frame(ids[i], (uint8_t)dlc, NULL);
                    f.flags = (uint8_t)fl;
                    for (k = 0; k < 8; k++)
                        f.data[k] = (uint8_t)rand();
                    memset(&o, 0xEE, sizeof(o));
                    CHECK_EQ(ohx_bridge_on_frame(b, (uint8_t)bus, &f, &o, 1000), OHX_FRAME_PASS);
                    if (memcmp(&o, &f, sizeof(f)) != 0) {
                        FAILF("STOCK changed id 0x%03X dlc %u flags %u bus %u", (unsigned)ids[i], dlc, fl, bus);
                        return;
                    }
                }
}

/* ---------------------------------------------------------------- Gen5 (MQB) */

/* [spec] CRC-8H2F is the catalogue's CRC-8/AUTOSAR: check value 0xDF for "123456789". */
TEST(crc8h2f_matches_the_catalogue)
{
    static const uint8_t check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    static const uint8_t zero[1] = {0x00}, ones[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    CHECK_EQ(ohx_crc8h2f(check, 9), 0xDF);
    CHECK_EQ(ohx_crc8h2f(check, 0), 0x00);
    CHECK_EQ(ohx_crc8h2f(zero, 1), 0xBD);
    CHECK_EQ(ohx_crc8h2f(ones, 8), 0xC6);
}

/* ESP_21 (0x0FD) from a real MQB car: one frame per alive counter, from the
 * SavvyCAN log in github.com/uhi22/tesla-crc vag/ (49,512 frames; every one
 * reproduces). The DataID list is the one that log fits. */
static const uint8_t k_esp21_ids[16] = {0xB4, 0xEF, 0xF8, 0x49, 0x1E, 0xE5, 0xC2, 0xC0,
                                        0x97, 0x19, 0x3C, 0xC9, 0xF1, 0x98, 0xD6, 0x61};
static const uint8_t k_esp21_trace[16][8] = {
    {0x1B, 0xD0, 0x1F, 0x80, 0x1F, 0x00, 0x00, 0x00}, {0xE8, 0xD1, 0x1F, 0x80, 0x31, 0x00, 0x00, 0x00},
    {0x57, 0xD2, 0x1F, 0x80, 0x6C, 0x00, 0x00, 0x00}, {0xC9, 0xD3, 0x1F, 0x80, 0x7B, 0x00, 0x00, 0x00},
    {0x5F, 0xD4, 0x1F, 0x80, 0x7B, 0x00, 0x00, 0x00}, {0x66, 0xD5, 0x1F, 0x80, 0x88, 0x00, 0x00, 0x00},
    {0x11, 0xD6, 0x1F, 0x80, 0x95, 0x00, 0x00, 0x00}, {0x85, 0xD7, 0x1F, 0x80, 0xA1, 0x00, 0x00, 0x00},
    {0xFE, 0xD8, 0x1F, 0x80, 0xAC, 0x00, 0x00, 0x00}, {0xFF, 0xD9, 0x1F, 0x80, 0xB8, 0x00, 0x00, 0x00},
    {0xB4, 0xDA, 0x1F, 0x80, 0xC1, 0x00, 0x00, 0x00}, {0xB8, 0xDB, 0x1F, 0x80, 0xCA, 0x00, 0x00, 0x00},
    {0xAE, 0xDC, 0x1F, 0x80, 0xD3, 0x00, 0x00, 0x00}, {0x09, 0xDD, 0x1F, 0x80, 0x1F, 0x00, 0x00, 0x00},
    {0xF6, 0xDE, 0x1F, 0x80, 0x1F, 0x00, 0x00, 0x00}, {0x61, 0xDF, 0x1F, 0x80, 0x1F, 0x00, 0x00, 0x00},
};

/* [spec] the E2E CRC reproduces a real car's frames, with the DataID last
 * (AUTOSAR Profile 2). With the DataID first, as S3 and Edge compute it,
 * the same frames do not reproduce: that order is not the car's. */
TEST(e2e_crc_reproduces_a_real_mqb_trace)
{
    unsigned i, first_order_hits = 0;
    for (i = 0; i < 16; i++) {
        const uint8_t *d = k_esp21_trace[i];
        uint8_t buf[8];
        char what[48];
        snprintf(what, sizeof(what), "ESP_21 counter %u", i);
        if (ohx_e2e_crc(d, k_esp21_ids) != d[0])
            FAILF("%s: crc 0x%02X, the car sent 0x%02X", what, ohx_e2e_crc(d, k_esp21_ids), d[0]);
        buf[0] = k_esp21_ids[d[1] & 0x0F]; /* the family's order: DataID, then bytes 1..7 */
        memcpy(buf + 1, d + 1, 7);
        first_order_hits += ohx_crc8h2f(buf, 8) == d[0];
    }
    CHECK(first_order_hits < 4);
}

/* [spec] an E2E frame whose CRC does not verify with the bridge's DataID is
 * forwarded untouched and counted in e2e_mismatch, not in short_frames. */
TEST(gen5_refuses_to_rewrite_a_frame_whose_crc_it_cannot_reproduce)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_5);
    uint8_t d[8] = {0x00, 0x53, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    ohx_frame_t f, o;
    ohx_counters_t c;
    unsigned bad;
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    for (bad = 0; bad < 256; bad++) {
        d[0] = (uint8_t)bad;
        f = frame(0x0A8, 8, d); /* MOTOR_12 */
        if (ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0) == OHX_FRAME_REWRITTEN) {
            /* exactly one byte-0 value is the car's CRC; the output carries a fresh one */
            CHECK_EQ(o.data[1], 0x73); /* S3's high nibble, the car's counter 3 */
            CHECK_EQ(o.data[0], ohx_e2e_crc(o.data, ohx_gen5_data_ids(0x0A8)));
            continue;
        }
        CHECK_BYTES(o.data, f.data, 8, "refused MOTOR_12 untouched");
    }
    ohx_bridge_get_counters(b, &c);
    CHECK_EQ(c.rewritten, 1);
    CHECK_EQ(c.e2e_mismatch, 255);
    CHECK(ohx_gen5_data_ids(0x0A8) != NULL);
    CHECK_EQ(ohx_gen5_data_ids(0x116)[9], 0xAC); /* ESP_10: Edge's DataID, not S3's 0x05 */
    CHECK(ohx_gen5_data_ids(0x0B2) == NULL);     /* ESP_19: no E2E */
    CHECK(ohx_gen5_data_ids(0x280) == NULL);
    CHECK_EQ(c.short_frames, 0);
}

/* [spec] a Gen5 frame shorter than 8 bytes passes untouched (S3 forces the
 * DLC of ESP_10 and ESP_05 to 8; this bridge never changes a DLC). */
TEST(gen5_short_frames_pass)
{
    static const uint32_t ids[] = {0x116, 0x106, 0x0B2, 0x30B};
    unsigned i;
    for (i = 0; i < 4; i++) {
        storage_t m;
        ohx_bridge_t *b = make(&m, OHX_GEN_5);
        ohx_frame_t f = frame(ids[i], 7, IN8), o;
        ohx_counters_t c;
        ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
        CHECK_EQ(o.dlc, 7);
        CHECK_BYTES(o.data, IN8, 8, "short Gen5 frame");
        ohx_bridge_get_counters(b, &c);
        CHECK_EQ(c.short_frames, 1);
    }
}

/* [char] ESP_19: S3's two rolling values (a 0..0x0E, b from 0x20 then
 * 0x01..0x1A), lock-scaled into the wheel-speed bytes; they advance only on
 * frames the bridge rewrote and restart with the generation. */
TEST(gen5_esp19_rolls_s3s_two_values)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_5);
    unsigned i, a = 0, bv = 0x20;
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    for (i = 0; i < 40; i++) {
        ohx_frame_t f = frame(0x0B2, 8, IN8), o;
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_REWRITTEN);
        CHECK_EQ(o.data[0], a);
        CHECK_EQ(o.data[1], bv);
        CHECK_EQ(o.data[4], (a + 0xCA) & 0xFF);
        CHECK_EQ(o.data[7], bv);
        a = a >= 0x0E ? 0 : a + 1;
        bv = bv >= 0x1A ? 0x01 : bv + 1;
        if (i == 20) {
            /* STOCK for a while: nothing advances */
            unsigned k;
            ohx_bridge_set_target(b, OHX_MODE_STOCK, 0, 0);
            for (k = 0; k < 5; k++) {
                f = frame(0x0B2, 8, IN8);
                CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
            }
            ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
        }
    }
    ohx_bridge_set_generation(b, OHX_GEN_5);
    {
        ohx_frame_t f = frame(0x0B2, 8, IN8), o;
        ohx_snapshot_t s;
        ohx_bridge_snapshot(b, 0, &s);
        CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_ESP_19); /* the same generation: inputs kept */
        ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
        CHECK_EQ(o.data[0], 0);
        CHECK_EQ(o.data[1], 0x20);
    }
}

/* [spec] the car's alive counter goes through unchanged, frame after frame,
 * and every rewritten frame carries a CRC that verifies. */
TEST(gen5_keeps_the_cars_alive_counter)
{
    static const uint8_t ids_0a7[16] = {0xD2, 0x3D, 0xCD, 0x28, 0x4C, 0x14, 0x22, 0x4B,
                                        0x24, 0xAC, 0xFA, 0x55, 0x66, 0x80, 0x0D, 0x6C};
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_5);
    unsigned i;
    ohx_bridge_set_target(b, OHX_MODE_CUSTOM, 63, 0);
    for (i = 0; i < 40; i++) {
        uint8_t d[8] = {0, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
        ohx_frame_t f, o;
        d[1] = (uint8_t)(0xA0 | (i & 0x0F));
        d[0] = ohx_e2e_crc(d, ids_0a7);
        f = frame(0x0A7, 8, d); /* MOTOR_11 */
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_REWRITTEN);
        CHECK_EQ(o.data[1], 0x40 | (i & 0x0F));
        CHECK_EQ(o.data[6], ohx_lock_scale(0xFA, 63, false));
        CHECK_EQ(o.data[0], ohx_e2e_crc(o.data, ids_0a7));
    }
}

/* [char] MQB inputs: ESP_19 wheel-speed mean (preferred) and ESP_21 (fallback),
 * MOTOR_12 rpm, MOTOR_20 pedal, MOTOR_04 boost, MOTOR_07 coolant; PQ IDs mean
 * nothing on Gen5 and MQB IDs nothing on PQ. */
TEST(gen5_decodes_the_mqb_inputs)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_5);
    ohx_snapshot_t s;
    /* four wheels 8000, 8000, 8100, 8100 x 0.0075 = 60.375 km/h mean */
    uint8_t esp19[8] = {0x40, 0x1F, 0x40, 0x1F, 0xA4, 0x1F, 0xA4, 0x1F};
    uint8_t esp21[8] = {0, 0, 0, 0, 0x70, 0x17, 0, 0};   /* 6000 -> 60.00 km/h */
    uint8_t motor12[8] = {0, 0, 0, 0, 0, 0, 0x40, 0x1F}; /* 8000 -> 2000 rpm */
    uint8_t motor20[8] = {0, 0xA0, 0x0F, 0, 0, 0, 0, 0}; /* (0xA | 0xF0) = 250 -> 100 % */
    uint8_t motor04[8] = {0, 0, 0, 0, 0x80, 0x5A, 0, 0}; /* (0x5A << 1) | 1 = 181 -> 181 kPa */
    uint8_t motor07[8] = {0, 0, 0, 0xB5, 0, 0, 0, 0};    /* 181 -> 87.75 degC */
    uint8_t brakes1[8] = {0, 0, 0x20, 0x4E, 0, 0, 0, 0};
    ohx_frame_t f, o;
    f = frame(OHX_ID_BRAKES1, 8, brakes1);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
    ohx_bridge_snapshot(b, 0, &s);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_NONE);
    f = frame(OHX_ID_ESP_21, 8, esp21);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 100);
    ohx_bridge_snapshot(b, 100, &s);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_ESP_21);
    CHECK_EQ(s.speed_centi_kmh, 6000);
    f = frame(OHX_ID_ESP_19, 8, esp19);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 200);
    ohx_bridge_snapshot(b, 700, &s);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_ESP_19);
    CHECK_EQ(s.speed_centi_kmh, 6037);
    ohx_bridge_snapshot(b, 701, &s); /* ESP_19 stale: ESP_21 */
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_ESP_21);
    CHECK_EQ(s.speed_age_ms, 601);
    f = frame(OHX_ID_MOTOR_12, 8, motor12);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 300);
    ohx_bridge_snapshot(b, 310, &s);
    CHECK_EQ(s.rpm_x4, 8000);
    CHECK_EQ(s.engine_age_ms, OHX_AGE_NEVER); /* no pedal yet */
    f = frame(OHX_ID_MOTOR_20, 8, motor20);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 305);
    f = frame(OHX_ID_MOTOR_04, 8, motor04);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 306);
    f = frame(OHX_ID_MOTOR_07, 8, motor07);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 307);
    ohx_bridge_snapshot(b, 310, &s);
    CHECK_EQ(s.pedal_permille, 1000);
    CHECK_EQ(s.engine_age_ms, 10); /* the older of MOTOR_12 and MOTOR_20 */
    CHECK_EQ(s.boost_raw, 181);
    CHECK_EQ(s.boost_age_ms, 4);
    CHECK_EQ(s.coolant_raw, 0xB5);
    CHECK_EQ(s.coolant_age_ms, 3);
    CHECK_EQ(s.generation, OHX_GEN_5);
    {
        /* the same MQB frames on a PQ bridge: nothing decoded */
        storage_t m4;
        ohx_bridge_t *b4 = make(&m4, OHX_GEN_4);
        f = frame(OHX_ID_MOTOR_04, 8, motor04);
        ohx_bridge_on_frame(b4, OHX_BUS_CHASSIS, &f, &o, 0);
        f = frame(OHX_ID_ESP_19, 8, esp19);
        ohx_bridge_on_frame(b4, OHX_BUS_CHASSIS, &f, &o, 0);
        ohx_bridge_snapshot(b4, 0, &s);
        CHECK_EQ(s.boost_age_ms, OHX_AGE_NEVER);
        CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_NONE);
    }
    /* another generation forgets what was read with this one's layout */
    ohx_bridge_set_generation(b, OHX_GEN_4);
    ohx_bridge_snapshot(b, 320, &s);
    CHECK_EQ(s.boost_age_ms, OHX_AGE_NEVER);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_NONE);
    CHECK_EQ(s.engine_age_ms, OHX_AGE_NEVER);
    CHECK_EQ(s.coolant_age_ms, OHX_AGE_NEVER);
}

/* [char] Gen5 feedback is 0x118 on the Haldex bus: engagement byte 2 over
 * 0..250, state byte 3 (S3 parseCAN_hdx); 0x2C0 is not Gen5's. */
TEST(gen5_feedback_is_0x118)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_5);
    uint8_t fb[8] = {0, 0, 125, 0x21, 0, 0, 0, 0}, pq[8] = {0x09, 0xFF, 0, 0, 0, 0, 0, 0};
    ohx_frame_t f = frame(OHX_ID_HALDEX, 8, pq), o;
    ohx_snapshot_t s;
    ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 0);
    ohx_bridge_snapshot(b, 0, &s);
    CHECK_EQ(s.haldex_age_ms, OHX_AGE_NEVER);
    f = frame(OHX_ID_HALDEX_GEN5, 8, fb);
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 10), OHX_FRAME_PASS);
    CHECK_BYTES(o.data, fb, 8, "feedback forwarded untouched");
    ohx_bridge_snapshot(b, 15, &s);
    CHECK_EQ(s.haldex_engagement_raw, 125);
    CHECK_EQ(s.haldex_engagement_pct, 50);
    CHECK_EQ(s.haldex_state, 0x21);
    CHECK_EQ(s.haldex_age_ms, 5);
    fb[2] = 251;
    f = frame(OHX_ID_HALDEX_GEN5, 3, fb); /* too short for byte 3: ignored */
    ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 20);
    ohx_bridge_snapshot(b, 20, &s);
    CHECK_EQ(s.haldex_engagement_raw, 125);
}

/* ---------------------------------------------------------------- rewrites */

typedef struct {
    uint8_t gen, mode, pct;
    uint32_t id;
    uint8_t in[8];
    uint8_t out[8];
} golden_t;

static const golden_t k_golden[] = {
#include "golden_vectors.inc"
};

/* [char] every golden frame per generation, mode and lock % reproduces. */
TEST(rewrites_reproduce_the_golden_frames)
{
    size_t i;
    for (i = 0; i < sizeof(k_golden) / sizeof(k_golden[0]); i++) {
        const golden_t *g = &k_golden[i];
        storage_t m;
        ohx_bridge_t *b = make(&m, g->gen);
        ohx_frame_t f = frame(g->id, 8, g->in), o;
        char what[96];
        CHECK_EQ(ohx_bridge_set_target(b, g->mode, g->pct, 100), OHX_OK);
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 100), OHX_FRAME_REWRITTEN);
        CHECK_EQ(o.id, g->id);
        CHECK_EQ(o.dlc, 8);
        CHECK_EQ(o.flags, 0);
        snprintf(what, sizeof(what), "gen%u mode %u %u%% id 0x%03X (golden row %u)", g->gen, g->mode, g->pct,
                 (unsigned)g->id, (unsigned)i);
        CHECK_BYTES(o.data, g->out, 8, what);
    }
}

/* [char] Gen4 mLW_1 is replaced row by row from the 16-row table; row 0 follows row 15. */
TEST(gen4_mlw1_cycles_through_16_rows)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    unsigned i;
    ohx_bridge_set_target(b, OHX_MODE_CUSTOM, 37, 0);
    for (i = 0; i < 34; i++) {
        ohx_frame_t f = frame(OHX_ID_MLW1, 8, IN8), o;
        uint8_t row = (uint8_t)(i % 16);
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_REWRITTEN);
        CHECK_EQ(o.data[0], 0x22);
        CHECK_EQ(o.data[4], 0x80);
        CHECK_EQ(o.data[5], row << 4);
        CHECK_EQ(o.data[7], (0xDD - 0x10 * row) & 0xFF);
    }
    {
        /* two rows pinned in full */
        static const uint8_t r7[8] = {0x22, 0x00, 0x00, 0x00, 0x80, 0x70, 0x5B, 0x6D};
        ohx_frame_t f, o;
        ohx_bridge_set_generation(b, OHX_GEN_4); /* restarts the row counter */
        for (i = 0; i < 8; i++) {
            f = frame(OHX_ID_MLW1, 8, IN8);
            ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
        }
        CHECK_BYTES(o.data, r7, 8, "mLW_1 row 7");
    }
}

/* [char] Gen4 BRAKES4: counter +16 per frame in b6 (wrapping 0xF0 -> 0x00), XOR of b0..b6 in b7. */
TEST(gen4_brakes4_counter_and_checksum)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    unsigned i, k;
    ohx_bridge_set_target(b, OHX_MODE_6040, 40, 0);
    for (i = 0; i < 20; i++) {
        ohx_frame_t f = frame(OHX_ID_BRAKES4, 8, IN8), o;
        uint8_t x = 0;
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_REWRITTEN);
        CHECK_EQ(o.data[0], 0x65);
        CHECK_EQ(o.data[3], 0x64);
        CHECK_EQ(o.data[6], (16 * i) & 0xFF);
        for (k = 0; k < 7; k++)
            x ^= o.data[k];
        CHECK_EQ(o.data[7], x);
    }
}

/* [spec] rolling counters advance only on rewritten frames. */
TEST(counters_do_not_advance_in_pass_through)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_frame_t f = frame(OHX_ID_BRAKES4, 8, IN8), o;
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0); /* STOCK */
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    f = frame(OHX_ID_BRAKES4, 3, IN8);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0); /* short */
    f = frame(OHX_ID_BRAKES4, 8, IN8);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
    CHECK_EQ(o.data[6], 0x00);
}

/* [spec] frames from the Haldex bus go back to the chassis untouched in every mode. */
TEST(haldex_to_chassis_is_never_rewritten)
{
    static const uint32_t ids[] = {0x0C2, 0x1A0, 0x280, 0x2A0, 0x2C0, 0x380, 0x4A0, 0x5A0};
    uint8_t gens[] = {1, 2, 4};
    unsigned g, i, mode;
    for (g = 0; g < 3; g++)
        for (mode = 1; mode < OHX_MODE_COUNT; mode++)
            for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
                storage_t m;
                ohx_bridge_t *b = make(&m, gens[g]);
                ohx_frame_t f = frame(ids[i], 8, IN8), o;
                ohx_bridge_set_target(b, (uint8_t)mode, 70, 0);
                CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 0), OHX_FRAME_PASS);
                CHECK(memcmp(&o, &f, sizeof(f)) == 0);
            }
}

/* [spec] extended-ID and remote frames are not rewritten even with a PQ id. */
TEST(extended_and_remote_frames_pass_untouched)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_frame_t f = frame(OHX_ID_MOTOR1, 8, IN8), o;
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    f.flags = OHX_FRAME_FLAG_EXT;
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
    CHECK(memcmp(&o, &f, sizeof(f)) == 0);
    f.flags = OHX_FRAME_FLAG_RTR;
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
    CHECK(memcmp(&o, &f, sizeof(f)) == 0);
}

/* [spec] a frame shorter than its rewrite needs is forwarded untouched and
 * counted; at the minimum DLC it is rewritten. Minimum = highest byte written + 1. */
TEST(short_frames_are_forwarded_untouched)
{
    static const struct {
        uint8_t gen;
        uint32_t id;
        uint8_t min_dlc;
    } rules[] = {
        {1, 0x280, 8}, {1, 0x380, 8}, {1, 0x1A0, 4}, {1, 0x4A0, 8}, {2, 0x280, 7},
        {2, 0x380, 8}, {2, 0x1A0, 4}, {2, 0x5A0, 6}, {2, 0x4A0, 8}, {4, 0x0C2, 8},
        {4, 0x280, 8}, {4, 0x1A0, 6}, {4, 0x5A0, 5}, {4, 0x4A0, 8}, {4, 0x2A0, 8},
    };
    unsigned i, dlc;
    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        for (dlc = 0; dlc <= rules[i].min_dlc; dlc++) {
            storage_t m;
            ohx_bridge_t *b = make(&m, rules[i].gen);
            ohx_frame_t f = frame(rules[i].id, (uint8_t)dlc, IN8), o;
            ohx_counters_t c;
            int want = dlc < rules[i].min_dlc ? OHX_FRAME_PASS : OHX_FRAME_REWRITTEN;
            int got;
            ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
            got = ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
            if (got != want)
                FAILF("gen%u id 0x%03X dlc %u: verdict %d, want %d", rules[i].gen, (unsigned)rules[i].id, dlc, got,
                      want);
            ohx_bridge_get_counters(b, &c);
            if (want == OHX_FRAME_PASS) {
                CHECK(memcmp(&o, &f, sizeof(f)) == 0);
                CHECK_EQ(c.short_frames, 1);
                CHECK_EQ(c.rewritten, 0);
            } else {
                CHECK_EQ(c.short_frames, 0);
                CHECK_EQ(o.dlc, dlc);
            }
        }
    }
}

/* [spec] ids a generation does not rewrite pass untouched in every mode. */
TEST(other_ids_pass_untouched)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_1);
    ohx_frame_t f = frame(OHX_ID_MLW1, 8, IN8), o; /* mLW_1 is Gen4 only */
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
    CHECK(memcmp(&o, &f, sizeof(f)) == 0);
    f = frame(OHX_ID_BRAKES4, 8, IN8);
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
    ohx_bridge_set_generation(b, OHX_GEN_4);
    f = frame(OHX_ID_MOTOR3, 8, IN8); /* Gen4 leaves MOTOR3 alone */
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0), OHX_FRAME_PASS);
}

/* [spec] in and out may be the same frame. */
TEST(in_place_bridging_works)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_frame_t f = frame(OHX_ID_BRAKES2, 8, IN8);
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &f, 0), OHX_FRAME_REWRITTEN);
    CHECK_EQ(f.data[4], 0x7F);
    CHECK_EQ(f.data[3], 0x44);
}

/* ---------------------------------------------------------------- watchdog */

static int verdict_at(ohx_bridge_t *b, uint32_t now)
{
    ohx_frame_t f = frame(OHX_ID_BRAKES2, 8, IN8), o;
    return ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, now);
}

/* [spec] target valid at 499 and 500 ms, fallback at 501 ms, counted once, resumes on refresh. */
TEST(watchdog_boundaries_499_500_501)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_counters_t c;
    uint32_t t0 = 10000;
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, t0);
    CHECK_EQ(verdict_at(b, t0 + 499), OHX_FRAME_REWRITTEN);
    CHECK_EQ(ohx_bridge_state(b, t0 + 499), OHX_STATE_ACTIVE);
    CHECK_EQ(verdict_at(b, t0 + 500), OHX_FRAME_REWRITTEN);
    CHECK_EQ(verdict_at(b, t0 + 501), OHX_FRAME_PASS);
    CHECK_EQ(ohx_bridge_state(b, t0 + 501), OHX_STATE_FALLBACK);
    CHECK_EQ(verdict_at(b, t0 + 5000), OHX_FRAME_PASS);
    ohx_bridge_get_counters(b, &c);
    CHECK_EQ(c.watchdog_fallbacks, 1);
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, t0 + 6000);
    CHECK_EQ(verdict_at(b, t0 + 6000), OHX_FRAME_REWRITTEN);
    CHECK_EQ(verdict_at(b, t0 + 6501), OHX_FRAME_PASS);
    ohx_bridge_get_counters(b, &c);
    CHECK_EQ(c.watchdog_fallbacks, 2);
}

/* [spec] the period is configurable; STOCK never counts a fallback. */
TEST(watchdog_period_is_configurable)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_counters_t c;
    CHECK_EQ(ohx_bridge_set_watchdog_ms(b, 100), OHX_OK);
    ohx_bridge_set_target(b, OHX_MODE_6040, 40, 0);
    CHECK_EQ(verdict_at(b, 100), OHX_FRAME_REWRITTEN);
    CHECK_EQ(verdict_at(b, 101), OHX_FRAME_PASS);
    ohx_bridge_set_target(b, OHX_MODE_STOCK, 0, 200);
    CHECK_EQ(verdict_at(b, 100000), OHX_FRAME_PASS);
    CHECK_EQ(ohx_bridge_state(b, 100000), OHX_STATE_STOCK);
    ohx_bridge_get_counters(b, &c);
    CHECK_EQ(c.watchdog_fallbacks, 1);
}

/* [spec] a frame timestamp slightly before the refresh counts as age 0; the
 * 32-bit millisecond clock may wrap. */
TEST(watchdog_handles_early_timestamps_and_wrap)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 1000);
    CHECK_EQ(verdict_at(b, 990), OHX_FRAME_REWRITTEN);
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0xFFFFFF00u);
    CHECK_EQ(verdict_at(b, 0x000000F4u), OHX_FRAME_REWRITTEN); /* 500 ms after, across the wrap */
    CHECK_EQ(verdict_at(b, 0x000000F5u), OHX_FRAME_PASS);
}

/* [spec] hold_passthrough() forces pass-through until released. */
TEST(hold_passthrough_overrides_the_mode)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    CHECK_EQ(ohx_bridge_hold_passthrough(b, true), OHX_OK);
    CHECK_EQ(verdict_at(b, 1), OHX_FRAME_PASS);
    CHECK_EQ(ohx_bridge_state(b, 1), OHX_STATE_HELD);
    ohx_bridge_hold_passthrough(b, false);
    CHECK_EQ(verdict_at(b, 2), OHX_FRAME_REWRITTEN);
}

/* ---------------------------------------------------------------- counters */

/* [spec] counters: frames per source bus, rewritten, errors, port events. */
TEST(counters_count_what_happened)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_counters_t c;
    ohx_frame_t f = frame(OHX_ID_BRAKES2, 8, IN8), o;
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
    ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 0);
    CHECK_EQ(ohx_bridge_on_frame(b, 2, &f, &o, 0), OHX_ERR_INVALID_BUS);
    f.dlc = 16;
    CHECK_EQ(ohx_bridge_on_frame(b, 0, &f, &o, 0), OHX_ERR_INVALID_FRAME);
    f = frame(0x800, 8, IN8);
    CHECK_EQ(ohx_bridge_on_frame(b, 0, &f, &o, 0), OHX_ERR_INVALID_FRAME);
    f.flags = OHX_FRAME_FLAG_EXT;
    f.id = 0x20000000u;
    CHECK_EQ(ohx_bridge_on_frame(b, 0, &f, &o, 0), OHX_ERR_INVALID_FRAME);
    f.id = 0x1FFFFFFFu;
    CHECK_EQ(ohx_bridge_on_frame(b, 0, &f, &o, 0), OHX_FRAME_PASS);
    f.flags = 0x04;
    f.id = 1;
    CHECK_EQ(ohx_bridge_on_frame(b, 0, &f, &o, 0), OHX_ERR_INVALID_FRAME);
    CHECK_EQ(ohx_bridge_on_frame(b, 0, NULL, &o, 0), OHX_ERR_INVALID_ARG);
    CHECK_EQ(ohx_bridge_note_event(b, 0, OHX_EVENT_TX_DROPPED), OHX_OK);
    CHECK_EQ(ohx_bridge_note_event(b, 1, OHX_EVENT_TX_DROPPED), OHX_OK);
    CHECK_EQ(ohx_bridge_note_event(b, 1, OHX_EVENT_BUS_OFF), OHX_OK);
    CHECK_EQ(ohx_bridge_note_event(b, 1, OHX_EVENT_BUS_OFF_RECOVERED), OHX_OK);
    CHECK_EQ(ohx_bridge_note_event(b, 0, OHX_EVENT_DEAD_BUS), OHX_OK);
    CHECK_EQ(ohx_bridge_note_event(b, 0, 99), OHX_ERR_INVALID_EVENT);
    CHECK_EQ(ohx_bridge_note_event(b, 2, OHX_EVENT_BUS_OFF), OHX_ERR_INVALID_BUS);
    ohx_bridge_get_counters(b, &c);
    CHECK_EQ(c.frames[0], 3);
    CHECK_EQ(c.frames[1], 1);
    CHECK_EQ(c.rewritten, 2);
    CHECK_EQ(c.errors, 5);
    CHECK_EQ(c.dropped[0], 1);
    CHECK_EQ(c.dropped[1], 1);
    CHECK_EQ(c.bus_off[1], 1);
    CHECK_EQ(c.bus_off_recoveries[1], 1);
    CHECK_EQ(c.bus_off_recoveries[0], 0);
    CHECK_EQ(c.dead_bus[0], 1);
    CHECK_EQ(ohx_bridge_reset_counters(b), OHX_OK);
    ohx_bridge_get_counters(b, &c);
    CHECK_EQ(c.frames[0] + c.rewritten + c.errors + c.dropped[1], 0);
}

/* ---------------------------------------------------------------- decoding */

/* [char] speed from BRAKES1 (15 bits from bit 17, 0.01 km/h); MOTOR2 b3 x1.28 when BRAKES1 is > 500 ms old. */
TEST(speed_prefers_brakes1_and_falls_back_to_motor2)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_snapshot_t s;
    uint8_t br1[8] = {0, 0, 0x10, 0x27, 0, 0, 0, 0}; /* 0x2710 >> 1 = 5000 -> 50.00 km/h */
    uint8_t mo2[8] = {0, 0, 0, 40, 0, 0, 0, 0};      /* 40 x 1.28 = 51.20 km/h */
    ohx_frame_t f, o;
    ohx_bridge_snapshot(b, 0, &s);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_NONE);
    CHECK_EQ(s.speed_age_ms, OHX_AGE_NEVER);
    CHECK_EQ(s.engine_age_ms, OHX_AGE_NEVER);
    CHECK_EQ(s.haldex_age_ms, OHX_AGE_NEVER);
    f = frame(OHX_ID_BRAKES1, 8, br1);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 1000);
    f = frame(OHX_ID_MOTOR2, 8, mo2);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 1200);
    ohx_bridge_snapshot(b, 1500, &s);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_BRAKES1);
    CHECK_EQ(s.speed_centi_kmh, 5000);
    CHECK_EQ(s.speed_age_ms, 500);
    ohx_bridge_snapshot(b, 1501, &s);
    CHECK_EQ(s.speed_source, OHX_SPEED_SOURCE_MOTOR2);
    CHECK_EQ(s.speed_centi_kmh, 5120);
    CHECK_EQ(s.speed_age_ms, 301);
    br1[2] = 0xFF;
    br1[3] = 0xFF; /* max 0x7FFF */
    f = frame(OHX_ID_BRAKES1, 4, br1);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 1600);
    ohx_bridge_snapshot(b, 1600, &s);
    CHECK_EQ(s.speed_centi_kmh, 0x7FFF);
    f = frame(OHX_ID_BRAKES1, 3, br1); /* too short to carry the speed: ignored */
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 1700);
    ohx_bridge_snapshot(b, 1700, &s);
    CHECK_EQ(s.speed_age_ms, 100);
}

/* [char] MOTOR2 byte 1 is the coolant (x 0.75 - 48 degC, S3's PQ DBC): kept raw, with MOTOR2's own age;
 * a frame too short for the speed carries no coolant either. */
TEST(motor2_gives_coolant_raw_with_its_age)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_snapshot_t s;
    uint8_t mo2[8] = {0, 181, 0, 40, 0, 0, 0, 0}; /* 181 x 0.75 - 48 = 87.75 degC */
    ohx_frame_t f, o;
    ohx_bridge_snapshot(b, 0, &s);
    CHECK_EQ(s.coolant_age_ms, OHX_AGE_NEVER);
    CHECK_EQ(s.coolant_raw, 0);
    f = frame(OHX_ID_MOTOR2, 8, mo2);
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 1000);
    ohx_bridge_snapshot(b, 1040, &s);
    CHECK_EQ(s.coolant_raw, 181);
    CHECK_EQ(s.coolant_age_ms, 40);
    mo2[1] = 200;
    f = frame(OHX_ID_MOTOR2, 3, mo2); /* too short: ignored */
    ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 1100);
    ohx_bridge_snapshot(b, 1100, &s);
    CHECK_EQ(s.coolant_raw, 181);
    CHECK_EQ(s.coolant_age_ms, 100);
    CHECK(memcmp(o.data, mo2, 3) == 0); /* forwarded untouched all the same */
}

/* [char] MOTOR1: rpm = bytes 2..3 LE x 0.25, pedal = byte 5 x 0.4 %. Decoded in every mode. */
TEST(motor1_gives_rpm_and_pedal)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_4);
    ohx_snapshot_t s;
    uint8_t d[8] = {0, 0, 0x40, 0x1F, 0, 250, 0, 0}; /* 0x1F40 = 8000 -> 2000 rpm; 250 -> 100 % */
    ohx_frame_t f = frame(OHX_ID_MOTOR1, 8, d), o;
    ohx_bridge_set_target(b, OHX_MODE_5050, 100, 0);
    CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 10), OHX_FRAME_REWRITTEN);
    ohx_bridge_snapshot(b, 30, &s);
    CHECK_EQ(s.rpm_x4, 8000);
    CHECK_EQ(s.pedal_permille, 1000);
    CHECK_EQ(s.engine_age_ms, 20);
}

/* [char] Haldex 0x2C0 engagement per generation and state bits. */
TEST(haldex_feedback_is_decoded_per_generation)
{
    static const struct {
        uint8_t gen, b1, b4, dlc;
        uint16_t raw;
        uint8_t pct;
    } v[] = {
        {1, 128, 0, 2, 128, 0}, {1, 163, 0, 2, 163, 50},  {1, 198, 0, 2, 198, 100},   {1, 250, 0, 2, 250, 100},
        {1, 100, 0, 2, 100, 0}, {2, 100, 28, 5, 128, 0},  {2, 128, 127, 5, 255, 100}, {2, 150, 41, 5, 191, 49},
        {4, 128, 0, 2, 128, 0}, {4, 255, 0, 2, 255, 100}, {4, 200, 0, 2, 200, 56},
    };
    unsigned i;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        storage_t m;
        ohx_bridge_t *b = make(&m, v[i].gen);
        uint8_t d[8] = {0x4B, 0, 0, 0, 0, 0, 0, 0};
        ohx_frame_t f, o;
        ohx_snapshot_t s;
        d[1] = v[i].b1;
        d[4] = v[i].b4;
        f = frame(OHX_ID_HALDEX, v[i].dlc, d);
        CHECK_EQ(ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 50), OHX_FRAME_PASS);
        ohx_bridge_snapshot(b, 60, &s);
        if (s.haldex_engagement_raw != v[i].raw || s.haldex_engagement_pct != v[i].pct)
            FAILF("gen%u b1=%u b4=%u: raw %u pct %u, want raw %u pct %u", v[i].gen, v[i].b1, v[i].b4,
                  s.haldex_engagement_raw, s.haldex_engagement_pct, v[i].raw, v[i].pct);
        CHECK_EQ(s.haldex_state, 0x4B);
        CHECK_EQ(s.haldex_age_ms, 10);
    }
    {
        /* too short for Gen2 (needs byte 4): ignored; 0x2C0 on the chassis bus: not feedback */
        storage_t m;
        ohx_bridge_t *b = make(&m, OHX_GEN_2);
        uint8_t d[8] = {1, 200, 0, 0, 50, 0, 0, 0};
        ohx_frame_t f = frame(OHX_ID_HALDEX, 4, d), o;
        ohx_snapshot_t s;
        ohx_bridge_on_frame(b, OHX_BUS_HALDEX, &f, &o, 0);
        f.dlc = 8;
        ohx_bridge_on_frame(b, OHX_BUS_CHASSIS, &f, &o, 0);
        ohx_bridge_snapshot(b, 0, &s);
        CHECK_EQ(s.haldex_age_ms, OHX_AGE_NEVER);
    }
}

/* [spec] the snapshot reports the bridge state and target. */
TEST(snapshot_reports_state_and_target)
{
    storage_t m;
    ohx_bridge_t *b = make(&m, OHX_GEN_2);
    ohx_snapshot_t s;
    ohx_bridge_set_target(b, OHX_MODE_7525, 30, 100);
    ohx_bridge_snapshot(b, 350, &s);
    CHECK_EQ(s.state, OHX_STATE_ACTIVE);
    CHECK_EQ(s.mode, OHX_MODE_7525);
    CHECK_EQ(s.target_pct, 30);
    CHECK_EQ(s.target_age_ms, 250);
    CHECK_EQ(s.generation, 2);
    CHECK_EQ(s.watchdog_ms, 500);
    ohx_bridge_snapshot(b, 601, &s);
    CHECK_EQ(s.state, OHX_STATE_FALLBACK);
}

/* ---------------------------------------------------------------- pure functions */

static uint8_t c6_float_scale(uint8_t v, uint8_t p, int inv)
{
    float cf;
    uint8_t r;
    if (p >= 100)
        return inv ? (uint8_t)(0xFE - v) : v;
    if (p == 0)
        return inv ? 0xFE : 0x00;
    cf = ((float)p / 2) + 20;
    r = (uint8_t)(v * (cf / 100));
    return inv ? (uint8_t)(0xFE - r) : r;
}

/* [char] ohx_lock_scale agrees with the C6 float rule for every byte value a rewrite uses. */
TEST(lock_scale_matches_the_c6_rule_for_used_constants)
{
    static const uint8_t used[] = {0x00, 0x01, 0x0A, 0x16, 0x20, 0x22, 0x41, 0x4E,
                                   0x50, 0x7F, 0x80, 0xB6, 0xCC, 0xD2, 0xFE};
    unsigned i, p, inv;
    for (i = 0; i < sizeof(used); i++)
        for (p = 0; p <= 100; p++)
            for (inv = 0; inv < 2; inv++) {
                uint8_t got = ohx_lock_scale(used[i], (uint8_t)p, inv != 0);
                uint8_t want = c6_float_scale(used[i], (uint8_t)p, (int)inv);
                if (got != want)
                    FAILF("full 0x%02X %u%% inv %u: 0x%02X, C6 gives 0x%02X", used[i], p, inv, got, want);
            }
}

/* [spec] scaling anchors: exact integer rule, percent above 100 clamps, S3 difference pinned. */
TEST(lock_scale_anchors)
{
    CHECK_EQ(ohx_lock_scale(0xFE, 100, false), 0xFE);
    CHECK_EQ(ohx_lock_scale(0xFE, 100, true), 0x00);
    CHECK_EQ(ohx_lock_scale(0xFE, 0, false), 0x00);
    CHECK_EQ(ohx_lock_scale(0xFE, 0, true), 0xFE);
    CHECK_EQ(ohx_lock_scale(0xFE, 1, false), 52);   /* 254 x 41 / 200 = 52.07 */
    CHECK_EQ(ohx_lock_scale(0xFE, 99, false), 176); /* 254 x 139 / 200 = 176.53 */
    CHECK_EQ(ohx_lock_scale(0xFE, 255, false), 0xFE);
    CHECK_EQ(ohx_lock_scale(200, 66, false), 106);  /* C6 float gives 105 here; 200 is not a used constant */
    CHECK_EQ(ohx_lock_scale(0xFE, 45, false), 107); /* S3 truncates cf 42.5 -> 42 and gives 106 */
}

/* [char] engagement mapping clamps and interpolates like the originals' map(). */
TEST(engagement_mapping_boundaries)
{
    CHECK_EQ(ohx_engagement_pct(127, 128, 255), 0);
    CHECK_EQ(ohx_engagement_pct(128, 128, 255), 0);
    CHECK_EQ(ohx_engagement_pct(129, 128, 255), 0);
    CHECK_EQ(ohx_engagement_pct(254, 128, 255), 99);
    CHECK_EQ(ohx_engagement_pct(255, 128, 255), 100);
    CHECK_EQ(ohx_engagement_pct(510, 128, 255), 100);
    CHECK_EQ(ohx_engagement_pct(5, 10, 10), 0);
    CHECK_EQ(ohx_engagement_pct(5, 10, 9), 0);
}

/* [spec] wire format: 16 bytes, round trip, rejects malformed buffers. */
TEST(wire_format_round_trips_and_rejects_garbage)
{
    ohx_frame_t f = frame(0x2C0, 5, IN8), g;
    uint8_t buf[16], bus = 9;
    static const uint8_t want[16] = {0x01, 0x00, 0x05, 0x01, 0xC0, 0x02, 0x00, 0x00,
                                     0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x00};
    CHECK_EQ(ohx_wire_encode(&f, OHX_BUS_HALDEX, buf, sizeof(buf)), OHX_OK);
    CHECK_BYTES(buf, want, 16, "encoded 0x2C0 dlc 5 on Haldex bus");
    CHECK_EQ(ohx_wire_decode(buf, 16, &g, &bus), OHX_OK);
    CHECK_EQ(bus, OHX_BUS_HALDEX);
    CHECK_EQ(g.id, 0x2C0);
    CHECK_EQ(g.dlc, 5);
    CHECK_BYTES(g.data, IN8, 5, "decoded data");
    CHECK_EQ(g.data[5], 0);
    CHECK_EQ(ohx_wire_decode(buf, 15, &g, &bus), OHX_ERR_INVALID_WIRE);
    buf[0] = 2;
    CHECK_EQ(ohx_wire_decode(buf, 16, &g, &bus), OHX_ERR_INVALID_WIRE);
    buf[0] = 1;
    buf[3] = 2;
    CHECK_EQ(ohx_wire_decode(buf, 16, &g, &bus), OHX_ERR_INVALID_WIRE);
    buf[3] = 0;
    buf[5] = 0x08; /* id 0x8C0 > 0x7FF */
    CHECK_EQ(ohx_wire_decode(buf, 16, &g, &bus), OHX_ERR_INVALID_WIRE);
    buf[1] = OHX_FRAME_FLAG_EXT;
    CHECK_EQ(ohx_wire_decode(buf, 16, &g, NULL), OHX_OK);
    CHECK_EQ(g.id, 0x8C0);
    buf[2] = 16;
    CHECK_EQ(ohx_wire_decode(buf, 16, &g, NULL), OHX_ERR_INVALID_WIRE);
    CHECK_EQ(ohx_wire_encode(&f, 2, buf, 16), OHX_ERR_INVALID_BUS);
    CHECK_EQ(ohx_wire_encode(&f, 0, buf, 15), OHX_ERR_INVALID_ARG);
    f.dlc = 16;
    CHECK_EQ(ohx_wire_encode(&f, 0, buf, 16), OHX_ERR_INVALID_FRAME);
}

/* [spec] the self-test passes and leaves no trace. */
TEST(self_test_passes)
{
    CHECK_EQ(ohx_bridge_self_test(), OHX_OK);
    CHECK_EQ(ohx_bridge_self_test(), OHX_OK);
}

/* [spec] every return code has a name. */
TEST(strerror_names_every_code)
{
    int c;
    CHECK(strcmp(ohx_strerror(OHX_OK), "OHX_OK") == 0);
    for (c = OHX_ERR_BASE - 1; c >= OHX_ERR_LAST; c--)
        CHECK(strcmp(ohx_strerror(c), "OHX_ERR_UNKNOWN") != 0);
    CHECK(strcmp(ohx_strerror(OHX_ERR_LAST - 1), "OHX_ERR_UNKNOWN") == 0);
    CHECK(strcmp(ohx_strerror(12345), "OHX_ERR_UNKNOWN") == 0);
}

int main(void)
{
    RUN(init_verifies_arguments);
    RUN(calls_on_a_foreign_handle_return_invalid_state);
    RUN(set_target_verifies_mode_and_percent);
    RUN(stock_forwards_every_frame_byte_for_byte);
    RUN(rewrites_reproduce_the_golden_frames);
    RUN(crc8h2f_matches_the_catalogue);
    RUN(e2e_crc_reproduces_a_real_mqb_trace);
    RUN(gen5_refuses_to_rewrite_a_frame_whose_crc_it_cannot_reproduce);
    RUN(gen5_short_frames_pass);
    RUN(gen5_esp19_rolls_s3s_two_values);
    RUN(gen5_keeps_the_cars_alive_counter);
    RUN(gen5_decodes_the_mqb_inputs);
    RUN(gen5_feedback_is_0x118);
    RUN(gen4_mlw1_cycles_through_16_rows);
    RUN(gen4_brakes4_counter_and_checksum);
    RUN(counters_do_not_advance_in_pass_through);
    RUN(haldex_to_chassis_is_never_rewritten);
    RUN(extended_and_remote_frames_pass_untouched);
    RUN(short_frames_are_forwarded_untouched);
    RUN(other_ids_pass_untouched);
    RUN(in_place_bridging_works);
    RUN(watchdog_boundaries_499_500_501);
    RUN(watchdog_period_is_configurable);
    RUN(watchdog_handles_early_timestamps_and_wrap);
    RUN(hold_passthrough_overrides_the_mode);
    RUN(counters_count_what_happened);
    RUN(speed_prefers_brakes1_and_falls_back_to_motor2);
    RUN(motor2_gives_coolant_raw_with_its_age);
    RUN(motor1_gives_rpm_and_pedal);
    RUN(haldex_feedback_is_decoded_per_generation);
    RUN(snapshot_reports_state_and_target);
    RUN(lock_scale_matches_the_c6_rule_for_used_constants);
    RUN(lock_scale_anchors);
    RUN(engagement_mapping_boundaries);
    RUN(wire_format_round_trips_and_rejects_garbage);
    RUN(self_test_passes);
    RUN(strerror_names_every_code);
    return ohx_test_summary();
}
