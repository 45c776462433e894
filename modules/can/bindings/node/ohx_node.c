/*
 * OpenHaldex XS - Node-API binding of the CAN bridge core (ohx_bridge.h).
 * Only converts values; every decision is the core's. Built by binding.gyp
 * (target ohx_can -> build/Release/ohx_can.node).
 *
 * Errors: TypeError (code "ERR_INVALID_ARG_TYPE") for a value of the wrong
 * type; RangeError with code = the core's constant name (e.g.
 * "OHX_ERR_INVALID_PERCENT") for a value the core refused.
 * The JS API is listed in modules/can/README.md.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdlib.h>
#include <string.h>

#include "ohx_bridge.h"
#include "ohx_capture.h"

/* modules/brake-mirror/bindings/node/ohx_node_mirror.c: the brake / handbrake mirror (ohx_mirror.h). */
napi_value ohx_node_mirror_init(napi_env env, napi_value exports);

#define CALL(env, expr)                                                                                                \
    do {                                                                                                               \
        if ((expr) != napi_ok) {                                                                                       \
            const napi_extended_error_info *info_ = NULL;                                                              \
            bool pending_ = false;                                                                                     \
            napi_get_last_error_info((env), &info_);                                                                   \
            napi_is_exception_pending((env), &pending_);                                                               \
            if (!pending_)                                                                                             \
                napi_throw_error((env), NULL,                                                                          \
                                 info_ && info_->error_message ? info_->error_message : "napi call failed");           \
            return NULL;                                                                                               \
        }                                                                                                              \
    } while (0)

typedef struct {
    union {
        uint64_t align;
        unsigned char bytes[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    ohx_bridge_t *b;
    ohx_capture_t cap; /* what onFrame/onWire bridged, as a port's receive path captures it */
} wrap_t;

static napi_ref g_ctor;

/* ---- helpers ---------------------------------------------------------- */

static napi_value throw_type(napi_env env, const char *msg)
{
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return NULL;
}

/* Throws for a core error code; returns true if it threw. */
static bool throw_core(napi_env env, int code)
{
    if (code >= 0)
        return false;
    napi_throw_range_error(env, ohx_strerror(code), ohx_strerror(code));
    return true;
}

static bool get_u32(napi_env env, napi_value v, const char *what, uint32_t *out)
{
    napi_valuetype t;
    double d;
    if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
        throw_type(env, what);
        return false;
    }
    napi_get_value_double(env, v, &d);
    if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", what);
        return false;
    }
    *out = (uint32_t)d;
    return true;
}

/* Times are taken modulo 2^32 (the core's clock wraps). */
static bool get_time(napi_env env, napi_value v, uint32_t *out)
{
    napi_valuetype t;
    double d;
    if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
        throw_type(env, "nowMs must be a number");
        return false;
    }
    napi_get_value_double(env, v, &d);
    if (!(d >= 0 && d <= 9007199254740991.0)) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "nowMs must be a non-negative integer");
        return false;
    }
    *out = (uint32_t)(uint64_t)d;
    return true;
}

static bool get_u8(napi_env env, napi_value v, const char *what, uint8_t *out)
{
    uint32_t x;
    if (!get_u32(env, v, what, &x))
        return false;
    if (x > 255) {
        /* let the core produce the precise code: map to an out-of-range byte */
        x = 255;
    }
    *out = (uint8_t)x;
    return true;
}

static napi_value num(napi_env env, double d)
{
    napi_value v;
    napi_create_double(env, d, &v);
    return v;
}

static napi_value age(napi_env env, uint32_t a)
{
    napi_value v;
    if (a == OHX_AGE_NEVER) {
        napi_get_null(env, &v);
        return v;
    }
    return num(env, a);
}

static void set(napi_env env, napi_value obj, const char *key, napi_value v)
{
    napi_set_named_property(env, obj, key, v);
}

static napi_value pair(napi_env env, const uint32_t *a)
{
    napi_value arr;
    napi_create_array_with_length(env, 2, &arr);
    napi_set_element(env, arr, 0, num(env, a[0]));
    napi_set_element(env, arr, 1, num(env, a[1]));
    return arr;
}

static napi_value bytes(napi_env env, const uint8_t *src, size_t n)
{
    napi_value ab, ta;
    void *p;
    napi_create_arraybuffer(env, n, &p, &ab);
    memcpy(p, src, n);
    napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &ta);
    return ta;
}

static bool get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len)
{
    bool is;
    napi_typedarray_type t;
    void *p;
    napi_value ab;
    size_t off;
    if (napi_is_typedarray(env, v, &is) != napi_ok || !is)
        return false;
    napi_get_typedarray_info(env, v, &t, len, &p, &ab, &off);
    if (t != napi_uint8_array)
        return false;
    *data = (uint8_t *)p;
    return true;
}

static bool get_prop(napi_env env, napi_value obj, const char *key, napi_value *out)
{
    bool has = false;
    napi_valuetype t;
    napi_has_named_property(env, obj, key, &has);
    if (!has)
        return false;
    napi_get_named_property(env, obj, key, out);
    napi_typeof(env, *out, &t);
    return t != napi_undefined;
}

static bool get_bool(napi_env env, napi_value v)
{
    bool b = false;
    napi_value c;
    napi_coerce_to_bool(env, v, &c);
    napi_get_value_bool(env, c, &b);
    return b;
}

/* {id, data: Uint8Array(0..8), dlc?, ext?, rtr?} -> ohx_frame_t */
static bool to_frame(napi_env env, napi_value v, ohx_frame_t *f)
{
    napi_valuetype t;
    napi_value x;
    uint8_t *data = NULL;
    size_t len = 0;
    uint32_t u;
    memset(f, 0, sizeof(*f));
    if (napi_typeof(env, v, &t) != napi_ok || t != napi_object) {
        throw_type(env, "frame must be an object {id, data}");
        return false;
    }
    if (!get_prop(env, v, "id", &x)) {
        throw_type(env, "frame.id must be a number");
        return false;
    }
    if (!get_u32(env, x, "frame.id must be a number", &f->id))
        return false;
    if (!get_prop(env, v, "data", &x) || !get_bytes(env, x, &data, &len)) {
        throw_type(env, "frame.data must be a Uint8Array");
        return false;
    }
    if (len > 8) {
        napi_throw_range_error(env, "OHX_ERR_INVALID_FRAME", "frame.data holds at most 8 bytes");
        return false;
    }
    memcpy(f->data, data, len);
    f->dlc = (uint8_t)len;
    if (get_prop(env, v, "dlc", &x)) {
        if (!get_u32(env, x, "frame.dlc must be a number", &u))
            return false;
        if (u > 15 || (u <= 8 && u != len) || (u > 8 && len != 8)) {
            napi_throw_range_error(env, "OHX_ERR_INVALID_FRAME",
                                   "frame.dlc must match frame.data.length (9..15 need 8 bytes)");
            return false;
        }
        f->dlc = (uint8_t)u;
    }
    if (get_prop(env, v, "ext", &x) && get_bool(env, x))
        f->flags |= OHX_FRAME_FLAG_EXT;
    if (get_prop(env, v, "rtr", &x) && get_bool(env, x))
        f->flags |= OHX_FRAME_FLAG_RTR;
    return true;
}

static napi_value from_frame(napi_env env, const ohx_frame_t *f)
{
    napi_value o, t, fl;
    napi_create_object(env, &o);
    set(env, o, "id", num(env, f->id));
    set(env, o, "dlc", num(env, f->dlc));
    napi_get_boolean(env, (f->flags & OHX_FRAME_FLAG_EXT) != 0, &t);
    set(env, o, "ext", t);
    napi_get_boolean(env, (f->flags & OHX_FRAME_FLAG_RTR) != 0, &fl);
    set(env, o, "rtr", fl);
    set(env, o, "data", bytes(env, f->data, f->dlc > 8 ? 8 : f->dlc));
    return o;
}

static wrap_t *this_bridge(napi_env env, napi_callback_info info, size_t want, napi_value *argv)
{
    size_t argc = want;
    napi_value self;
    wrap_t *w = NULL;
    if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok)
        return NULL;
    if (napi_unwrap(env, self, (void **)&w) != napi_ok || !w) {
        throw_type(env, "not a Bridge");
        return NULL;
    }
    for (; argc < want; argc++)
        napi_get_undefined(env, &argv[argc]);
    return w;
}

/* ---- Bridge ----------------------------------------------------------- */

static void finalize(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    free(data);
}

static napi_value bridge_ctor(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value argv[1], self, x;
    napi_valuetype t = napi_undefined;
    ohx_bridge_config_t cfg;
    wrap_t *w;
    int r;
    CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
    ohx_bridge_config_default(&cfg);
    if (argc >= 1)
        napi_typeof(env, argv[0], &t);
    if (t != napi_undefined && t != napi_null) {
        if (t != napi_object)
            return throw_type(env, "options must be an object");
        if (get_prop(env, argv[0], "generation", &x) &&
            !get_u8(env, x, "options.generation must be a number", &cfg.generation))
            return NULL;
        if (get_prop(env, argv[0], "watchdogMs", &x) &&
            !get_u32(env, x, "options.watchdogMs must be a number", &cfg.watchdog_ms))
            return NULL;
    }
    w = (wrap_t *)calloc(1, sizeof(*w));
    if (!w) {
        napi_throw_error(env, "OHX_ERR_NO_MEM", "out of memory");
        return NULL;
    }
    r = ohx_bridge_init(w->mem.bytes, sizeof(w->mem.bytes), &cfg, &w->b);
    if (throw_core(env, r)) {
        free(w);
        return NULL;
    }
    if (napi_wrap(env, self, w, finalize, NULL, NULL) != napi_ok) {
        free(w);
        napi_throw_error(env, NULL, "napi_wrap failed");
        return NULL;
    }
    return self;
}

static napi_value undef(napi_env env)
{
    napi_value v;
    napi_get_undefined(env, &v);
    return v;
}

static napi_value m_set_target(napi_env env, napi_callback_info info)
{
    napi_value a[3];
    wrap_t *w = this_bridge(env, info, 3, a);
    uint8_t mode, pct;
    uint32_t now;
    if (!w)
        return NULL;
    if (!get_u8(env, a[0], "mode must be a number", &mode) || !get_u8(env, a[1], "percent must be a number", &pct) ||
        !get_time(env, a[2], &now))
        return NULL;
    if (throw_core(env, ohx_bridge_set_target(w->b, mode, pct, now)))
        return NULL;
    return undef(env);
}

static napi_value m_set_generation(napi_env env, napi_callback_info info)
{
    napi_value a[1];
    wrap_t *w = this_bridge(env, info, 1, a);
    uint8_t g;
    if (!w || !get_u8(env, a[0], "generation must be a number", &g))
        return NULL;
    if (throw_core(env, ohx_bridge_set_generation(w->b, g)))
        return NULL;
    return undef(env);
}

static napi_value m_set_watchdog(napi_env env, napi_callback_info info)
{
    napi_value a[1];
    wrap_t *w = this_bridge(env, info, 1, a);
    uint32_t ms;
    if (!w || !get_u32(env, a[0], "ms must be a number", &ms))
        return NULL;
    if (throw_core(env, ohx_bridge_set_watchdog_ms(w->b, ms)))
        return NULL;
    return undef(env);
}

static napi_value m_hold(napi_env env, napi_callback_info info)
{
    napi_value a[1];
    wrap_t *w = this_bridge(env, info, 1, a);
    if (!w)
        return NULL;
    ohx_bridge_hold_passthrough(w->b, get_bool(env, a[0]));
    return undef(env);
}

/* The capture timestamp: the optional tsUs argument, else nowMs in us. */
static bool get_ts(napi_env env, napi_value v, uint32_t now_ms, uint32_t *out)
{
    napi_valuetype t = napi_undefined;
    napi_typeof(env, v, &t);
    if (t == napi_undefined) {
        *out = now_ms * 1000u;
        return true;
    }
    return get_time(env, v, out);
}

static napi_value m_on_frame(napi_env env, napi_callback_info info)
{
    napi_value a[4], o;
    wrap_t *w = this_bridge(env, info, 4, a);
    ohx_frame_t in, out;
    uint8_t bus;
    uint32_t now, ts;
    int r;
    if (!w)
        return NULL;
    if (!get_u8(env, a[0], "bus must be a number", &bus) || !to_frame(env, a[1], &in) || !get_time(env, a[2], &now) ||
        !get_ts(env, a[3], now, &ts))
        return NULL;
    r = ohx_bridge_on_frame(w->b, bus, &in, &out, now);
    ohx_capture_put(&w->cap, bus, &in, &out, r, ts);
    if (throw_core(env, r))
        return NULL;
    napi_create_object(env, &o);
    set(env, o, "verdict", num(env, r));
    {
        napi_value t;
        napi_get_boolean(env, r == OHX_FRAME_REWRITTEN, &t);
        set(env, o, "rewritten", t);
    }
    set(env, o, "frame", from_frame(env, &out));
    return o;
}

/* Compact form: onWire(bus, in: Uint8Array(16), out: Uint8Array(16), nowMs) -> verdict */
static napi_value m_on_wire(napi_env env, napi_callback_info info)
{
    napi_value a[4];
    wrap_t *w = this_bridge(env, info, 4, a);
    uint8_t *ib, *ob, bus;
    size_t il, ol;
    uint32_t now;
    ohx_frame_t in, out;
    int r;
    if (!w)
        return NULL;
    if (!get_u8(env, a[0], "bus must be a number", &bus))
        return NULL;
    if (!get_bytes(env, a[1], &ib, &il) || !get_bytes(env, a[2], &ob, &ol))
        return throw_type(env, "in and out must be Uint8Array");
    if (ol < OHX_WIRE_SIZE) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "out must hold 16 bytes");
        return NULL;
    }
    if (!get_time(env, a[3], &now))
        return NULL;
    if (throw_core(env, ohx_wire_decode(ib, il, &in, NULL)))
        return NULL;
    r = ohx_bridge_on_frame(w->b, bus, &in, &out, now);
    ohx_capture_put(&w->cap, bus, &in, &out, r, now * 1000u);
    if (throw_core(env, r))
        return NULL;
    if (throw_core(env, ohx_wire_encode(&out, (uint8_t)(bus ^ 1u), ob, ol)))
        return NULL;
    return num(env, r);
}

static napi_value m_note_event(napi_env env, napi_callback_info info)
{
    napi_value a[2];
    wrap_t *w = this_bridge(env, info, 2, a);
    uint8_t bus, ev;
    if (!w || !get_u8(env, a[0], "bus must be a number", &bus) || !get_u8(env, a[1], "event must be a number", &ev))
        return NULL;
    if (throw_core(env, ohx_bridge_note_event(w->b, bus, ev)))
        return NULL;
    return undef(env);
}

static napi_value m_state(napi_env env, napi_callback_info info)
{
    napi_value a[1];
    wrap_t *w = this_bridge(env, info, 1, a);
    uint32_t now;
    if (!w || !get_time(env, a[0], &now))
        return NULL;
    return num(env, ohx_bridge_state(w->b, now));
}

static napi_value m_snapshot(napi_env env, napi_callback_info info)
{
    napi_value a[1], o;
    wrap_t *w = this_bridge(env, info, 1, a);
    ohx_snapshot_t s;
    uint32_t now;
    if (!w || !get_time(env, a[0], &now))
        return NULL;
    if (throw_core(env, ohx_bridge_snapshot(w->b, now, &s)))
        return NULL;
    napi_create_object(env, &o);
    set(env, o, "speedKmh", num(env, s.speed_centi_kmh / 100.0));
    set(env, o, "speedSource", num(env, s.speed_source));
    set(env, o, "speedAgeMs", age(env, s.speed_age_ms));
    set(env, o, "rpm", num(env, s.rpm_x4 / 4.0));
    set(env, o, "pedalPct", num(env, s.pedal_permille / 10.0));
    set(env, o, "engineAgeMs", age(env, s.engine_age_ms));
    set(env, o, "coolantC", num(env, s.coolant_raw * 0.75 - 48.0));
    set(env, o, "coolantAgeMs", age(env, s.coolant_age_ms));
    set(env, o, "boostKpa", num(env, s.boost_raw));
    set(env, o, "boostAgeMs", age(env, s.boost_age_ms));
    set(env, o, "haldexEngagementPct", num(env, s.haldex_engagement_pct));
    set(env, o, "haldexEngagementRaw", num(env, s.haldex_engagement_raw));
    set(env, o, "haldexState", num(env, s.haldex_state));
    set(env, o, "haldexAgeMs", age(env, s.haldex_age_ms));
    set(env, o, "state", num(env, s.state));
    set(env, o, "mode", num(env, s.mode));
    set(env, o, "targetPct", num(env, s.target_pct));
    set(env, o, "generation", num(env, s.generation));
    set(env, o, "targetAgeMs", age(env, s.target_age_ms));
    set(env, o, "watchdogMs", num(env, s.watchdog_ms));
    return o;
}

static napi_value m_counters(napi_env env, napi_callback_info info)
{
    napi_value a[1], o;
    wrap_t *w = this_bridge(env, info, 0, a);
    ohx_counters_t c;
    if (!w)
        return NULL;
    ohx_bridge_get_counters(w->b, &c);
    napi_create_object(env, &o);
    set(env, o, "frames", pair(env, c.frames));
    set(env, o, "rewritten", num(env, c.rewritten));
    set(env, o, "shortFrames", num(env, c.short_frames));
    set(env, o, "dropped", pair(env, c.dropped));
    set(env, o, "errors", num(env, c.errors));
    set(env, o, "busOff", pair(env, c.bus_off));
    set(env, o, "busOffRecoveries", pair(env, c.bus_off_recoveries));
    set(env, o, "deadBus", pair(env, c.dead_bus));
    set(env, o, "watchdogFallbacks", num(env, c.watchdog_fallbacks));
    set(env, o, "e2eMismatch", num(env, c.e2e_mismatch));
    return o;
}

static napi_value m_reset_counters(napi_env env, napi_callback_info info)
{
    napi_value a[1];
    wrap_t *w = this_bridge(env, info, 0, a);
    if (!w)
        return NULL;
    ohx_bridge_reset_counters(w->b);
    return undef(env);
}

/* ---- capture (ohx_capture.h) ------------------------------------------ */

/* captureConfigure(enabled, filter?: Uint8Array(258)) */
static napi_value m_capture_configure(napi_env env, napi_callback_info info)
{
    napi_value a[2];
    wrap_t *w = this_bridge(env, info, 2, a);
    napi_valuetype t = napi_undefined;
    ohx_capture_filter_t f;
    uint8_t *p;
    size_t n;
    if (!w)
        return NULL;
    napi_typeof(env, a[1], &t);
    if (t == napi_undefined || t == napi_null) {
        ohx_capture_configure(&w->cap, get_bool(env, a[0]), NULL);
        return undef(env);
    }
    if (!get_bytes(env, a[1], &p, &n))
        return throw_type(env, "filter must be a Uint8Array");
    if (n != sizeof(f)) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "filter must be 258 bytes");
        return NULL;
    }
    memcpy(&f, p, sizeof(f));
    ohx_capture_configure(&w->cap, get_bool(env, a[0]), &f);
    return undef(env);
}

/* captureRead(bus, into: Uint8Array) -> entries moved (28 bytes each) */
static napi_value m_capture_read(napi_env env, napi_callback_info info)
{
    napi_value a[2];
    wrap_t *w = this_bridge(env, info, 2, a);
    uint8_t bus, *p;
    size_t n, moved = 0;
    ohx_capture_entry_t e[16];
    if (!w || !get_u8(env, a[0], "bus must be a number", &bus))
        return NULL;
    if (bus >= OHX_BUS_COUNT) {
        throw_core(env, OHX_ERR_INVALID_BUS);
        return NULL;
    }
    if (!get_bytes(env, a[1], &p, &n))
        return throw_type(env, "into must be a Uint8Array");
    n /= OHX_CAPTURE_ENTRY_SIZE;
    /* through an aligned scratch array: a Uint8Array may start anywhere */
    while (moved < n) {
        size_t want = n - moved < 16 ? n - moved : 16, k = ohx_capture_read(&w->cap, bus, e, want);
        memcpy(p + moved * OHX_CAPTURE_ENTRY_SIZE, e, k * OHX_CAPTURE_ENTRY_SIZE);
        moved += k;
        if (k < want)
            break;
    }
    return num(env, (double)moved);
}

static napi_value m_capture_stats(napi_env env, napi_callback_info info)
{
    napi_value o, t, a[1];
    wrap_t *w = this_bridge(env, info, 0, a);
    ohx_capture_stats_t s;
    if (!w)
        return NULL;
    ohx_capture_stats(&w->cap, &s);
    napi_create_object(env, &o);
    set(env, o, "captured", pair(env, s.captured));
    set(env, o, "dropped", pair(env, s.dropped));
    set(env, o, "pending", pair(env, s.pending));
    napi_get_boolean(env, s.enabled != 0, &t);
    set(env, o, "enabled", t);
    return o;
}

/* ---- module functions ------------------------------------------------- */

static napi_value f_create(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value argv[1], ctor, inst;
    CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    if (argc == 0)
        napi_get_undefined(env, &argv[0]);
    CALL(env, napi_get_reference_value(env, g_ctor, &ctor));
    CALL(env, napi_new_instance(env, ctor, 1, argv, &inst));
    return inst;
}

static napi_value f_self_test(napi_env env, napi_callback_info info)
{
    napi_value v;
    (void)info;
    napi_get_boolean(env, ohx_bridge_self_test() == OHX_OK, &v);
    return v;
}

static napi_value f_lock_scale(napi_env env, napi_callback_info info)
{
    size_t argc = 3;
    napi_value a[3];
    uint8_t full, pct;
    CALL(env, napi_get_cb_info(env, info, &argc, a, NULL, NULL));
    if (argc < 2)
        return throw_type(env, "lockScale(full, percent, invert?)");
    if (argc < 3)
        napi_get_undefined(env, &a[2]);
    if (!get_u8(env, a[0], "full must be a number", &full) || !get_u8(env, a[1], "percent must be a number", &pct))
        return NULL;
    return num(env, ohx_lock_scale(full, pct, get_bool(env, a[2])));
}

/* crc8h2f(bytes) and gen5E2eCrc(id, frame8): the core's CRCs, for tests against another implementation. */
static napi_value f_crc8h2f(napi_env env, napi_callback_info info)
{
    size_t argc = 1, len;
    napi_value a[1];
    uint8_t *buf;
    CALL(env, napi_get_cb_info(env, info, &argc, a, NULL, NULL));
    if (argc < 1 || !get_bytes(env, a[0], &buf, &len))
        return throw_type(env, "crc8h2f(bytes)");
    return num(env, ohx_crc8h2f(buf, len));
}

static napi_value f_gen5_e2e_crc(napi_env env, napi_callback_info info)
{
    size_t argc = 2, len;
    napi_value a[2], v;
    uint8_t *buf;
    uint32_t id;
    const uint8_t *ids;
    CALL(env, napi_get_cb_info(env, info, &argc, a, NULL, NULL));
    if (argc < 2 || napi_get_value_uint32(env, a[0], &id) != napi_ok || !get_bytes(env, a[1], &buf, &len) || len != 8)
        return throw_type(env, "gen5E2eCrc(id, frame: 8 bytes)");
    ids = ohx_gen5_data_ids(id);
    if (!ids) {
        napi_get_null(env, &v);
        return v;
    }
    return num(env, ohx_e2e_crc(buf, ids));
}

static napi_value f_wire_encode(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value a[2];
    ohx_frame_t f;
    uint8_t bus, buf[OHX_WIRE_SIZE];
    CALL(env, napi_get_cb_info(env, info, &argc, a, NULL, NULL));
    if (argc < 2)
        return throw_type(env, "wireEncode(frame, bus)");
    if (!to_frame(env, a[0], &f) || !get_u8(env, a[1], "bus must be a number", &bus))
        return NULL;
    if (throw_core(env, ohx_wire_encode(&f, bus, buf, sizeof(buf))))
        return NULL;
    return bytes(env, buf, sizeof(buf));
}

static napi_value f_wire_decode(napi_env env, napi_callback_info info)
{
    size_t argc = 1, len;
    napi_value a[1], o;
    uint8_t *buf, bus;
    ohx_frame_t f;
    CALL(env, napi_get_cb_info(env, info, &argc, a, NULL, NULL));
    if (argc < 1 || !get_bytes(env, a[0], &buf, &len))
        return throw_type(env, "wireDecode(Uint8Array)");
    if (throw_core(env, ohx_wire_decode(buf, len, &f, &bus)))
        return NULL;
    napi_create_object(env, &o);
    set(env, o, "bus", num(env, bus));
    set(env, o, "frame", from_frame(env, &f));
    return o;
}

static napi_value constants(napi_env env, const char *const *names, const int *values, size_t n)
{
    napi_value o;
    size_t i;
    napi_create_object(env, &o);
    for (i = 0; i < n; i++)
        set(env, o, names[i], num(env, values[i]));
    napi_object_freeze(env, o);
    return o;
}

#define CONSTS(env, exports, key, names, values)                                                                       \
    set(env, exports, key, constants(env, names, values, sizeof(values) / sizeof(values[0])))

static napi_value init(napi_env env, napi_value exports)
{
    static const char *const mode_n[] = {"STOCK", "FWD", "5050", "6040", "7525", "CUSTOM"};
    static const int mode_v[] = {OHX_MODE_STOCK, OHX_MODE_FWD,  OHX_MODE_5050,
                                 OHX_MODE_6040,  OHX_MODE_7525, OHX_MODE_CUSTOM};
    static const char *const bus_n[] = {"CHASSIS", "HALDEX"};
    static const int bus_v[] = {OHX_BUS_CHASSIS, OHX_BUS_HALDEX};
    static const char *const st_n[] = {"STOCK", "ACTIVE", "FALLBACK", "HELD"};
    static const int st_v[] = {OHX_STATE_STOCK, OHX_STATE_ACTIVE, OHX_STATE_FALLBACK, OHX_STATE_HELD};
    static const char *const ev_n[] = {"TX_DROPPED", "BUS_OFF_RECOVERED", "BUS_OFF", "DEAD_BUS"};
    static const int ev_v[] = {OHX_EVENT_TX_DROPPED, OHX_EVENT_BUS_OFF_RECOVERED, OHX_EVENT_BUS_OFF,
                               OHX_EVENT_DEAD_BUS};
    static const char *const vd_n[] = {"PASS", "REWRITTEN"};
    static const int vd_v[] = {OHX_FRAME_PASS, OHX_FRAME_REWRITTEN};
    static const char *const sp_n[] = {"NONE", "BRAKES1", "MOTOR2", "ESP_19", "ESP_21"};
    static const int sp_v[] = {OHX_SPEED_SOURCE_NONE, OHX_SPEED_SOURCE_BRAKES1, OHX_SPEED_SOURCE_MOTOR2,
                               OHX_SPEED_SOURCE_ESP_19, OHX_SPEED_SOURCE_ESP_21};
    static const char *const hs_n[] = {"CLUTCH1", "TEMP_PROTECTION", "CLUTCH2", "COUPLING_OPEN", "SPEED_LIMIT"};
    static const int hs_v[] = {OHX_HALDEX_STATE_CLUTCH1, OHX_HALDEX_STATE_TEMP_PROTECTION, OHX_HALDEX_STATE_CLUTCH2,
                               OHX_HALDEX_STATE_COUPLING_OPEN, OHX_HALDEX_STATE_SPEED_LIMIT};
    static const char *const gen_n[] = {"GEN1", "GEN2", "GEN4", "GEN5"};
    static const int gen_v[] = {OHX_GEN_1, OHX_GEN_2, OHX_GEN_4, OHX_GEN_5};
    napi_property_descriptor methods[] = {
        {"setTarget", NULL, m_set_target, NULL, NULL, NULL, napi_default, NULL},
        {"setGeneration", NULL, m_set_generation, NULL, NULL, NULL, napi_default, NULL},
        {"setWatchdogMs", NULL, m_set_watchdog, NULL, NULL, NULL, napi_default, NULL},
        {"holdPassthrough", NULL, m_hold, NULL, NULL, NULL, napi_default, NULL},
        {"onFrame", NULL, m_on_frame, NULL, NULL, NULL, napi_default, NULL},
        {"onWire", NULL, m_on_wire, NULL, NULL, NULL, napi_default, NULL},
        {"noteEvent", NULL, m_note_event, NULL, NULL, NULL, napi_default, NULL},
        {"state", NULL, m_state, NULL, NULL, NULL, napi_default, NULL},
        {"snapshot", NULL, m_snapshot, NULL, NULL, NULL, napi_default, NULL},
        {"counters", NULL, m_counters, NULL, NULL, NULL, napi_default, NULL},
        {"resetCounters", NULL, m_reset_counters, NULL, NULL, NULL, napi_default, NULL},
        {"captureConfigure", NULL, m_capture_configure, NULL, NULL, NULL, napi_default, NULL},
        {"captureRead", NULL, m_capture_read, NULL, NULL, NULL, napi_default, NULL},
        {"captureStats", NULL, m_capture_stats, NULL, NULL, NULL, napi_default, NULL},
    };
    napi_property_descriptor fns[] = {
        {"create", NULL, f_create, NULL, NULL, NULL, napi_enumerable, NULL},
        {"selfTest", NULL, f_self_test, NULL, NULL, NULL, napi_enumerable, NULL},
        {"lockScale", NULL, f_lock_scale, NULL, NULL, NULL, napi_enumerable, NULL},
        {"crc8h2f", NULL, f_crc8h2f, NULL, NULL, NULL, napi_enumerable, NULL},
        {"gen5E2eCrc", NULL, f_gen5_e2e_crc, NULL, NULL, NULL, napi_enumerable, NULL},
        {"wireEncode", NULL, f_wire_encode, NULL, NULL, NULL, napi_enumerable, NULL},
        {"wireDecode", NULL, f_wire_decode, NULL, NULL, NULL, napi_enumerable, NULL},
    };
    napi_value ctor;
    CALL(env, napi_define_class(env, "Bridge", NAPI_AUTO_LENGTH, bridge_ctor, NULL,
                                sizeof(methods) / sizeof(methods[0]), methods, &ctor));
    CALL(env, napi_create_reference(env, ctor, 1, &g_ctor));
    CALL(env, napi_set_named_property(env, exports, "Bridge", ctor));
    CALL(env, napi_define_properties(env, exports, sizeof(fns) / sizeof(fns[0]), fns));
    CONSTS(env, exports, "MODE", mode_n, mode_v);
    CONSTS(env, exports, "BUS", bus_n, bus_v);
    CONSTS(env, exports, "STATE", st_n, st_v);
    CONSTS(env, exports, "EVENT", ev_n, ev_v);
    CONSTS(env, exports, "VERDICT", vd_n, vd_v);
    CONSTS(env, exports, "SPEED_SOURCE", sp_n, sp_v);
    CONSTS(env, exports, "HALDEX_STATE", hs_n, hs_v);
    CONSTS(env, exports, "GEN", gen_n, gen_v);
    set(env, exports, "WIRE_SIZE", num(env, OHX_WIRE_SIZE));
    set(env, exports, "WATCHDOG_DEFAULT_MS", num(env, OHX_WATCHDOG_DEFAULT_MS));
    return ohx_node_mirror_init(env, exports);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
