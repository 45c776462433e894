/*
 * OpenHaldex XS - CAN bridge core (pure C99).
 *
 * This header is the specification of the bridge that sits inline between
 * the chassis CAN bus and the Haldex coupling's controller:
 *
 *     chassis bus --rx--> ohx_bridge_on_frame(CHASSIS) --(rewrite?)--> Haldex bus
 *     Haldex bus  --rx--> ohx_bridge_on_frame(HALDEX)  --(untouched)--> chassis bus
 *
 * The core owns no hardware, no clock, no heap and no OS. A port (ESP-IDF
 * TWAI ISR, UDP simulator, Node test binding) feeds it frames with the time
 * in milliseconds and transmits whatever it is told to forward.
 *
 * Fail-safe rules (they hold for every build and every input):
 *  - A bridge starts in OHX_MODE_STOCK: every frame is forwarded byte for byte.
 *  - In any other mode the lock target must be refreshed with
 *    ohx_bridge_set_target() at least every watchdog period (default
 *    OHX_WATCHDOG_DEFAULT_MS). When it is not, the bridge behaves as STOCK by
 *    itself, counts one watchdog fallback, and resumes on the next refresh.
 *  - A frame whose DLC is below what its rewrite needs, a remote frame, an
 *    extended-ID frame, and every frame from the Haldex bus are forwarded
 *    untouched.
 *  - Gen5 (MQB) frames protected by AUTOSAR E2E (a CRC in byte 0, an alive
 *    counter in byte 1's low nibble) are rewritten only when the car's own
 *    CRC verifies with the bridge's DataID for that frame; the car's counter
 *    is kept and the CRC recomputed over the new bytes. A frame whose CRC
 *    does not verify (a DataID this car does not use) is forwarded untouched
 *    and counted in e2e_mismatch: the bridge never sends a CRC it could not
 *    first reproduce from the car.
 *  - ohx_bridge_on_frame() never blocks, never allocates, and runs in bounded
 *    time (a table lookup, at most 8 byte writes and, on Gen5, two 8-byte
 *    table-driven CRCs).
 *
 * Concurrency: a bridge is not internally locked. All calls on one bridge
 * must be serialised by the port (the ESP32 port uses a critical section
 * around every call; the UDP port a mutex). All functions are reentrant
 * across different bridges; none uses global mutable state.
 *
 * Time: now_ms is a free-running 32-bit millisecond counter supplied by the
 * caller. Ages are computed with unsigned subtraction, so wrap-around after
 * ~49.7 days is harmless as long as consecutive calls are less than 2^31 ms
 * apart.
 */
#ifndef OHX_BRIDGE_H
#define OHX_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Return codes                                                             */
/* ------------------------------------------------------------------------ */

/** Success. */
#define OHX_OK 0
/** Base of the error range; every error code is OHX_ERR_BASE - n (n >= 1). */
#define OHX_ERR_BASE (-0x100)
/** A required pointer argument was NULL. */
#define OHX_ERR_INVALID_ARG (OHX_ERR_BASE - 1)
/** ohx_bridge_init(): the storage is smaller than OHX_BRIDGE_STORAGE_SIZE
 *  or not aligned to OHX_BRIDGE_STORAGE_ALIGN. */
#define OHX_ERR_NO_MEM (OHX_ERR_BASE - 2)
/** The handle does not point at an initialised bridge (wrong pointer,
 *  storage overwritten, or never initialised). */
#define OHX_ERR_INVALID_STATE (OHX_ERR_BASE - 3)
/** The Haldex generation is not one of OHX_GEN_1, OHX_GEN_2, OHX_GEN_4, OHX_GEN_5. */
#define OHX_ERR_UNSUPPORTED_GENERATION (OHX_ERR_BASE - 4)
/** The mode is not one of the ohx_mode_t values. */
#define OHX_ERR_INVALID_MODE (OHX_ERR_BASE - 5)
/** The lock percentage is above 100. */
#define OHX_ERR_INVALID_PERCENT (OHX_ERR_BASE - 6)
/** The bus is not OHX_BUS_CHASSIS or OHX_BUS_HALDEX. */
#define OHX_ERR_INVALID_BUS (OHX_ERR_BASE - 7)
/** The frame cannot exist on a classic CAN bus: DLC above 15, a standard
 *  ID above 0x7FF, an extended ID above 0x1FFFFFFF, or unknown flag bits.
 *  Nothing is forwarded; the frame is counted in errors. */
#define OHX_ERR_INVALID_FRAME (OHX_ERR_BASE - 8)
/** The watchdog period is outside OHX_WATCHDOG_MIN_MS..OHX_WATCHDOG_MAX_MS. */
#define OHX_ERR_INVALID_WATCHDOG (OHX_ERR_BASE - 9)
/** The event passed to ohx_bridge_note_event() is unknown. */
#define OHX_ERR_INVALID_EVENT (OHX_ERR_BASE - 10)
/** ohx_bridge_self_test(): a golden vector did not reproduce. */
#define OHX_ERR_SELF_TEST (OHX_ERR_BASE - 11)
/** ohx_wire_decode(): the buffer is not a valid OHX wire frame (length,
 *  version, bus, flags or DLC). */
#define OHX_ERR_INVALID_WIRE (OHX_ERR_BASE - 12)
/** Last code of the range (for range checks in bindings). */
#define OHX_ERR_LAST OHX_ERR_INVALID_WIRE

/** Verdicts of ohx_bridge_on_frame() (non-negative, never errors). */
/** Forward *out to the peer bus; it is identical to *in. */
#define OHX_FRAME_PASS 0
/** Forward *out to the peer bus; the bridge rewrote it. */
#define OHX_FRAME_REWRITTEN 1

/* ------------------------------------------------------------------------ */
/* Named values                                                             */
/* ------------------------------------------------------------------------ */

/** Watchdog period used when the configuration says 0. */
#define OHX_WATCHDOG_DEFAULT_MS 500u
#define OHX_WATCHDOG_MIN_MS     20u
#define OHX_WATCHDOG_MAX_MS     60000u

/** Age of a value that has never been received (snapshot fields *_age_ms). */
#define OHX_AGE_NEVER UINT32_MAX

/** BRAKES1 speed is preferred while it is at most this old; after that the
 *  coarse MOTOR2 speed is used. */
#define OHX_SPEED_STALE_MS 500u

/** CAN identifiers used by the PQ (Gen1/2/4) rewrites and decoders. */
#define OHX_ID_MLW1    0x0C2u /* steering angle (mLW_1) */
#define OHX_ID_BRAKES1 0x1A0u
#define OHX_ID_MOTOR1  0x280u
#define OHX_ID_MOTOR2  0x288u
#define OHX_ID_BRAKES4 0x2A0u
#define OHX_ID_HALDEX  0x2C0u /* Haldex feedback, on the Haldex bus */
#define OHX_ID_MOTOR3  0x380u
#define OHX_ID_BRAKES3 0x4A0u
#define OHX_ID_BRAKES2 0x5A0u

/** CAN identifiers the MQB (Gen5) decoders read (the rewritten ones are in
 *  ohx_bridge.c's rule table, with their sources). */
#define OHX_ID_ESP_19      0x0B2u /* four wheel speeds, 0.0075 km/h */
#define OHX_ID_ESP_21      0x0FDu /* vehicle speed, bytes 4..5 x 0.01 km/h (E2E) */
#define OHX_ID_MOTOR_04    0x107u /* MO_Ladedruck: boost, 9 bits from bit 39, 0.01 bar absolute */
#define OHX_ID_MOTOR_12    0x0A8u /* MO_Drehzahl_01: rpm, bytes 6..7 x 0.25 (E2E) */
#define OHX_ID_MOTOR_20    0x121u /* pedal, 8 bits from bit 12 x 0.4 % (E2E) */
#define OHX_ID_MOTOR_07    0x640u /* MO_Kuehlmittel_Temp: byte 3 x 0.75 - 48 degC */
#define OHX_ID_HALDEX_GEN5 0x118u /* Haldex 5 feedback, on the Haldex bus */

/** Haldex state byte (0x2C0 byte 0) bits, as kept in ohx_snapshot_t. */
#define OHX_HALDEX_STATE_CLUTCH1         0x01u
#define OHX_HALDEX_STATE_TEMP_PROTECTION 0x02u
#define OHX_HALDEX_STATE_CLUTCH2         0x04u
#define OHX_HALDEX_STATE_COUPLING_OPEN   0x08u
#define OHX_HALDEX_STATE_SPEED_LIMIT     0x40u

/** Which physical bus a frame came from. The destination is the other one. */
typedef enum { OHX_BUS_CHASSIS = 0, OHX_BUS_HALDEX = 1 } ohx_bus_t;
#define OHX_BUS_COUNT 2

/** Driver-selected mode. Only OHX_MODE_GEN1 rewrites depend on the preset
 *  (MOTOR1 byte 6); every other rewrite only uses the lock percentage. */
typedef enum {
    OHX_MODE_STOCK = 0, /* pure pass-through, byte for byte */
    OHX_MODE_FWD = 1,   /* lock 0 % (Gen1 byte 6 inverted -> 0xFE) */
    OHX_MODE_5050 = 2,
    OHX_MODE_6040 = 3,
    OHX_MODE_7525 = 4,
    OHX_MODE_CUSTOM = 5 /* percentage from curves/map computed in JS */
} ohx_mode_t;
#define OHX_MODE_COUNT 6

/** Haldex generations. Values are the generation numbers themselves. */
typedef enum {
    OHX_GEN_1 = 1,
    OHX_GEN_2 = 2,
    OHX_GEN_4 = 4,
    OHX_GEN_5 = 5 /* MQB (0CQ coupling), AUTOSAR E2E-protected frames */
} ohx_generation_t;

/** What the bridge is doing right now (see ohx_bridge_state()). */
typedef enum {
    OHX_STATE_STOCK = 0,    /* mode STOCK (or held): pass-through */
    OHX_STATE_ACTIVE = 1,   /* rewriting with a fresh lock target */
    OHX_STATE_FALLBACK = 2, /* target too old: pass-through (watchdog) */
    OHX_STATE_HELD = 3      /* ohx_bridge_hold_passthrough(true): pass-through */
} ohx_state_t;

/** Events a port reports into the counters (ohx_bridge_note_event()). */
typedef enum {
    OHX_EVENT_TX_DROPPED = 0,        /* a forwarded frame could not be queued */
    OHX_EVENT_BUS_OFF_RECOVERED = 1, /* controller went bus-off and recovered */
    OHX_EVENT_BUS_OFF = 2,           /* controller entered bus-off */
    OHX_EVENT_DEAD_BUS = 3           /* no frame received for the dead-bus time */
} ohx_event_t;

/* ------------------------------------------------------------------------ */
/* Frame                                                                    */
/* ------------------------------------------------------------------------ */

#define OHX_FRAME_FLAG_EXT    0x01u /* 29-bit identifier */
#define OHX_FRAME_FLAG_RTR    0x02u /* remote frame */
#define OHX_FRAME_FLAGS_KNOWN (OHX_FRAME_FLAG_EXT | OHX_FRAME_FLAG_RTR)

/**
 * One classic CAN frame. Layout is fixed (checked at compile time):
 * id @0 (4), dlc @4, flags @5, reserved @6..7 (zero), data @8..15.
 * dlc is the raw 4-bit code 0..15; 9..15 carry 8 data bytes.
 * Bytes of data beyond min(dlc, 8) are unspecified on input and copied
 * as-is on output.
 */
typedef struct {
    uint32_t id;
    uint8_t dlc;
    uint8_t flags;
    uint8_t reserved[2];
    uint8_t data[8];
} ohx_frame_t;

/* ------------------------------------------------------------------------ */
/* Configuration, counters, snapshot                                        */
/* ------------------------------------------------------------------------ */

typedef struct {
    uint8_t generation;   /* ohx_generation_t; default OHX_GEN_4 */
    uint32_t watchdog_ms; /* 0 = OHX_WATCHDOG_DEFAULT_MS */
} ohx_bridge_config_t;

typedef struct {
    uint32_t frames[OHX_BUS_COUNT];  /* frames received, indexed by source bus */
    uint32_t rewritten;              /* chassis frames forwarded rewritten */
    uint32_t short_frames;           /* rewrite candidates forwarded untouched: DLC too small */
    uint32_t dropped[OHX_BUS_COUNT]; /* TX drops reported by the port, indexed by destination bus */
    uint32_t errors;                 /* on_frame calls rejected (OHX_ERR_INVALID_FRAME/_BUS) */
    uint32_t bus_off[OHX_BUS_COUNT]; /* bus-off entries reported by the port */
    uint32_t bus_off_recoveries[OHX_BUS_COUNT];
    uint32_t dead_bus[OHX_BUS_COUNT]; /* dead-bus detections reported by the port */
    uint32_t watchdog_fallbacks;      /* ACTIVE -> FALLBACK transitions */
    uint32_t e2e_mismatch;            /* Gen5 rewrite candidates forwarded untouched: the car's CRC
                                         did not verify with the bridge's DataID */
} ohx_counters_t;

typedef enum {
    OHX_SPEED_SOURCE_NONE = 0,
    OHX_SPEED_SOURCE_BRAKES1 = 1, /* PQ, preferred */
    OHX_SPEED_SOURCE_MOTOR2 = 2,  /* PQ, fallback */
    OHX_SPEED_SOURCE_ESP_19 = 3,  /* MQB, preferred: the four wheel speeds' mean */
    OHX_SPEED_SOURCE_ESP_21 = 4   /* MQB, fallback: ESP_v_Signal */
} ohx_speed_source_t;

/** Latest decoded values. All integers; the binding scales them. */
typedef struct {
    /* Vehicle speed in 0.01 km/h from the generation's preferred frame while
     * it is at most OHX_SPEED_STALE_MS old, else from its fallback frame.
     * PQ: BRAKES1 (15 bits from bit 17), else MOTOR2 byte 3 x 1.28 km/h.
     * MQB: ESP_19's four wheel speeds' mean, else ESP_21 bytes 4..5. */
    uint32_t speed_centi_kmh;
    uint8_t speed_source;  /* ohx_speed_source_t */
    uint32_t speed_age_ms; /* age of the frame the speed came from */
    /* Engine rpm x4 (0.25 rpm/bit) and pedal in 0.1 %. PQ: MOTOR1 bytes 2..3
     * LE and byte 5 x 0.4 %, one frame (engine_age_ms is MOTOR1's age).
     * MQB: MOTOR_12 bytes 6..7 and MOTOR_20's 8 bits from bit 12 x 0.4 %,
     * two frames (engine_age_ms is the older one's age). */
    uint16_t rpm_x4;
    uint16_t pedal_permille;
    uint32_t engine_age_ms;
    /* Coolant temperature, x 0.75 - 48 degC, raw as received. PQ: MOTOR2
     * byte 1 (S3's PQ chassis DBC, MO2_Coolant_Temperature); MQB: MOTOR_07
     * byte 3 (S3's MQB DBC, MO_Kuehlmittel_Temp). No car trace here. */
    uint8_t coolant_raw;
    uint32_t coolant_age_ms;
    /* MQB MOTOR_04 MO_Ladedruck: boost pressure, absolute, 0.01 bar per bit
     * (9 bits). PQ cars carry none: boost_age_ms stays OHX_AGE_NEVER. */
    uint16_t boost_raw;
    uint32_t boost_age_ms;
    /* Haldex feedback (PQ 0x2C0, MQB 0x118): engagement 0..100 % mapped per
     * generation, the raw value it was mapped from (Gen2: byte1 + byte4),
     * and the state byte (PQ byte 0, MQB byte 3). */
    uint8_t haldex_engagement_pct;
    uint16_t haldex_engagement_raw;
    uint8_t haldex_state;
    uint32_t haldex_age_ms;
    /* Bridge state at now_ms. */
    uint8_t state;      /* ohx_state_t */
    uint8_t mode;       /* ohx_mode_t last set */
    uint8_t target_pct; /* last set */
    uint8_t generation;
    uint32_t target_age_ms; /* OHX_AGE_NEVER until the first set_target */
    uint32_t watchdog_ms;
} ohx_snapshot_t;

/* ------------------------------------------------------------------------ */
/* Bridge lifetime                                                          */
/* ------------------------------------------------------------------------ */

typedef struct ohx_bridge ohx_bridge_t;

/** Bytes of storage a bridge needs; checked against sizeof at compile time. */
#define OHX_BRIDGE_STORAGE_SIZE 160u
/** Required alignment of that storage. */
#define OHX_BRIDGE_STORAGE_ALIGN 8u

/** Fill *cfg with the defaults (Gen4, 500 ms watchdog). */
void ohx_bridge_config_default(ohx_bridge_config_t *cfg);

/**
 * Create a bridge inside caller-supplied storage (static or stack; no
 * malloc). The bridge starts in OHX_MODE_STOCK, lock 0 %, counters zero,
 * nothing decoded yet. Reinitialising the same storage is allowed and
 * resets everything.
 *
 * @param mem  storage, at least OHX_BRIDGE_STORAGE_SIZE bytes, aligned to
 *             OHX_BRIDGE_STORAGE_ALIGN; it must outlive the bridge.
 * @param len  size of mem in bytes.
 * @param cfg  configuration, or NULL for the defaults.
 * @param out  receives the handle (== mem on success, untouched on error).
 * @return OHX_OK; OHX_ERR_INVALID_ARG (mem or out NULL);
 *         OHX_ERR_NO_MEM (len too small or mem misaligned);
 *         OHX_ERR_UNSUPPORTED_GENERATION; OHX_ERR_INVALID_WATCHDOG.
 */
int ohx_bridge_init(void *mem, size_t len, const ohx_bridge_config_t *cfg, ohx_bridge_t **out);

/**
 * Select the Haldex generation used by rewrites and feedback decoding.
 * Rolling counters (mLW_1 row, BRAKES4 counter, ESP_19's two) restart.
 * Switching to another generation also forgets every decoded input and the
 * Haldex feedback (their ages become OHX_AGE_NEVER): they were read with the
 * other generation's frame layout.
 * @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE;
 *         OHX_ERR_UNSUPPORTED_GENERATION (bridge unchanged).
 */
int ohx_bridge_set_generation(ohx_bridge_t *b, uint8_t generation);

/**
 * Set the watchdog period: the longest time a non-STOCK target stays valid
 * without a refresh. A target set at t is used while now - t <= ms and
 * ignored (fallback) from now - t > ms.
 * @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE;
 *         OHX_ERR_INVALID_WATCHDOG (outside OHX_WATCHDOG_MIN_MS..MAX_MS).
 */
int ohx_bridge_set_watchdog_ms(ohx_bridge_t *b, uint32_t ms);

/**
 * Set (or refresh) the mode and lock target and restart the watchdog at
 * now_ms. OHX_MODE_STOCK makes the bridge a pure pass-through. The call
 * ends a watchdog fallback.
 * @param percent lock request 0..100 (already gated/ramped by the caller).
 * @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE;
 *         OHX_ERR_INVALID_MODE; OHX_ERR_INVALID_PERCENT (bridge unchanged).
 */
int ohx_bridge_set_target(ohx_bridge_t *b, uint8_t mode, uint8_t percent, uint32_t now_ms);

/**
 * Hold the bridge in pass-through regardless of the mode (e.g. while an OTA
 * install switches slots). Released with hold = false; the watchdog rules
 * still apply to the last target after release.
 * @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE.
 */
int ohx_bridge_hold_passthrough(ohx_bridge_t *b, bool hold);

/**
 * Bridge one received frame. Decodes inputs/feedback from *in (in every
 * mode), then fills *out with what to transmit on the other bus.
 * in and out may point at the same frame. A now_ms slightly earlier than
 * the last ohx_bridge_set_target() (an ISR timestamp racing a refresh)
 * counts as target age 0.
 *
 * @param bus     the bus *in was received on.
 * @param now_ms  receive time.
 * @return OHX_FRAME_PASS (forward *out, equal to *in);
 *         OHX_FRAME_REWRITTEN (forward *out, rewritten for the Haldex);
 *         OHX_ERR_INVALID_ARG (b, in or out NULL; nothing counted);
 *         OHX_ERR_INVALID_STATE (not a bridge);
 *         OHX_ERR_INVALID_BUS, OHX_ERR_INVALID_FRAME (nothing to forward,
 *         *out unspecified, counted in errors).
 */
int ohx_bridge_on_frame(ohx_bridge_t *b, uint8_t bus, const ohx_frame_t *in, ohx_frame_t *out, uint32_t now_ms);

/**
 * Report a port event into the counters.
 * @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE;
 *         OHX_ERR_INVALID_BUS; OHX_ERR_INVALID_EVENT.
 */
int ohx_bridge_note_event(ohx_bridge_t *b, uint8_t bus, uint8_t event);

/** Current state at now_ms; OHX_STATE_STOCK for an invalid handle. Counts a
 *  watchdog fallback if this call is the first to see the target expire. */
ohx_state_t ohx_bridge_state(ohx_bridge_t *b, uint32_t now_ms);

/** Copy the counters. @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE. */
int ohx_bridge_get_counters(const ohx_bridge_t *b, ohx_counters_t *out);

/** Zero the counters. @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE. */
int ohx_bridge_reset_counters(ohx_bridge_t *b);

/** Latest decoded values with ages at now_ms (also advances the watchdog
 *  state like ohx_bridge_state()).
 *  @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_STATE. */
int ohx_bridge_snapshot(ohx_bridge_t *b, uint32_t now_ms, ohx_snapshot_t *out);

/* ------------------------------------------------------------------------ */
/* Pure functions                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Lock-byte scaling shared by every PQ rewrite. For a "full lock" byte value
 * `full` and a request `percent`:
 *   percent >= 100 -> full (inverted: 0xFE - full)
 *   percent == 0   -> 0x00 (inverted: 0xFE)
 *   otherwise      -> floor(full * (percent / 2 + 20) / 100)
 *                     = floor(full * (percent + 40) / 200)
 *                     (inverted: 0xFE - that)
 * percent above 100 is treated as 100. Exact integer arithmetic: the C6
 * original computes the same formula in float and agrees for every byte
 * value a rewrite uses; it differs only where float rounding lands just
 * below an exact integer (13 (full, percent) pairs, none with a full value
 * used here). The S3 original truncates cf to an integer first and so
 * differs for odd percentages (host-tests/c pin both facts).
 */
uint8_t ohx_lock_scale(uint8_t full, uint8_t percent, bool invert);

/** Map a raw Haldex engagement value linearly from [lo, hi] to 0..100 %,
 *  clamping outside the window; 0 when hi <= lo. */
uint8_t ohx_engagement_pct(uint16_t raw, uint16_t lo, uint16_t hi);

/** CRC-8H2F (AUTOSAR CRC8 0x2F: init 0xFF, not reflected, xor-out 0xFF)
 *  of len bytes. Catalogue check value: "123456789" -> 0xDF. */
uint8_t ohx_crc8h2f(const uint8_t *data, size_t len);

/**
 * The AUTOSAR E2E Profile 2 CRC of an 8-byte frame as VW MQB sends it:
 * CRC-8H2F over bytes 1..7, then over data_ids[byte 1 & 0x0F] (the DataID
 * list indexed by the alive counter). Byte 0 is where the result goes.
 * The DataID goes last, as the profile specifies; OpenHaldex-S3 and -Edge
 * put it first (docs/haldex.md, "Gen5").
 */
uint8_t ohx_e2e_crc(const uint8_t data[8], const uint8_t data_ids[16]);

/** The 16-byte DataID list the Gen5 rewrite uses for a frame ID, or NULL
 *  for an ID it does not rewrite as an E2E frame. */
const uint8_t *ohx_gen5_data_ids(uint32_t id);

/** Run the golden vectors through a scratch bridge on the stack.
 *  @return OHX_OK or OHX_ERR_SELF_TEST. Touches no other bridge. */
int ohx_bridge_self_test(void);

/** Constant name of a return code ("OHX_OK", "OHX_ERR_INVALID_ARG", ...),
 *  "OHX_ERR_UNKNOWN" for anything else. Never NULL. */
const char *ohx_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Wire format (simulator UDP datagrams, Node compact frames, recordings)   */
/* ------------------------------------------------------------------------ */

/**
 * OHX wire frame: exactly OHX_WIRE_SIZE (16) bytes.
 *   0      version, OHX_WIRE_VERSION (0x01)
 *   1      flags: bit0 extended ID, bit1 remote frame, other bits zero
 *   2      dlc, 0..15
 *   3      bus the frame is on (0 chassis, 1 Haldex)
 *   4..7   identifier, little-endian (std <= 0x7FF, ext <= 0x1FFFFFFF)
 *   8..15  data bytes; bytes past min(dlc, 8) are sent as zero and ignored
 */
#define OHX_WIRE_SIZE    16u
#define OHX_WIRE_VERSION 0x01u

/** Encode *f on bus into buf[16]; data bytes past the DLC are written as 0.
 *  @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_BUS;
 *          OHX_ERR_INVALID_FRAME. */
int ohx_wire_encode(const ohx_frame_t *f, uint8_t bus, uint8_t *buf, size_t len);

/** Decode buf into *f and *bus (bus may be NULL).
 *  @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_INVALID_WIRE. */
int ohx_wire_decode(const uint8_t *buf, size_t len, ohx_frame_t *f, uint8_t *bus);

#ifdef __cplusplus
}
#endif

#endif /* OHX_BRIDGE_H */
