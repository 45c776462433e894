/*
 * OpenHaldex XS - CAN bridge core. Behaviour is specified in ohx_bridge.h.
 * Pure C99: no OS, no heap, no platform headers.
 *
 * Placement (ohx_hot.h): functions the frame path reaches are OHX_HOT and
 * their tables OHX_RODATA, so the board's port can keep them out of flash.
 */
#include "ohx_bridge.h"

#include <string.h>

#include "ohx_hot.h"

#define OHX_MAGIC 0x4F485842u /* "OHXB" */

/* --- compile-time layout checks -------------------------------------- */
#define OHX_STATIC_ASSERT(cond, name) typedef char ohx_static_assert_##name[(cond) ? 1 : -1]
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#undef OHX_STATIC_ASSERT
#define OHX_STATIC_ASSERT(cond, name) _Static_assert(cond, #name)
#endif

OHX_STATIC_ASSERT(offsetof(ohx_frame_t, id) == 0, frame_id_at_0);
OHX_STATIC_ASSERT(offsetof(ohx_frame_t, dlc) == 4, frame_dlc_at_4);
OHX_STATIC_ASSERT(offsetof(ohx_frame_t, flags) == 5, frame_flags_at_5);
OHX_STATIC_ASSERT(offsetof(ohx_frame_t, data) == 8, frame_data_at_8);
OHX_STATIC_ASSERT(sizeof(ohx_frame_t) == 16, frame_size_16);

/* --- the bridge -------------------------------------------------------- */

struct ohx_bridge;
/* Rewrite a chassis frame in place for the Haldex.
 * Returns 1 rewritten, 0 not a frame this generation rewrites,
 * -1 a rewrite candidate whose DLC is too small (left untouched). */
typedef int (*ohx_rewrite_fn)(struct ohx_bridge *b, ohx_frame_t *f);
/* Decode a Haldex feedback frame (std id OHX_ID_HALDEX). */
typedef void (*ohx_feedback_fn)(struct ohx_bridge *b, const ohx_frame_t *f, uint32_t now_ms);

typedef struct {
    uint8_t generation;
    ohx_rewrite_fn rewrite;
    ohx_feedback_fn feedback;
} ohx_gen_ops_t;

#define SEEN_BRAKES1 0x01u
#define SEEN_MOTOR2  0x02u
#define SEEN_MOTOR1  0x04u
#define SEEN_HALDEX  0x08u
#define SEEN_TARGET  0x10u

struct ohx_bridge {
    uint32_t magic;
    const ohx_gen_ops_t *gen;
    uint32_t watchdog_ms;
    uint32_t target_ms;
    uint8_t mode;
    uint8_t percent;
    uint8_t held;
    uint8_t expired; /* current expiry already counted */
    uint8_t seen;
    uint8_t mlw_row;         /* Gen4 mLW_1 table row 0..15 */
    uint8_t brakes4_counter; /* Gen4 BRAKES4 byte 6, +16 per frame */
    uint8_t haldex_state;
    uint8_t engagement_pct;
    uint8_t motor2_b3;
    uint8_t motor2_b1; /* coolant */
    uint16_t engagement_raw;
    uint16_t brakes1_speed; /* 0.01 km/h */
    uint16_t rpm_x4;
    uint16_t pedal_permille;
    uint32_t brakes1_ms, motor2_ms, motor1_ms, haldex_ms;
    ohx_counters_t counters;
};

OHX_STATIC_ASSERT(sizeof(struct ohx_bridge) <= OHX_BRIDGE_STORAGE_SIZE, storage_size_fits);

/* --- pure helpers ------------------------------------------------------ */

OHX_HOT uint8_t ohx_lock_scale(uint8_t full, uint8_t percent, bool invert)
{
    uint8_t v;
    if (percent >= 100u) {
        v = full;
    } else if (percent == 0u) {
        return invert ? 0xFEu : 0x00u;
    } else {
        v = (uint8_t)(((uint32_t)full * (uint32_t)(percent + 40u)) / 200u);
    }
    return invert ? (uint8_t)(0xFEu - v) : v;
}

OHX_HOT uint8_t ohx_engagement_pct(uint16_t raw, uint16_t lo, uint16_t hi)
{
    if (hi <= lo)
        return 0;
    if (raw <= lo)
        return 0;
    if (raw >= hi)
        return 100;
    return (uint8_t)(((uint32_t)(raw - lo) * 100u) / (uint32_t)(hi - lo));
}

static OHX_HOT uint32_t age_of(uint32_t now, uint32_t then)
{
    uint32_t d = now - then;
    return (d & 0x80000000u) ? 0u : d; /* slightly-earlier timestamps -> 0 */
}

#define SCALE(full) ohx_lock_scale((full), b->percent, false)

/* --- Gen1 (characterization of the originals' byte tables) ------------ */

static OHX_HOT int rewrite_gen1(struct ohx_bridge *b, ohx_frame_t *f)
{
    uint8_t *d = f->data;
    switch (f->id) {
    case OHX_ID_MOTOR1: {
        uint8_t b6;
        if (f->dlc < 8)
            return -1;
        switch (b->mode) {
        case OHX_MODE_FWD:
            b6 = ohx_lock_scale(0xFE, b->percent, true);
            break;
        case OHX_MODE_5050:
            b6 = SCALE(0x16);
            break;
        case OHX_MODE_6040:
            b6 = SCALE(0x22);
            break;
        case OHX_MODE_7525:
            b6 = SCALE(0x50);
            break;
        default:
            b6 = d[6];
            break; /* CUSTOM: the originals keep byte 6 */
        }
        d[0] = 0x00;
        d[1] = SCALE(0xFE);
        d[2] = 0x21;
        d[3] = SCALE(0x4E);
        d[4] = SCALE(0xFE);
        d[5] = SCALE(0xFE);
        d[6] = b6;
        d[7] = 0x00;
        return 1;
    }
    case OHX_ID_MOTOR3:
        if (f->dlc < 8)
            return -1;
        d[2] = SCALE(0xFE);
        d[7] = SCALE(0xFE);
        return 1;
    case OHX_ID_BRAKES1:
        if (f->dlc < 4)
            return -1;
        d[1] = SCALE(0x00);
        d[2] = 0x00;
        d[3] = SCALE(0x0A);
        return 1;
    case OHX_ID_BRAKES3:
        if (f->dlc < 8)
            return -1;
        d[0] = SCALE(0xFE);
        d[1] = 0x0A;
        d[2] = SCALE(0xFE);
        d[3] = 0x0A;
        d[4] = 0x00;
        d[5] = 0x0A;
        d[6] = 0x00;
        d[7] = 0x0A;
        return 1;
    default:
        return 0;
    }
}

/* --- Gen2 ---------------------------------------------------------------- */

static OHX_HOT int rewrite_gen2(struct ohx_bridge *b, ohx_frame_t *f)
{
    uint8_t *d = f->data;
    switch (f->id) {
    case OHX_ID_MOTOR1:
        if (f->dlc < 7)
            return -1;
        d[1] = SCALE(0xFE);
        d[2] = 0x21;
        d[3] = SCALE(0x4E);
        d[6] = SCALE(0xFE);
        return 1;
    case OHX_ID_MOTOR3:
        if (f->dlc < 8)
            return -1;
        d[2] = SCALE(0xFE);
        d[7] = SCALE(0x01);
        return 1;
    case OHX_ID_BRAKES1:
        if (f->dlc < 4)
            return -1;
        d[0] = SCALE(0x80);
        d[1] = SCALE(0x41);
        d[2] = SCALE(0xFE);
        d[3] = 0x0A;
        return 1;
    case OHX_ID_BRAKES2:
        if (f->dlc < 6)
            return -1;
        d[4] = SCALE(0x7F);
        d[5] = SCALE(0xFE);
        return 1;
    case OHX_ID_BRAKES3:
        if (f->dlc < 8)
            return -1;
        d[0] = SCALE(0xFE);
        d[1] = 0x0A;
        d[2] = SCALE(0xFE);
        d[3] = 0x0A;
        d[4] = 0x00;
        d[5] = 0x0A;
        d[6] = 0x00;
        d[7] = 0x0A;
        return 1;
    default:
        return 0;
    }
}

/* --- Gen4 ---------------------------------------------------------------- */

/* mLW_1 (steering) replacement rows: a straight-ahead frame whose byte 5
 * carries the rolling counter in the high nibble and bytes 6..7 the check
 * values that go with it. Row i is sent on the i-th rewritten mLW_1. */
static const uint8_t OHX_RODATA k_mlw1_rows[16][8] = {
    {0x22, 0x00, 0x00, 0x00, 0x80, 0x00, 0xA0, 0xDD}, {0x22, 0x00, 0x00, 0x00, 0x80, 0x10, 0x85, 0xCD},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0x20, 0xEA, 0xBD}, {0x22, 0x00, 0x00, 0x00, 0x80, 0x30, 0xCF, 0xAD},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0x40, 0x34, 0x9D}, {0x22, 0x00, 0x00, 0x00, 0x80, 0x50, 0x11, 0x8D},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0x60, 0x7E, 0x7D}, {0x22, 0x00, 0x00, 0x00, 0x80, 0x70, 0x5B, 0x6D},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0x80, 0xA7, 0x5D}, {0x22, 0x00, 0x00, 0x00, 0x80, 0x90, 0x82, 0x4D},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0xA0, 0xED, 0x3D}, {0x22, 0x00, 0x00, 0x00, 0x80, 0xB0, 0xC8, 0x2D},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0xC0, 0x33, 0x1D}, {0x22, 0x00, 0x00, 0x00, 0x80, 0xD0, 0x16, 0x0D},
    {0x22, 0x00, 0x00, 0x00, 0x80, 0xE0, 0x79, 0xFD}, {0x22, 0x00, 0x00, 0x00, 0x80, 0xF0, 0x5C, 0xED}};

static OHX_HOT int rewrite_gen4(struct ohx_bridge *b, ohx_frame_t *f)
{
    uint8_t *d = f->data;
    switch (f->id) {
    case OHX_ID_MLW1:
        if (f->dlc < 8)
            return -1;
        memcpy(d, k_mlw1_rows[b->mlw_row], 8);
        b->mlw_row = (uint8_t)((b->mlw_row + 1u) & 0x0Fu);
        return 1;
    case OHX_ID_MOTOR1:
        if (f->dlc < 8)
            return -1;
        d[1] = SCALE(0xFE);
        d[2] = SCALE(0x20);
        d[3] = SCALE(0x4E);
        d[4] = SCALE(0xFE);
        d[5] = SCALE(0xFE);
        d[6] = SCALE(0x16);
        d[7] = SCALE(0xFE);
        return 1;
    case OHX_ID_BRAKES1:
        if (f->dlc < 6)
            return -1;
        d[0] = 0x20;
        d[1] = 0x40;
        d[4] = SCALE(0xFE);
        d[5] = SCALE(0xFE);
        return 1;
    case OHX_ID_BRAKES2:
        if (f->dlc < 5)
            return -1;
        d[4] = SCALE(0x7F);
        return 1;
    case OHX_ID_BRAKES3:
        if (f->dlc < 8)
            return -1;
        d[0] = SCALE(0xB6);
        d[1] = 0x07;
        d[2] = SCALE(0xCC);
        d[3] = 0x07;
        d[4] = SCALE(0xD2);
        d[5] = 0x07;
        d[6] = SCALE(0xD2);
        d[7] = 0x07;
        return 1;
    case OHX_ID_BRAKES4: {
        if (f->dlc < 8)
            return -1;
        d[0] = SCALE(0xFE);
        d[1] = 0x00;
        d[2] = 0x00;
        d[3] = 0x64;
        d[4] = 0x00;
        d[5] = 0x00;
        d[6] = b->brakes4_counter;
        d[7] = (uint8_t)(d[0] ^ d[3] ^ d[6]); /* XOR of b0..b6; b1,b2,b4,b5 are 0 */
        b->brakes4_counter = (uint8_t)(b->brakes4_counter + 16u);
        return 1;
    }
    default:
        return 0;
    }
}

/* --- Haldex feedback ------------------------------------------------------ */

static OHX_HOT void feedback_store(struct ohx_bridge *b, const ohx_frame_t *f, uint32_t now_ms, uint16_t raw,
                                   uint16_t lo, uint16_t hi)
{
    b->haldex_ms = now_ms;
    b->engagement_raw = raw;
    b->engagement_pct = ohx_engagement_pct(raw, lo, hi);
    b->haldex_state = f->data[0];
    b->seen |= SEEN_HALDEX;
}

static OHX_HOT void feedback_gen1(struct ohx_bridge *b, const ohx_frame_t *f, uint32_t now_ms)
{
    if (f->dlc >= 2)
        feedback_store(b, f, now_ms, f->data[1], 128, 198);
}

static OHX_HOT void feedback_gen2(struct ohx_bridge *b, const ohx_frame_t *f, uint32_t now_ms)
{
    if (f->dlc >= 5)
        feedback_store(b, f, now_ms, (uint16_t)(f->data[1] + f->data[4]), 128, 255);
}

static OHX_HOT void feedback_gen4(struct ohx_bridge *b, const ohx_frame_t *f, uint32_t now_ms)
{
    if (f->dlc >= 2)
        feedback_store(b, f, now_ms, f->data[1], 128, 255);
}

/* One row per supported generation. Gen5 (MQB) adds a row here with its
 * own rewrite (AUTOSAR E2E CRC + counters) and feedback functions. */
static const ohx_gen_ops_t OHX_RODATA k_generations[] = {
    {OHX_GEN_1, rewrite_gen1, feedback_gen1},
    {OHX_GEN_2, rewrite_gen2, feedback_gen2},
    {OHX_GEN_4, rewrite_gen4, feedback_gen4},
};

static const ohx_gen_ops_t *find_generation(uint8_t generation)
{
    size_t i;
    for (i = 0; i < sizeof(k_generations) / sizeof(k_generations[0]); i++) {
        if (k_generations[i].generation == generation)
            return &k_generations[i];
    }
    return NULL;
}

/* --- lifetime ------------------------------------------------------------ */

void ohx_bridge_config_default(ohx_bridge_config_t *cfg)
{
    if (!cfg)
        return;
    cfg->generation = OHX_GEN_4;
    cfg->watchdog_ms = OHX_WATCHDOG_DEFAULT_MS;
}

static bool watchdog_ok(uint32_t ms)
{
    return ms >= OHX_WATCHDOG_MIN_MS && ms <= OHX_WATCHDOG_MAX_MS;
}

int ohx_bridge_init(void *mem, size_t len, const ohx_bridge_config_t *cfg, ohx_bridge_t **out)
{
    ohx_bridge_config_t def;
    const ohx_gen_ops_t *gen;
    uint32_t wd;
    struct ohx_bridge *b;

    if (!mem || !out)
        return OHX_ERR_INVALID_ARG;
    if (len < OHX_BRIDGE_STORAGE_SIZE || ((uintptr_t)mem % OHX_BRIDGE_STORAGE_ALIGN) != 0)
        return OHX_ERR_NO_MEM;
    if (!cfg) {
        ohx_bridge_config_default(&def);
        cfg = &def;
    }
    gen = find_generation(cfg->generation);
    if (!gen)
        return OHX_ERR_UNSUPPORTED_GENERATION;
    wd = cfg->watchdog_ms ? cfg->watchdog_ms : OHX_WATCHDOG_DEFAULT_MS;
    if (!watchdog_ok(wd))
        return OHX_ERR_INVALID_WATCHDOG;

    b = (struct ohx_bridge *)mem;
    memset(b, 0, sizeof(*b));
    b->gen = gen;
    b->watchdog_ms = wd;
    b->mode = OHX_MODE_STOCK;
    b->magic = OHX_MAGIC;
    *out = b;
    return OHX_OK;
}

#define CHECK_HANDLE(b)                                                                                                \
    do {                                                                                                               \
        if (!(b))                                                                                                      \
            return OHX_ERR_INVALID_ARG;                                                                                \
        if ((b)->magic != OHX_MAGIC)                                                                                   \
            return OHX_ERR_INVALID_STATE;                                                                              \
    } while (0)

int ohx_bridge_set_generation(ohx_bridge_t *b, uint8_t generation)
{
    const ohx_gen_ops_t *gen;
    CHECK_HANDLE(b);
    gen = find_generation(generation);
    if (!gen)
        return OHX_ERR_UNSUPPORTED_GENERATION;
    b->gen = gen;
    b->mlw_row = 0;
    b->brakes4_counter = 0;
    return OHX_OK;
}

int ohx_bridge_set_watchdog_ms(ohx_bridge_t *b, uint32_t ms)
{
    CHECK_HANDLE(b);
    if (!watchdog_ok(ms))
        return OHX_ERR_INVALID_WATCHDOG;
    b->watchdog_ms = ms;
    return OHX_OK;
}

int ohx_bridge_set_target(ohx_bridge_t *b, uint8_t mode, uint8_t percent, uint32_t now_ms)
{
    CHECK_HANDLE(b);
    if (mode >= OHX_MODE_COUNT)
        return OHX_ERR_INVALID_MODE;
    if (percent > 100u)
        return OHX_ERR_INVALID_PERCENT;
    b->mode = mode;
    b->percent = percent;
    b->target_ms = now_ms;
    b->expired = 0;
    b->seen |= SEEN_TARGET;
    return OHX_OK;
}

int ohx_bridge_hold_passthrough(ohx_bridge_t *b, bool hold)
{
    CHECK_HANDLE(b);
    b->held = hold ? 1u : 0u;
    return OHX_OK;
}

/* Watchdog evaluation shared by on_frame, state and snapshot. */
static OHX_HOT ohx_state_t eval_state(struct ohx_bridge *b, uint32_t now_ms)
{
    if (b->held)
        return OHX_STATE_HELD;
    if (b->mode == OHX_MODE_STOCK)
        return OHX_STATE_STOCK;
    if (age_of(now_ms, b->target_ms) > b->watchdog_ms) {
        if (!b->expired) {
            b->expired = 1;
            b->counters.watchdog_fallbacks++;
        }
        return OHX_STATE_FALLBACK;
    }
    return OHX_STATE_ACTIVE;
}

ohx_state_t ohx_bridge_state(ohx_bridge_t *b, uint32_t now_ms)
{
    if (!b || b->magic != OHX_MAGIC)
        return OHX_STATE_STOCK;
    return eval_state(b, now_ms);
}

/* --- the hot path ---------------------------------------------------------- */

static OHX_HOT void decode_chassis(struct ohx_bridge *b, const ohx_frame_t *f, uint32_t now_ms)
{
    const uint8_t *d = f->data;
    switch (f->id) {
    case OHX_ID_BRAKES1:
        if (f->dlc >= 4) {
            /* 15 bits from bit 17: bytes 2..3 little-endian, shifted right 1 */
            b->brakes1_speed = (uint16_t)((((uint16_t)d[3] << 8) | d[2]) >> 1);
            b->brakes1_ms = now_ms;
            b->seen |= SEEN_BRAKES1;
        }
        break;
    case OHX_ID_MOTOR2:
        if (f->dlc >= 4) {
            b->motor2_b3 = d[3];
            b->motor2_b1 = d[1];
            b->motor2_ms = now_ms;
            b->seen |= SEEN_MOTOR2;
        }
        break;
    case OHX_ID_MOTOR1:
        if (f->dlc >= 6) {
            b->rpm_x4 = (uint16_t)(((uint16_t)d[3] << 8) | d[2]);
            b->pedal_permille = (uint16_t)(d[5] * 4u);
            b->motor1_ms = now_ms;
            b->seen |= SEEN_MOTOR1;
        }
        break;
    default:
        break;
    }
}

OHX_HOT int ohx_bridge_on_frame(ohx_bridge_t *b, uint8_t bus, const ohx_frame_t *in, ohx_frame_t *out, uint32_t now_ms)
{
    int r;
    if (!b || !in || !out)
        return OHX_ERR_INVALID_ARG;
    if (b->magic != OHX_MAGIC)
        return OHX_ERR_INVALID_STATE;
    if (bus >= OHX_BUS_COUNT) {
        b->counters.errors++;
        return OHX_ERR_INVALID_BUS;
    }
    if (in->dlc > 15u || (in->flags & ~OHX_FRAME_FLAGS_KNOWN) != 0 ||
        in->id > ((in->flags & OHX_FRAME_FLAG_EXT) ? 0x1FFFFFFFu : 0x7FFu)) {
        b->counters.errors++;
        return OHX_ERR_INVALID_FRAME;
    }
    if (out != in)
        *out = *in;
    b->counters.frames[bus]++;

    if (in->flags)
        return OHX_FRAME_PASS; /* extended or remote: never ours */

    if (bus == OHX_BUS_HALDEX) {
        if (in->id == OHX_ID_HALDEX)
            b->gen->feedback(b, in, now_ms);
        return OHX_FRAME_PASS;
    }

    decode_chassis(b, in, now_ms);
    if (eval_state(b, now_ms) != OHX_STATE_ACTIVE)
        return OHX_FRAME_PASS;

    r = b->gen->rewrite(b, out);
    if (r > 0) {
        b->counters.rewritten++;
        return OHX_FRAME_REWRITTEN;
    }
    if (r < 0) {
        b->counters.short_frames++;
        if (out != in)
            *out = *in; /* rewrites never touch a short frame, but be explicit */
    }
    return OHX_FRAME_PASS;
}

OHX_HOT int ohx_bridge_note_event(ohx_bridge_t *b, uint8_t bus, uint8_t event)
{
    CHECK_HANDLE(b);
    if (bus >= OHX_BUS_COUNT)
        return OHX_ERR_INVALID_BUS;
    switch (event) {
    case OHX_EVENT_TX_DROPPED:
        b->counters.dropped[bus]++;
        break;
    case OHX_EVENT_BUS_OFF_RECOVERED:
        b->counters.bus_off_recoveries[bus]++;
        break;
    case OHX_EVENT_BUS_OFF:
        b->counters.bus_off[bus]++;
        break;
    case OHX_EVENT_DEAD_BUS:
        b->counters.dead_bus[bus]++;
        break;
    default:
        return OHX_ERR_INVALID_EVENT;
    }
    return OHX_OK;
}

int ohx_bridge_get_counters(const ohx_bridge_t *b, ohx_counters_t *out)
{
    CHECK_HANDLE(b);
    if (!out)
        return OHX_ERR_INVALID_ARG;
    *out = b->counters;
    return OHX_OK;
}

int ohx_bridge_reset_counters(ohx_bridge_t *b)
{
    CHECK_HANDLE(b);
    memset(&b->counters, 0, sizeof(b->counters));
    return OHX_OK;
}

int ohx_bridge_snapshot(ohx_bridge_t *b, uint32_t now_ms, ohx_snapshot_t *out)
{
    uint32_t brakes1_age;
    CHECK_HANDLE(b);
    if (!out)
        return OHX_ERR_INVALID_ARG;
    memset(out, 0, sizeof(*out));

    brakes1_age = (b->seen & SEEN_BRAKES1) ? age_of(now_ms, b->brakes1_ms) : OHX_AGE_NEVER;
    if ((b->seen & SEEN_BRAKES1) && brakes1_age <= OHX_SPEED_STALE_MS) {
        out->speed_source = OHX_SPEED_SOURCE_BRAKES1;
        out->speed_centi_kmh = b->brakes1_speed;
        out->speed_age_ms = brakes1_age;
    } else if (b->seen & SEEN_MOTOR2) {
        out->speed_source = OHX_SPEED_SOURCE_MOTOR2;
        out->speed_centi_kmh = (uint32_t)b->motor2_b3 * 128u; /* x 1.28 km/h */
        out->speed_age_ms = age_of(now_ms, b->motor2_ms);
    } else if (b->seen & SEEN_BRAKES1) {
        out->speed_source = OHX_SPEED_SOURCE_BRAKES1; /* stale, but the only one */
        out->speed_centi_kmh = b->brakes1_speed;
        out->speed_age_ms = brakes1_age;
    } else {
        out->speed_source = OHX_SPEED_SOURCE_NONE;
        out->speed_age_ms = OHX_AGE_NEVER;
    }

    out->rpm_x4 = b->rpm_x4;
    out->pedal_permille = b->pedal_permille;
    out->motor1_age_ms = (b->seen & SEEN_MOTOR1) ? age_of(now_ms, b->motor1_ms) : OHX_AGE_NEVER;
    out->coolant_raw = b->motor2_b1;
    out->motor2_age_ms = (b->seen & SEEN_MOTOR2) ? age_of(now_ms, b->motor2_ms) : OHX_AGE_NEVER;

    out->haldex_engagement_pct = b->engagement_pct;
    out->haldex_engagement_raw = b->engagement_raw;
    out->haldex_state = b->haldex_state;
    out->haldex_age_ms = (b->seen & SEEN_HALDEX) ? age_of(now_ms, b->haldex_ms) : OHX_AGE_NEVER;

    out->state = (uint8_t)eval_state(b, now_ms);
    out->mode = b->mode;
    out->target_pct = b->percent;
    out->generation = b->gen->generation;
    out->target_age_ms = (b->seen & SEEN_TARGET) ? age_of(now_ms, b->target_ms) : OHX_AGE_NEVER;
    out->watchdog_ms = b->watchdog_ms;
    return OHX_OK;
}

const char *ohx_strerror(int code)
{
    switch (code) {
    case OHX_OK:
        return "OHX_OK";
    case OHX_ERR_INVALID_ARG:
        return "OHX_ERR_INVALID_ARG";
    case OHX_ERR_NO_MEM:
        return "OHX_ERR_NO_MEM";
    case OHX_ERR_INVALID_STATE:
        return "OHX_ERR_INVALID_STATE";
    case OHX_ERR_UNSUPPORTED_GENERATION:
        return "OHX_ERR_UNSUPPORTED_GENERATION";
    case OHX_ERR_INVALID_MODE:
        return "OHX_ERR_INVALID_MODE";
    case OHX_ERR_INVALID_PERCENT:
        return "OHX_ERR_INVALID_PERCENT";
    case OHX_ERR_INVALID_BUS:
        return "OHX_ERR_INVALID_BUS";
    case OHX_ERR_INVALID_FRAME:
        return "OHX_ERR_INVALID_FRAME";
    case OHX_ERR_INVALID_WATCHDOG:
        return "OHX_ERR_INVALID_WATCHDOG";
    case OHX_ERR_INVALID_EVENT:
        return "OHX_ERR_INVALID_EVENT";
    case OHX_ERR_SELF_TEST:
        return "OHX_ERR_SELF_TEST";
    case OHX_ERR_INVALID_WIRE:
        return "OHX_ERR_INVALID_WIRE";
    default:
        return "OHX_ERR_UNKNOWN";
    }
}

/* --- wire format ------------------------------------------------------------ */

int ohx_wire_encode(const ohx_frame_t *f, uint8_t bus, uint8_t *buf, size_t len)
{
    unsigned n, i;
    if (!f || !buf || len < OHX_WIRE_SIZE)
        return OHX_ERR_INVALID_ARG;
    if (bus >= OHX_BUS_COUNT)
        return OHX_ERR_INVALID_BUS;
    if (f->dlc > 15u || (f->flags & ~OHX_FRAME_FLAGS_KNOWN) != 0 ||
        f->id > ((f->flags & OHX_FRAME_FLAG_EXT) ? 0x1FFFFFFFu : 0x7FFu))
        return OHX_ERR_INVALID_FRAME;
    buf[0] = OHX_WIRE_VERSION;
    buf[1] = f->flags;
    buf[2] = f->dlc;
    buf[3] = bus;
    buf[4] = (uint8_t)f->id;
    buf[5] = (uint8_t)(f->id >> 8);
    buf[6] = (uint8_t)(f->id >> 16);
    buf[7] = (uint8_t)(f->id >> 24);
    n = f->dlc > 8u ? 8u : f->dlc;
    for (i = 0; i < 8u; i++)
        buf[8 + i] = i < n ? f->data[i] : 0u;
    return OHX_OK;
}

int ohx_wire_decode(const uint8_t *buf, size_t len, ohx_frame_t *f, uint8_t *bus)
{
    uint32_t id;
    unsigned n, i;
    if (!buf || !f)
        return OHX_ERR_INVALID_ARG;
    if (len != OHX_WIRE_SIZE || buf[0] != OHX_WIRE_VERSION || (buf[1] & ~OHX_FRAME_FLAGS_KNOWN) != 0 || buf[2] > 15u ||
        buf[3] >= OHX_BUS_COUNT)
        return OHX_ERR_INVALID_WIRE;
    id = (uint32_t)buf[4] | ((uint32_t)buf[5] << 8) | ((uint32_t)buf[6] << 16) | ((uint32_t)buf[7] << 24);
    if (id > ((buf[1] & OHX_FRAME_FLAG_EXT) ? 0x1FFFFFFFu : 0x7FFu))
        return OHX_ERR_INVALID_WIRE;
    memset(f, 0, sizeof(*f));
    f->id = id;
    f->flags = buf[1];
    f->dlc = buf[2];
    n = f->dlc > 8u ? 8u : f->dlc;
    for (i = 0; i < n; i++)
        f->data[i] = buf[8 + i];
    if (bus)
        *bus = buf[3];
    return OHX_OK;
}
