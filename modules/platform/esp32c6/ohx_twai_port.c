/*
 * OpenHaldex XS - ESP-IDF v6.0 CAN port (esp_driver_twai) for the board.
 * Implements modules/can/core/ohx_port.h. Keep it thin: every decision is
 * the core's (tested on the host).
 *
 * Pins and bit rate come from the board's manifest (boards/<board>/
 * manifest.json "defines.ohx" -> MODDEF_OHX_* in mc.defines.h); the
 * transceivers' standby pins are driven low. Accept-all filter (the default
 * after twai_new_node_onchip).
 *
 * Data path (no JS, no task): on_rx_done (ISR) -> twai_node_receive_from_isr
 * -> ohx_bridge_on_frame under a spinlock -> a slot of the destination's
 * static TX pool -> twai_node_transmit(..., 0). The driver queues the frame
 * by pointer, so a slot stays owned until on_tx_done hands it back.
 * A full pool or a refused transmit is a counted drop, never a wait.
 *
 * CONFIG_TWAI_ISR_CACHE_SAFE: the ISR runs while flash is written (OTA,
 * NVS), so the callbacks, the core (compiled into this file with OHX_HOT =
 * IRAM_ATTR) and its tables (OHX_RODATA = DRAM_ATTR) stay out of flash, and
 * sdkconfig sets CONFIG_TWAI_IO_FUNC_IN_IRAM for twai_node_transmit.
 * host-tests/host/isr-placement.test.ts checks the compiled object.
 *
 * Capture (ohx_capture.h): after the transmit is queued, the ISR puts the
 * frame into the bus's capture ring (one flag test while nobody watches);
 * a full ring drops the copy, never the frame. ohx_port_transmit() (GVRET
 * sending) takes a TX slot from task context only while at least half of
 * the pool is free, so injected frames never starve forwarding.
 *
 * Health task (every OHX_ESP32_MONITOR_MS): starts bus-off recovery
 * (twai_node_recover is a task-context call) and runs dead-bus detection.
 * Bus-off entry and recovery are counted from on_state_change.
 */
#include <string.h>

#include "driver/gpio.h"
#include "esp_attr.h"
#include "esp_timer.h"
#include "esp_driver_twai/include/esp_twai.h"
#include "esp_driver_twai/include/esp_twai_onchip.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "mc.defines.h"

#if !defined(MODDEF_OHX_CAN_CHASSIS_TX) || !defined(MODDEF_OHX_CAN_CHASSIS_RX) ||                                      \
    !defined(MODDEF_OHX_CAN_CHASSIS_STANDBY) || !defined(MODDEF_OHX_CAN_HALDEX_TX) ||                                  \
    !defined(MODDEF_OHX_CAN_HALDEX_RX) || !defined(MODDEF_OHX_CAN_HALDEX_STANDBY) || !defined(MODDEF_OHX_CAN_BITRATE)
#error "CAN pins and bit rate come from the board manifest (boards/<board>/manifest.json, defines.ohx)"
#endif

/* The core, placed in IRAM/DRAM for the ISR path (a unity build keeps the
 * core free of platform headers). */
#define OHX_HOT    IRAM_ATTR
#define OHX_RODATA DRAM_ATTR
#include "ohx_bridge.c"
#include "ohx_capture.c"

#include "ohx_port.h"

#define OHX_ESP32_TX_POOL    16u /* frames in flight per destination bus */
#define OHX_ESP32_MONITOR_MS 100u

typedef struct {
    twai_frame_t frame;
    uint8_t data[8];
    volatile uint8_t busy;
} tx_slot_t;

typedef struct {
    gpio_num_t tx, rx, standby;
} bus_pins_t;

static const bus_pins_t k_pins[OHX_BUS_COUNT] = {
    {(gpio_num_t)MODDEF_OHX_CAN_CHASSIS_TX, (gpio_num_t)MODDEF_OHX_CAN_CHASSIS_RX,
     (gpio_num_t)MODDEF_OHX_CAN_CHASSIS_STANDBY},
    {(gpio_num_t)MODDEF_OHX_CAN_HALDEX_TX, (gpio_num_t)MODDEF_OHX_CAN_HALDEX_RX,
     (gpio_num_t)MODDEF_OHX_CAN_HALDEX_STANDBY},
};

static struct {
    union {
        uint64_t align;
        unsigned char bytes[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    ohx_bridge_t *bridge;
    twai_node_handle_t node[OHX_BUS_COUNT];
    tx_slot_t pool[OHX_BUS_COUNT][OHX_ESP32_TX_POOL];
    uint8_t next[OHX_BUS_COUNT];
    volatile uint8_t state[OHX_BUS_COUNT]; /* ohx_port_bus_state_t */
    ohx_deadbus_t dead[OHX_BUS_COUNT];
    uint16_t tec[OHX_BUS_COUNT], rec[OHX_BUS_COUNT];
    int started;
} g_can; /* .bss: internal DRAM */

static ohx_capture_t g_capture; /* .bss: 14 KiB of internal DRAM, read from the ISR */

static portMUX_TYPE g_mux = portMUX_INITIALIZER_UNLOCKED;

uint32_t IRAM_ATTR ohx_port_now_ms(void)
{
    return (uint32_t)(esp_timer_get_time() / 1000);
}

ohx_capture_t *ohx_port_capture(void)
{
    return g_can.started ? &g_capture : NULL;
}

void ohx_port_lock(void)
{
    portENTER_CRITICAL(&g_mux);
}

void ohx_port_unlock(void)
{
    portEXIT_CRITICAL(&g_mux);
}

ohx_bridge_t *ohx_port_bridge(void)
{
    return g_can.started ? g_can.bridge : NULL;
}

/* Take a free TX slot of bus (caller holds g_mux). */
static IRAM_ATTR tx_slot_t *slot_take(uint8_t bus)
{
    unsigned i;
    for (i = 0; i < OHX_ESP32_TX_POOL; i++) {
        uint8_t k = (uint8_t)((g_can.next[bus] + i) % OHX_ESP32_TX_POOL);
        tx_slot_t *s = &g_can.pool[bus][k];
        if (!s->busy) {
            s->busy = 1;
            g_can.next[bus] = (uint8_t)((k + 1u) % OHX_ESP32_TX_POOL);
            return s;
        }
    }
    return NULL;
}

/* Fill a taken slot from *f and queue it on bus; on refusal the slot is
 * free again. @return true when the driver took it. */
static IRAM_ATTR bool slot_send(uint8_t bus, tx_slot_t *slot, const ohx_frame_t *f)
{
    memcpy(slot->data, f->data, 8);
    memset(&slot->frame, 0, sizeof(slot->frame));
    slot->frame.header.id = f->id;
    slot->frame.header.ide = (f->flags & OHX_FRAME_FLAG_EXT) ? 1 : 0;
    slot->frame.header.rtr = (f->flags & OHX_FRAME_FLAG_RTR) ? 1 : 0;
    /* classic CAN: DLC 9..15 carry 8 bytes; the driver wants dlc == len2dlc(buffer_len) */
    slot->frame.header.dlc = (uint16_t)(f->dlc > 8 ? 8 : f->dlc);
    slot->frame.buffer = slot->data;
    slot->frame.buffer_len = slot->frame.header.rtr ? 0 : slot->frame.header.dlc;
    if (twai_node_transmit(g_can.node[bus], &slot->frame, 0) == ESP_OK)
        return true;
    slot->busy = 0;
    return false;
}

static IRAM_ATTR bool on_rx_done(twai_node_handle_t handle, const twai_rx_done_event_data_t *edata, void *ctx)
{
    const uint8_t bus = (uint8_t)(uintptr_t)ctx, dst = (uint8_t)(bus ^ 1u);
    uint8_t buf[8];
    twai_frame_t rx;
    ohx_frame_t in, out;
    tx_slot_t *slot = NULL;
    int64_t t_us;
    uint32_t now;
    int r;
    (void)edata;

    memset(&rx, 0, sizeof(rx));
    rx.buffer = buf;
    rx.buffer_len = sizeof(buf);
    if (twai_node_receive_from_isr(handle, &rx) != ESP_OK)
        return false;

    memset(&in, 0, sizeof(in));
    in.id = rx.header.id;
    in.dlc = (uint8_t)(rx.header.dlc > 15 ? 15 : rx.header.dlc);
    in.flags = (uint8_t)((rx.header.ide ? OHX_FRAME_FLAG_EXT : 0) | (rx.header.rtr ? OHX_FRAME_FLAG_RTR : 0));
    memcpy(in.data, buf, 8);
    t_us = esp_timer_get_time();
    now = (uint32_t)(t_us / 1000);

    portENTER_CRITICAL_ISR(&g_mux);
    ohx_deadbus_rx(&g_can.dead[bus], now);
    r = ohx_bridge_on_frame(g_can.bridge, bus, &in, &out, now);
    if (r >= 0) {
        slot = slot_take(dst);
        if (!slot)
            ohx_bridge_note_event(g_can.bridge, dst, OHX_EVENT_TX_DROPPED);
    }
    portEXIT_CRITICAL_ISR(&g_mux);
    if (slot && !slot_send(dst, slot, &out)) {
        portENTER_CRITICAL_ISR(&g_mux);
        ohx_bridge_note_event(g_can.bridge, dst, OHX_EVENT_TX_DROPPED);
        portEXIT_CRITICAL_ISR(&g_mux);
    }
    /* after the transmit: the copy for the owner never delays the frame */
    ohx_capture_put(&g_capture, bus, &in, &out, r, (uint32_t)t_us);
    return false;
}

static IRAM_ATTR bool on_tx_done(twai_node_handle_t handle, const twai_tx_done_event_data_t *edata, void *ctx)
{
    const uint8_t bus = (uint8_t)(uintptr_t)ctx;
    tx_slot_t *s = (tx_slot_t *)(uintptr_t)edata->done_tx_frame; /* frame is the slot's first member */
    (void)handle;
    if (s >= &g_can.pool[bus][0] && s < &g_can.pool[bus][OHX_ESP32_TX_POOL]) {
        portENTER_CRITICAL_ISR(&g_mux);
        if (!edata->is_tx_success)
            ohx_bridge_note_event(g_can.bridge, bus, OHX_EVENT_TX_DROPPED);
        s->busy = 0;
        portEXIT_CRITICAL_ISR(&g_mux);
    }
    return false;
}

static IRAM_ATTR bool on_state_change(twai_node_handle_t handle, const twai_state_change_event_data_t *edata, void *ctx)
{
    const uint8_t bus = (uint8_t)(uintptr_t)ctx;
    (void)handle;
    portENTER_CRITICAL_ISR(&g_mux);
    if (edata->new_sta == TWAI_ERROR_BUS_OFF) {
        g_can.state[bus] = OHX_PORT_BUS_OFF;
        ohx_bridge_note_event(g_can.bridge, bus, OHX_EVENT_BUS_OFF);
    } else {
        if (edata->old_sta == TWAI_ERROR_BUS_OFF)
            ohx_bridge_note_event(g_can.bridge, bus, OHX_EVENT_BUS_OFF_RECOVERED);
        g_can.state[bus] = OHX_PORT_BUS_RUNNING;
    }
    portEXIT_CRITICAL_ISR(&g_mux);
    return false;
}

static void monitor_task(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned i;
        vTaskDelay(pdMS_TO_TICKS(OHX_ESP32_MONITOR_MS));
        for (i = 0; i < OHX_BUS_COUNT; i++) {
            twai_node_status_t st;
            uint32_t now = ohx_port_now_ms();
            if (twai_node_get_info(g_can.node[i], &st, NULL) == ESP_OK) {
                g_can.tec[i] = st.tx_error_count;
                g_can.rec[i] = st.rx_error_count;
                if (st.state == TWAI_ERROR_BUS_OFF)
                    (void)twai_node_recover(g_can.node[i]);
            }
            portENTER_CRITICAL(&g_mux);
            if (ohx_deadbus_check(&g_can.dead[i], now, OHX_PORT_DEAD_BUS_MS))
                ohx_bridge_note_event(g_can.bridge, (uint8_t)i, OHX_EVENT_DEAD_BUS);
            portEXIT_CRITICAL(&g_mux);
        }
    }
}

static int start_bus(uint8_t bus)
{
    static const twai_event_callbacks_t cbs = {
        .on_tx_done = on_tx_done,
        .on_rx_done = on_rx_done,
        .on_state_change = on_state_change,
        .on_error = NULL,
    };
    twai_onchip_node_config_t cfg;
    gpio_config_t io;

    /* transceiver out of standby */
    memset(&io, 0, sizeof(io));
    io.pin_bit_mask = 1ull << k_pins[bus].standby;
    io.mode = GPIO_MODE_OUTPUT;
    if (gpio_config(&io) != ESP_OK || gpio_set_level(k_pins[bus].standby, 0) != ESP_OK)
        return -1;

    memset(&cfg, 0, sizeof(cfg));
    cfg.io_cfg.tx = k_pins[bus].tx;
    cfg.io_cfg.rx = k_pins[bus].rx;
    cfg.io_cfg.quanta_clk_out = GPIO_NUM_NC;
    cfg.io_cfg.bus_off_indicator = GPIO_NUM_NC;
    cfg.bit_timing.bitrate = MODDEF_OHX_CAN_BITRATE;
    cfg.fail_retry_cnt = 3; /* a frame still failing after 3 retries is stale; the next one follows */
    cfg.tx_queue_depth = OHX_ESP32_TX_POOL;
    cfg.intr_priority = 0;
    if (twai_new_node_onchip(&cfg, &g_can.node[bus]) != ESP_OK)
        return -1;
    if (twai_node_register_event_callbacks(g_can.node[bus], &cbs, (void *)(uintptr_t)bus) != ESP_OK)
        return -1;
    if (twai_node_enable(g_can.node[bus]) != ESP_OK)
        return -1;
    g_can.state[bus] = OHX_PORT_BUS_RUNNING;
    return 0;
}

int ohx_port_start(const ohx_port_options_t *opt)
{
    int r = OHX_OK;
    if (!g_can.started) {
        ohx_bridge_config_t bc;
        ohx_bridge_config_default(&bc);
        if (opt && opt->generation)
            bc.generation = opt->generation;
        if (opt)
            bc.watchdog_ms = opt->watchdog_ms;
        r = ohx_bridge_init(g_can.mem.bytes, sizeof(g_can.mem.bytes), &bc, &g_can.bridge);
        if (r != OHX_OK)
            return r;
        /* the bridge exists (STOCK) before the first frame can arrive */
        if (start_bus(OHX_BUS_CHASSIS) != 0 || start_bus(OHX_BUS_HALDEX) != 0)
            return OHX_ERR_INVALID_STATE;
        if (xTaskCreate(monitor_task, "ohx_can_mon", 2048, NULL, 5, NULL) != pdPASS)
            return OHX_ERR_INVALID_STATE;
        g_can.started = 1;
        return OHX_OK;
    }
    if (opt) {
        portENTER_CRITICAL(&g_mux);
        if (opt->generation)
            r = ohx_bridge_set_generation(g_can.bridge, opt->generation);
        if (r == OHX_OK && opt->watchdog_ms)
            r = ohx_bridge_set_watchdog_ms(g_can.bridge, opt->watchdog_ms);
        portEXIT_CRITICAL(&g_mux);
    }
    return r;
}

int ohx_port_transmit(uint8_t bus, const ohx_frame_t *f)
{
    uint8_t wire[OHX_WIRE_SIZE];
    tx_slot_t *slot = NULL;
    unsigned i, free_slots = 0;
    int r;
    if (!f)
        return OHX_ERR_INVALID_ARG;
    r = ohx_wire_encode(f, bus, wire, sizeof(wire)); /* validates bus, id, dlc, flags */
    if (r != OHX_OK)
        return r;
    if (!g_can.started || g_can.state[bus] != OHX_PORT_BUS_RUNNING)
        return OHX_ERR_INVALID_STATE;
    portENTER_CRITICAL(&g_mux);
    for (i = 0; i < OHX_ESP32_TX_POOL; i++)
        free_slots += g_can.pool[bus][i].busy ? 0u : 1u;
    if (free_slots >= OHX_ESP32_TX_POOL / 2u)
        slot = slot_take(bus);
    portEXIT_CRITICAL(&g_mux);
    if (!slot)
        return OHX_ERR_INVALID_STATE;
    return slot_send(bus, slot, f) ? OHX_OK : OHX_ERR_INVALID_STATE;
}

int ohx_port_bus_status(uint8_t bus, ohx_port_bus_status_t *out)
{
    if (!out)
        return OHX_ERR_INVALID_ARG;
    if (bus >= OHX_BUS_COUNT)
        return OHX_ERR_INVALID_BUS;
    memset(out, 0, sizeof(*out));
    portENTER_CRITICAL(&g_mux);
    out->state = g_can.started ? g_can.state[bus] : OHX_PORT_BUS_STOPPED;
    out->dead = g_can.dead[bus].dead != 0;
    out->last_rx_age_ms = g_can.dead[bus].seen ? ohx_port_now_ms() - g_can.dead[bus].last_rx_ms : OHX_AGE_NEVER;
    out->tx_errors = g_can.tec[bus];
    out->rx_errors = g_can.rec[bus];
    portEXIT_CRITICAL(&g_mux);
    return OHX_OK;
}
