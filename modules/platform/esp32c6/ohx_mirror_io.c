/*
 * OpenHaldex XS - ESP-IDF board I/O port (modules/brake-mirror/core/
 * ohx_io_port.h): the brake and handbrake mirrors. Keep it thin; every
 * decision is ohx_mirror_update()'s (tested on the host).
 *
 * Pins come from the board's manifest (MODDEF_OHX_BRAKE_IN/OUT,
 * MODDEF_OHX_HANDBRAKE_IN/OUT). Inputs are active high (12 V switch through
 * the board's divider) unless the board sets defines.ohx.inputs_active_low.
 */
#include <string.h>

#include "driver/gpio.h"
#include "esp_attr.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "mc.defines.h"

#if !defined(MODDEF_OHX_BRAKE_IN) || !defined(MODDEF_OHX_BRAKE_OUT) || !defined(MODDEF_OHX_HANDBRAKE_IN) ||            \
    !defined(MODDEF_OHX_HANDBRAKE_OUT)
#error "brake pins come from the board manifest (boards/<board>/manifest.json, defines.ohx)"
#endif

#include "ohx_mirror.c"

#include "ohx_io_port.h"

#ifdef MODDEF_OHX_INPUTS_ACTIVE_LOW
#define OHX_IO_INPUT_ACTIVE_LOW MODDEF_OHX_INPUTS_ACTIVE_LOW
#else
#define OHX_IO_INPUT_ACTIVE_LOW 0
#endif

static const gpio_num_t k_in[OHX_MIRROR_CHANNEL_COUNT] = {(gpio_num_t)MODDEF_OHX_BRAKE_IN,
                                                          (gpio_num_t)MODDEF_OHX_HANDBRAKE_IN};
static const gpio_num_t k_out[OHX_MIRROR_CHANNEL_COUNT] = {(gpio_num_t)MODDEF_OHX_BRAKE_OUT,
                                                           (gpio_num_t)MODDEF_OHX_HANDBRAKE_OUT};

static ohx_mirror_t g_mirror[OHX_MIRROR_CHANNEL_COUNT];
static esp_timer_handle_t g_timer;
static portMUX_TYPE g_io_mux = portMUX_INITIALIZER_UNLOCKED;
static int g_started;

static void sample(void *arg)
{
    uint32_t now = (uint32_t)(esp_timer_get_time() / 1000);
    unsigned i;
    (void)arg;
    for (i = 0; i < OHX_MIRROR_CHANNEL_COUNT; i++) {
        bool level = gpio_get_level(k_in[i]) != OHX_IO_INPUT_ACTIVE_LOW;
        bool out;
        portENTER_CRITICAL(&g_io_mux);
        out = ohx_mirror_update(&g_mirror[i], level, now);
        portEXIT_CRITICAL(&g_io_mux);
        gpio_set_level(k_out[i], out ? 1 : 0);
    }
}

int ohx_io_start(void)
{
    const ohx_mirror_config_t follow = {OHX_MIRROR_FOLLOW, 0};
    const esp_timer_create_args_t args = {.callback = sample, .name = "ohx_io"};
    gpio_config_t io;
    unsigned i;
    if (g_started)
        return OHX_OK;
    for (i = 0; i < OHX_MIRROR_CHANNEL_COUNT; i++) {
        ohx_mirror_init(&g_mirror[i], &follow);
        memset(&io, 0, sizeof(io));
        io.pin_bit_mask = 1ull << k_in[i];
        io.mode = GPIO_MODE_INPUT;
        io.pull_down_en = OHX_IO_INPUT_ACTIVE_LOW ? GPIO_PULLDOWN_DISABLE : GPIO_PULLDOWN_ENABLE;
        io.pull_up_en = OHX_IO_INPUT_ACTIVE_LOW ? GPIO_PULLUP_ENABLE : GPIO_PULLUP_DISABLE;
        if (gpio_config(&io) != ESP_OK)
            return OHX_ERR_INVALID_STATE;
        memset(&io, 0, sizeof(io));
        io.pin_bit_mask = 1ull << k_out[i];
        io.mode = GPIO_MODE_OUTPUT;
        if (gpio_config(&io) != ESP_OK || gpio_set_level(k_out[i], g_mirror[i].out) != ESP_OK)
            return OHX_ERR_INVALID_STATE;
    }
    if (esp_timer_create(&args, &g_timer) != ESP_OK)
        return OHX_ERR_INVALID_STATE;
    if (esp_timer_start_periodic(g_timer, OHX_IO_SAMPLE_MS * 1000u) != ESP_OK)
        return OHX_ERR_INVALID_STATE;
    g_started = 1;
    return OHX_OK;
}

int ohx_io_mirror_configure(uint8_t channel, const ohx_mirror_config_t *cfg)
{
    int r;
    if (channel >= OHX_MIRROR_CHANNEL_COUNT || !cfg)
        return OHX_ERR_INVALID_ARG;
    portENTER_CRITICAL(&g_io_mux);
    r = ohx_mirror_configure(&g_mirror[channel], cfg);
    portEXIT_CRITICAL(&g_io_mux);
    if (r == OHX_OK && g_started)
        gpio_set_level(k_out[channel], g_mirror[channel].out);
    return r;
}

int ohx_io_mirror_get(uint8_t channel, ohx_mirror_t *out)
{
    if (channel >= OHX_MIRROR_CHANNEL_COUNT || !out)
        return OHX_ERR_INVALID_ARG;
    portENTER_CRITICAL(&g_io_mux);
    *out = g_mirror[channel];
    portEXIT_CRITICAL(&g_io_mux);
    return OHX_OK;
}
