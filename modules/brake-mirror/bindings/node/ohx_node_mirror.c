/*
 * OpenHaldex XS - Node-API binding of the brake / handbrake mirror
 * (core/ohx_mirror.h). Only converts values. Registered from ohx_node.c's
 * init through ohx_node_mirror_init(); exports:
 *   new Mirror({mode?: 0|1|2, debounceMs?}) ; m.update(level: boolean, nowMs) -> boolean
 *   m.configure({mode, debounceMs}) ; m.status() -> {mode, debounceMs, raw, input, output, changes}
 *   MIRROR_MODE {OFF, FOLLOW, INVERT}, MIRROR_DEBOUNCE_MAX_MS
 * Errors: TypeError for a wrong type; RangeError "OHX_ERR_MIRROR_CONFIG" for a refused value.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdlib.h>

#include "ohx_mirror.h"

napi_value ohx_node_mirror_init(napi_env env, napi_value exports);

static napi_value type_error(napi_env env, const char *msg)
{
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return NULL;
}

static void finalize(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    free(data);
}

static ohx_mirror_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv)
{
    napi_value self;
    void *p = NULL;
    if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok)
        return NULL;
    if (napi_unwrap(env, self, &p) != napi_ok || !p) {
        type_error(env, "not a Mirror");
        return NULL;
    }
    return (ohx_mirror_t *)p;
}

/* Reads {mode, debounceMs} over defaults; false after throwing. */
static bool read_config(napi_env env, napi_value obj, ohx_mirror_config_t *cfg)
{
    static const char *const keys[2] = {"mode", "debounceMs"};
    napi_valuetype t;
    int i;
    if (napi_typeof(env, obj, &t) != napi_ok || t != napi_object) {
        type_error(env, "Mirror config must be an object {mode, debounceMs}");
        return false;
    }
    for (i = 0; i < 2; i++) {
        bool has = false;
        napi_value v;
        double d;
        napi_has_named_property(env, obj, keys[i], &has);
        if (!has)
            continue;
        napi_get_named_property(env, obj, keys[i], &v);
        if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
            type_error(env, i ? "debounceMs must be a number" : "mode must be a number");
            return false;
        }
        napi_get_value_double(env, v, &d);
        if (!(d >= 0 && d <= 65535) || d != (double)(uint16_t)d)
            d = 65535; /* out of range: the core names it */
        if (i == 0)
            cfg->mode = (uint8_t)(d > 255 ? 255 : d);
        else
            cfg->debounce_ms = (uint16_t)d;
    }
    return true;
}

static bool check(napi_env env, int code)
{
    if (code == OHX_OK)
        return true;
    napi_throw_range_error(env, ohx_mirror_strerror(code), ohx_mirror_strerror(code));
    return false;
}

static napi_value ctor(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value argv[1], self;
    ohx_mirror_config_t cfg = {OHX_MIRROR_FOLLOW, 0};
    ohx_mirror_t *m;
    if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok)
        return NULL;
    if (argc > 0 && !read_config(env, argv[0], &cfg))
        return NULL;
    m = (ohx_mirror_t *)calloc(1, sizeof(*m));
    if (!m) {
        napi_throw_error(env, NULL, "out of memory");
        return NULL;
    }
    if (!check(env, ohx_mirror_init(m, &cfg))) {
        free(m);
        return NULL;
    }
    if (napi_wrap(env, self, m, finalize, NULL, NULL) != napi_ok) {
        free(m);
        return NULL;
    }
    return self;
}

static napi_value m_update(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2], r;
    bool level;
    double now;
    napi_valuetype t;
    ohx_mirror_t *m = unwrap(env, info, &argc, argv);
    if (!m)
        return NULL;
    if (argc < 2 || napi_get_value_bool(env, argv[0], &level) != napi_ok)
        return type_error(env, "update(level: boolean, nowMs: number)");
    if (napi_typeof(env, argv[1], &t) != napi_ok || t != napi_number)
        return type_error(env, "update(level: boolean, nowMs: number)");
    napi_get_value_double(env, argv[1], &now);
    napi_get_boolean(env, ohx_mirror_update(m, level, (uint32_t)(int64_t)now), &r);
    return r;
}

static napi_value m_configure(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value argv[1];
    ohx_mirror_config_t cfg;
    ohx_mirror_t *m = unwrap(env, info, &argc, argv);
    if (!m)
        return NULL;
    cfg.mode = m->mode;
    cfg.debounce_ms = m->debounce_ms;
    if (argc < 1)
        return type_error(env, "configure({mode, debounceMs})");
    if (!read_config(env, argv[0], &cfg))
        return NULL;
    if (!check(env, ohx_mirror_configure(m, &cfg)))
        return NULL;
    return NULL;
}

static void put(napi_env env, napi_value o, const char *k, double v)
{
    napi_value x;
    napi_create_double(env, v, &x);
    napi_set_named_property(env, o, k, x);
}

static void put_bool(napi_env env, napi_value o, const char *k, bool v)
{
    napi_value x;
    napi_get_boolean(env, v, &x);
    napi_set_named_property(env, o, k, x);
}

static napi_value m_status(napi_env env, napi_callback_info info)
{
    size_t argc = 0;
    napi_value o;
    ohx_mirror_t *m = unwrap(env, info, &argc, NULL);
    if (!m)
        return NULL;
    napi_create_object(env, &o);
    put(env, o, "mode", m->mode);
    put(env, o, "debounceMs", m->debounce_ms);
    put_bool(env, o, "raw", m->raw != 0);
    put_bool(env, o, "input", m->stable != 0);
    put_bool(env, o, "output", m->out != 0);
    put(env, o, "changes", m->changes);
    return o;
}

napi_value ohx_node_mirror_init(napi_env env, napi_value exports)
{
    napi_property_descriptor methods[] = {
        {"update", NULL, m_update, NULL, NULL, NULL, napi_default, NULL},
        {"configure", NULL, m_configure, NULL, NULL, NULL, napi_default, NULL},
        {"status", NULL, m_status, NULL, NULL, NULL, napi_default, NULL},
    };
    napi_value cls, modes;
    if (napi_define_class(env, "Mirror", NAPI_AUTO_LENGTH, ctor, NULL, 3, methods, &cls) != napi_ok)
        return exports;
    napi_set_named_property(env, exports, "Mirror", cls);
    napi_create_object(env, &modes);
    put(env, modes, "OFF", OHX_MIRROR_OFF);
    put(env, modes, "FOLLOW", OHX_MIRROR_FOLLOW);
    put(env, modes, "INVERT", OHX_MIRROR_INVERT);
    napi_object_freeze(env, modes);
    napi_set_named_property(env, exports, "MIRROR_MODE", modes);
    put(env, exports, "MIRROR_DEBOUNCE_MAX_MS", OHX_MIRROR_DEBOUNCE_MAX_MS);
    return exports;
}
