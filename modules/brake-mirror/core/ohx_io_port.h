/*
 * OpenHaldex XS - board I/O port beside the CAN port: the brake and
 * handbrake mirrors (core/ohx_mirror.h) applied to real pins without JS.
 *
 * On the OpenHaldex-C6 (ports/esp32/ohx_esp32_io.c): brake in GPIO0 ->
 * out GPIO1, handbrake in GPIO14 -> out GPIO15 (high-side drivers for the
 * Gen1/Gen2 Haldex controller). A 1 ms esp_timer samples both inputs and
 * drives both outputs, so an output follows within debounce + 1 ms.
 * The xsmc binding (bindings/xs/mirror-native.c) talks only to this header.
 */
#ifndef OHX_IO_PORT_H
#define OHX_IO_PORT_H

#include <stdint.h>

#include "ohx_mirror.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Sampling period of the mirrors, ms. */
#define OHX_IO_SAMPLE_MS 1u

/** Configure the pins (outputs low, or high for INVERT) and start sampling,
 *  if not yet started; every mirror starts FOLLOW, no debounce.
 *  @return OHX_OK; OHX_ERR_INVALID_STATE when a pin or the timer failed. */
int ohx_io_start(void);

/** Change one mirror (takes effect at once).
 *  @return OHX_OK; OHX_ERR_INVALID_ARG (channel or cfg); OHX_ERR_MIRROR_CONFIG. */
int ohx_io_mirror_configure(uint8_t channel, const ohx_mirror_config_t *cfg);

/** Copy one mirror's state. @return OHX_OK; OHX_ERR_INVALID_ARG. */
int ohx_io_mirror_get(uint8_t channel, ohx_mirror_t *out);

#ifdef __cplusplus
}
#endif

#endif /* OHX_IO_PORT_H */
