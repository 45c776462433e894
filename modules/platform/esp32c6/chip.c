/*
 * "platform/chip" on the ESP32: reset and the hardware RNG. Kept to the
 * two calls the firmware needs; everything else stays in TypeScript.
 */
#include "xsmc.h"
#include "esp_system.h"
#include "esp_random.h"
#include "esp_task_wdt.h"

void xs_ohx_restart(xsMachine *the)
{
    (void)the;
    esp_restart();
}

/* esp_fill_random is a true RNG while the radio runs (Wi-Fi is always on here). */
void xs_ohx_fill_random(xsMachine *the)
{
    void *data;
    xsUnsignedValue size;
    xsmcGetBufferWritable(xsArg(0), &data, &size);
    esp_fill_random(data, size);
}

/* esp_reset_reason() in modules/device/boot-record's names. */
void xs_ohx_reset_reason(xsMachine *the)
{
    const char *r;
    switch (esp_reset_reason()) {
    case ESP_RST_POWERON:
        r = "power-on";
        break;
    case ESP_RST_EXT:
        r = "external";
        break;
    case ESP_RST_SW:
        r = "software";
        break;
    case ESP_RST_PANIC:
        r = "panic";
        break;
    case ESP_RST_INT_WDT:
        r = "int-watchdog";
        break;
    case ESP_RST_TASK_WDT:
        r = "task-watchdog";
        break;
    case ESP_RST_WDT:
        r = "watchdog";
        break;
    case ESP_RST_DEEPSLEEP:
        r = "deep-sleep";
        break;
    case ESP_RST_BROWNOUT:
        r = "brownout";
        break;
    default:
        r = "unknown";
        break;
    }
    xsmcSetString(xsResult, (char *)r);
}

/* The task watchdog on the XS task: reconfigure it with our timeout (the
 * SDK may have initialised it already), panic on expiry so the reset
 * reason says task-watchdog, and subscribe the calling task. */
void xs_ohx_wdt_start(xsMachine *the)
{
    esp_task_wdt_config_t cfg = {
        .timeout_ms = (uint32_t)xsmcToInteger(xsArg(0)),
        .idle_core_mask = 0,
        .trigger_panic = true,
    };
    if (esp_task_wdt_reconfigure(&cfg) != ESP_OK && esp_task_wdt_init(&cfg) != ESP_OK)
        xsUnknownError("task watchdog not configured");
    if (esp_task_wdt_status(NULL) != ESP_OK && esp_task_wdt_add(NULL) != ESP_OK)
        xsUnknownError("task watchdog: cannot subscribe the XS task");
}

void xs_ohx_wdt_feed(xsMachine *the)
{
    (void)the;
    esp_task_wdt_reset();
}
