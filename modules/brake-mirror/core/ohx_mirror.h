/*
 * OpenHaldex XS - brake / handbrake output mirror (pure C99).
 *
 * The OpenHaldex-C6 board reads the brake and handbrake switches (GPIO0,
 * GPIO14) and drives two high-side outputs (GPIO1, GPIO15) that go on to
 * the Gen1/Gen2 Haldex controller's brake and handbrake wires. A mirror
 * decides the output level from the input level, next to the CAN bridge,
 * so the output follows in the port's sampling period whatever JS does:
 *
 *     port timer/ISR --level, now--> ohx_mirror_update() --level--> output pin
 *
 * Modes:
 *   OHX_MIRROR_OFF     output low, whatever the input
 *   OHX_MIRROR_FOLLOW  output = debounced input   (the default wiring)
 *   OHX_MIRROR_INVERT  output = !debounced input  (controllers wired active-low)
 *
 * Debounce: a raw level must stay unchanged for debounce_ms before it
 * becomes the debounced input. debounce_ms = 0 follows in the same call.
 * The first sample after init is taken as debounced at once (no spurious
 * "release" at boot). Timing: with a port that samples every P ms, an input
 * edge at t reaches the output no later than t + debounce_ms + P.
 *
 * State is a small caller-owned struct (no heap, no globals); one per
 * channel. Not locked: the port serialises calls (the ESP32 port calls it
 * only from one esp_timer callback; configuration happens under the same
 * critical section). Time is a wrapping 32-bit ms counter like the bridge's.
 */
#ifndef OHX_MIRROR_H
#define OHX_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "ohx_bridge.h" /* OHX_OK, OHX_ERR_BASE, OHX_ERR_INVALID_ARG */

#ifdef __cplusplus
extern "C" {
#endif

/** The configuration names a mode outside ohx_mirror_mode_t or a debounce
 *  above OHX_MIRROR_DEBOUNCE_MAX_MS. (Outside the bridge's contiguous range:
 *  ohx_strerror() reports it as OHX_ERR_UNKNOWN; use ohx_mirror_strerror().) */
#define OHX_ERR_MIRROR_CONFIG (OHX_ERR_BASE - 0x20)

#define OHX_MIRROR_DEBOUNCE_MAX_MS 1000u

typedef enum { OHX_MIRROR_OFF = 0, OHX_MIRROR_FOLLOW = 1, OHX_MIRROR_INVERT = 2 } ohx_mirror_mode_t;
#define OHX_MIRROR_MODE_COUNT 3

/** The two mirrored channels of the board (indexes for ports and bindings). */
typedef enum { OHX_MIRROR_BRAKE = 0, OHX_MIRROR_HANDBRAKE = 1 } ohx_mirror_channel_t;
#define OHX_MIRROR_CHANNEL_COUNT 2

typedef struct {
    uint8_t mode;         /* ohx_mirror_mode_t */
    uint16_t debounce_ms; /* 0..OHX_MIRROR_DEBOUNCE_MAX_MS */
} ohx_mirror_config_t;

/** Mirror state. Read the fields freely; change them only through the API. */
typedef struct {
    uint8_t mode;
    uint16_t debounce_ms;
    uint8_t seen;          /* a sample was taken since init */
    uint8_t raw;           /* last raw input level */
    uint8_t stable;        /* debounced input level */
    uint8_t out;           /* output level to drive */
    uint32_t raw_since_ms; /* when raw last changed */
    uint32_t changes;      /* output level changes since init */
} ohx_mirror_t;

/** The output level for a mode and a debounced input (pure). OFF and
 *  unknown modes give false. */
bool ohx_mirror_output(uint8_t mode, bool input);

/**
 * Initialise: no sample yet, input taken as low, output as the mode gives
 * for a low input (INVERT starts high), changes 0.
 * @return OHX_OK; OHX_ERR_INVALID_ARG (m or cfg NULL);
 *         OHX_ERR_MIRROR_CONFIG (m untouched).
 */
int ohx_mirror_init(ohx_mirror_t *m, const ohx_mirror_config_t *cfg);

/**
 * Change mode and debounce; keeps the input state and recomputes the
 * output at once (a change counts in `changes`).
 * @return OHX_OK; OHX_ERR_INVALID_ARG; OHX_ERR_MIRROR_CONFIG (m untouched).
 */
int ohx_mirror_configure(ohx_mirror_t *m, const ohx_mirror_config_t *cfg);

/**
 * Feed one sample of the raw input at now_ms; returns the output level to
 * drive. Call it on every edge and periodically (debounce expiry is only
 * seen by a call). A NULL m returns false.
 */
bool ohx_mirror_update(ohx_mirror_t *m, bool level, uint32_t now_ms);

/** "OHX_OK", "OHX_ERR_MIRROR_CONFIG", or ohx_strerror(code). Never NULL. */
const char *ohx_mirror_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* OHX_MIRROR_H */
