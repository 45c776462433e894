/*
 * OpenHaldex XS - xsmc binding of the CAN bridge. Only converts values; the
 * bridge lives in the port (ohx_port.h) and every call on it is made under
 * ohx_port_lock(). Includes no platform header, so it compiles on the host
 * against the XS headers (make -C host-tests/c xs-binding-check).
 */
#include "ohx_bridge.h" /* first: brings <stddef.h>, which xs.h expects */
#include "ohx_port.h"

#include <string.h>

#include "xsmc.h"

static void throw_code(xsMachine *the, int code)
{
    if (code == OHX_ERR_INVALID_ARG)
        xsTypeError("%s", ohx_strerror(code));
    xsRangeError("%s", ohx_strerror(code));
}

static int arg_u8(xsMachine *the, int i, const char *what)
{
    int v, t = xsmcArgc > i ? xsmcTypeOf(xsArg(i)) : xsUndefinedType;
    if (t != xsIntegerType && t != xsNumberType)
        xsTypeError("%s must be a number", what);
    v = xsmcToInteger(xsArg(i));
    if (v < 0 || v > 255)
        v = 255; /* out of every valid range: the core names the error */
    return v;
}

static ohx_bridge_t *bridge(xsMachine *the)
{
    ohx_bridge_t *b = ohx_port_bridge();
    if (!b)
        xsUnknownError("CAN port not started");
    return b;
}

void xs_ohx_can_destructor(void *data)
{
    (void)data; /* the port outlives every JS object: nothing to free */
}

void xs_ohx_can(xsMachine *the)
{
    ohx_port_options_t opt = {0, 0};
    int r;
    xsmcVars(1);
    if (xsmcArgc > 0 && xsmcTypeOf(xsArg(0)) == xsReferenceType) {
        if (xsmcHas(xsArg(0), xsID("generation"))) {
            xsmcGet(xsVar(0), xsArg(0), xsID("generation"));
            opt.generation = (uint8_t)xsmcToInteger(xsVar(0));
        }
        if (xsmcHas(xsArg(0), xsID("watchdogMs"))) {
            xsmcGet(xsVar(0), xsArg(0), xsID("watchdogMs"));
            opt.watchdog_ms = (uint32_t)xsmcToInteger(xsVar(0));
        }
    }
    r = ohx_port_start(&opt);
    if (r != OHX_OK)
        throw_code(the, r);
    xsmcSetHostData(xsThis, (void *)ohx_port_bridge());
}

void xs_ohx_can_set_target(xsMachine *the)
{
    int mode = arg_u8(the, 0, "mode"), pct = arg_u8(the, 1, "percent"), r;
    ohx_bridge_t *b = bridge(the);
    uint32_t now = ohx_port_now_ms();
    ohx_port_lock();
    r = ohx_bridge_set_target(b, (uint8_t)mode, (uint8_t)pct, now);
    ohx_port_unlock();
    if (r != OHX_OK)
        throw_code(the, r);
}

void xs_ohx_can_set_generation(xsMachine *the)
{
    int g = arg_u8(the, 0, "generation"), r;
    ohx_bridge_t *b = bridge(the);
    ohx_port_lock();
    r = ohx_bridge_set_generation(b, (uint8_t)g);
    ohx_port_unlock();
    if (r != OHX_OK)
        throw_code(the, r);
}

void xs_ohx_can_set_watchdog_ms(xsMachine *the)
{
    ohx_bridge_t *b = bridge(the);
    int r, ms;
    if (xsmcArgc < 1)
        xsTypeError("ms must be a number");
    ms = xsmcToInteger(xsArg(0));
    ohx_port_lock();
    r = ohx_bridge_set_watchdog_ms(b, ms < 0 ? 0u : (uint32_t)ms);
    ohx_port_unlock();
    if (r != OHX_OK)
        throw_code(the, r);
}

void xs_ohx_can_hold_passthrough(xsMachine *the)
{
    ohx_bridge_t *b = bridge(the);
    bool hold = xsmcArgc > 0 && xsmcTest(xsArg(0));
    ohx_port_lock();
    ohx_bridge_hold_passthrough(b, hold);
    ohx_port_unlock();
}

void xs_ohx_can_state(xsMachine *the)
{
    ohx_bridge_t *b = bridge(the);
    ohx_state_t s;
    uint32_t now = ohx_port_now_ms();
    ohx_port_lock();
    s = ohx_bridge_state(b, now);
    ohx_port_unlock();
    xsmcSetInteger(xsResult, (int)s);
}

static void set_num(xsMachine *the, const char *key, double v)
{
    xsmcSetNumber(xsVar(0), v);
    xsmcSet(xsResult, xsID(key), xsVar(0));
}

static void set_age(xsMachine *the, const char *key, uint32_t v)
{
    if (v == OHX_AGE_NEVER)
        xsmcSetNull(xsVar(0));
    else
        xsmcSetNumber(xsVar(0), (double)v);
    xsmcSet(xsResult, xsID(key), xsVar(0));
}

/* A [chassis, haldex] pair: refills the array already there (counters(into)), else makes one. */
static void set_pair(xsMachine *the, const char *key, const uint32_t *v)
{
    xsmcSetUndefined(xsVar(1));
    if (xsmcHas(xsResult, xsID(key)))
        xsmcGet(xsVar(1), xsResult, xsID(key));
    if (xsmcTypeOf(xsVar(1)) != xsReferenceType) {
        xsmcSetNewArray(xsVar(1), 2);
        xsmcSet(xsResult, xsID(key), xsVar(1));
    }
    xsmcSetNumber(xsVar(0), (double)v[0]);
    xsmcSetIndex(xsVar(1), 0, xsVar(0));
    xsmcSetNumber(xsVar(0), (double)v[1]);
    xsmcSetIndex(xsVar(1), 1, xsVar(0));
}

/* counters(into) and busStatus(bus, into): refill the caller's object, so a status poll allocates nothing here. */
static void result_into(xsMachine *the, int arg)
{
    if (xsmcArgc > arg && xsmcTypeOf(xsArg(arg)) == xsReferenceType)
        xsResult = xsArg(arg);
    else
        xsmcSetNewObject(xsResult);
}

void xs_ohx_can_snapshot(xsMachine *the)
{
    ohx_bridge_t *b = bridge(the);
    ohx_snapshot_t s;
    uint32_t now = ohx_port_now_ms();
    int r;
    ohx_port_lock();
    r = ohx_bridge_snapshot(b, now, &s);
    ohx_port_unlock();
    if (r != OHX_OK)
        throw_code(the, r);
    xsmcVars(1);
    /* snapshot(into): refill the caller's object, so the 50 Hz control loop allocates nothing */
    result_into(the, 0);
    set_num(the, "speedKmh", s.speed_centi_kmh / 100.0);
    set_num(the, "speedSource", s.speed_source);
    set_age(the, "speedAgeMs", s.speed_age_ms);
    set_num(the, "rpm", s.rpm_x4 / 4.0);
    set_num(the, "pedalPct", s.pedal_permille / 10.0);
    set_age(the, "engineAgeMs", s.engine_age_ms);
    set_num(the, "coolantC", s.coolant_raw * 0.75 - 48.0);
    set_age(the, "coolantAgeMs", s.coolant_age_ms);
    set_num(the, "boostKpa", s.boost_raw);
    set_age(the, "boostAgeMs", s.boost_age_ms);
    set_num(the, "haldexEngagementPct", s.haldex_engagement_pct);
    set_num(the, "haldexEngagementRaw", s.haldex_engagement_raw);
    set_num(the, "haldexState", s.haldex_state);
    set_age(the, "haldexAgeMs", s.haldex_age_ms);
    set_num(the, "state", s.state);
    set_num(the, "mode", s.mode);
    set_num(the, "targetPct", s.target_pct);
    set_num(the, "generation", s.generation);
    set_age(the, "targetAgeMs", s.target_age_ms);
    set_num(the, "watchdogMs", s.watchdog_ms);
}

void xs_ohx_can_counters(xsMachine *the)
{
    ohx_bridge_t *b = bridge(the);
    ohx_counters_t c;
    ohx_port_lock();
    ohx_bridge_get_counters(b, &c);
    ohx_port_unlock();
    xsmcVars(2);
    result_into(the, 0);
    set_pair(the, "frames", c.frames);
    set_num(the, "rewritten", c.rewritten);
    set_num(the, "shortFrames", c.short_frames);
    set_pair(the, "dropped", c.dropped);
    set_num(the, "errors", c.errors);
    set_pair(the, "busOff", c.bus_off);
    set_pair(the, "busOffRecoveries", c.bus_off_recoveries);
    set_pair(the, "deadBus", c.dead_bus);
    set_num(the, "watchdogFallbacks", c.watchdog_fallbacks);
    set_num(the, "e2eMismatch", c.e2e_mismatch);
}

void xs_ohx_can_reset_counters(xsMachine *the)
{
    ohx_bridge_t *b = bridge(the);
    ohx_port_lock();
    ohx_bridge_reset_counters(b);
    ohx_port_unlock();
}

void xs_ohx_can_bus_status(xsMachine *the)
{
    ohx_port_bus_status_t s;
    int bus = arg_u8(the, 0, "bus"), r;
    r = ohx_port_bus_status((uint8_t)bus, &s);
    if (r != OHX_OK)
        throw_code(the, r);
    xsmcVars(1);
    result_into(the, 1);
    set_num(the, "state", s.state);
    xsmcSetBoolean(xsVar(0), s.dead);
    xsmcSet(xsResult, xsID("dead"), xsVar(0));
    set_age(the, "lastRxAgeMs", s.last_rx_age_ms);
    set_num(the, "txErrors", s.tx_errors);
    set_num(the, "rxErrors", s.rx_errors);
}

void xs_ohx_can_self_test(xsMachine *the)
{
    xsmcSetBoolean(xsResult, ohx_bridge_self_test() == OHX_OK);
}

/* ---- capture (ohx_capture.h) and sending ------------------------------ */

static ohx_capture_t *capture(xsMachine *the)
{
    ohx_capture_t *c = ohx_port_capture();
    if (!c)
        xsUnknownError("CAN port not started");
    return c;
}

/* captureConfigure(enabled, filter?): filter is the ohx_capture_filter_t
 * bytes (use_ids, ext, 256 bitmap bytes); absent = keep every frame. */
void xs_ohx_can_capture_configure(xsMachine *the)
{
    ohx_capture_t *c = capture(the);
    ohx_capture_filter_t f;
    int enabled = xsmcArgc > 0 && xsmcTest(xsArg(0));
    if (xsmcArgc > 1 && xsmcTypeOf(xsArg(1)) == xsReferenceType) {
        void *data;
        xsUnsignedValue size;
        xsmcGetBufferReadable(xsArg(1), &data, &size);
        if (size != sizeof(f))
            xsRangeError("filter must be %u bytes", (unsigned)sizeof(f));
        memcpy(&f, data, sizeof(f));
        ohx_capture_configure(c, enabled, &f);
    } else {
        ohx_capture_configure(c, enabled, NULL);
    }
}

/* captureRead(bus, buffer) -> entries moved into buffer (28 bytes each). */
void xs_ohx_can_capture_read(xsMachine *the)
{
    ohx_capture_t *c = capture(the);
    int bus = arg_u8(the, 0, "bus");
    void *data;
    xsUnsignedValue size;
    size_t n;
    if (bus >= OHX_BUS_COUNT)
        throw_code(the, OHX_ERR_INVALID_BUS);
    if (xsmcArgc < 2)
        xsTypeError("buffer required");
    xsmcGetBufferWritable(xsArg(1), &data, &size);
    n = ohx_capture_read(c, (uint8_t)bus, (ohx_capture_entry_t *)data, size / OHX_CAPTURE_ENTRY_SIZE);
    xsmcSetInteger(xsResult, (xsIntegerValue)n);
}

void xs_ohx_can_capture_stats(xsMachine *the)
{
    ohx_capture_stats_t s;
    ohx_capture_stats(capture(the), &s);
    xsmcVars(2);
    result_into(the, 0);
    set_pair(the, "captured", s.captured);
    set_pair(the, "dropped", s.dropped);
    set_pair(the, "pending", s.pending);
    xsmcSetBoolean(xsVar(0), s.enabled != 0);
    xsmcSet(xsResult, xsID("enabled"), xsVar(0));
}

/* transmit(bus, id, ext, data, dlc): one frame from task context. */
void xs_ohx_can_transmit(xsMachine *the)
{
    ohx_frame_t f;
    int bus = arg_u8(the, 0, "bus"), r;
    void *data;
    xsUnsignedValue size;
    if (xsmcArgc < 5)
        xsTypeError("transmit(bus, id, ext, data, dlc)");
    memset(&f, 0, sizeof(f));
    f.id = (uint32_t)xsmcToInteger(xsArg(1));
    f.flags = xsmcTest(xsArg(2)) ? OHX_FRAME_FLAG_EXT : 0;
    xsmcGetBufferReadable(xsArg(3), &data, &size);
    memcpy(f.data, data, size < 8 ? size : 8);
    f.dlc = (uint8_t)arg_u8(the, 4, "dlc");
    r = ohx_port_transmit((uint8_t)bus, &f);
    if (r != OHX_OK)
        throw_code(the, r);
}
