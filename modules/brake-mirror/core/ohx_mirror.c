/*
 * OpenHaldex XS - brake / handbrake output mirror. Specification:
 * ohx_mirror.h. Pure C99, no platform headers.
 */
#include "ohx_mirror.h"

#ifndef OHX_HOT
#define OHX_HOT
#endif

static int valid(const ohx_mirror_config_t *cfg)
{
    return cfg->mode < OHX_MIRROR_MODE_COUNT && cfg->debounce_ms <= OHX_MIRROR_DEBOUNCE_MAX_MS;
}

OHX_HOT bool ohx_mirror_output(uint8_t mode, bool input)
{
    if (mode == OHX_MIRROR_FOLLOW)
        return input;
    if (mode == OHX_MIRROR_INVERT)
        return !input;
    return false;
}

int ohx_mirror_init(ohx_mirror_t *m, const ohx_mirror_config_t *cfg)
{
    if (!m || !cfg)
        return OHX_ERR_INVALID_ARG;
    if (!valid(cfg))
        return OHX_ERR_MIRROR_CONFIG;
    m->mode = cfg->mode;
    m->debounce_ms = cfg->debounce_ms;
    m->seen = 0;
    m->raw = 0;
    m->stable = 0;
    m->out = ohx_mirror_output(m->mode, false) ? 1u : 0u;
    m->raw_since_ms = 0;
    m->changes = 0;
    return OHX_OK;
}

static OHX_HOT void set_out(ohx_mirror_t *m)
{
    uint8_t out = ohx_mirror_output(m->mode, m->stable != 0) ? 1u : 0u;
    if (out != m->out) {
        m->out = out;
        m->changes++;
    }
}

int ohx_mirror_configure(ohx_mirror_t *m, const ohx_mirror_config_t *cfg)
{
    if (!m || !cfg)
        return OHX_ERR_INVALID_ARG;
    if (!valid(cfg))
        return OHX_ERR_MIRROR_CONFIG;
    m->mode = cfg->mode;
    m->debounce_ms = cfg->debounce_ms;
    set_out(m);
    return OHX_OK;
}

OHX_HOT bool ohx_mirror_update(ohx_mirror_t *m, bool level, uint32_t now_ms)
{
    uint8_t l = level ? 1u : 0u;
    uint32_t age;
    if (!m)
        return false;
    if (!m->seen) {
        m->seen = 1;
        m->raw = l;
        m->stable = l;
        m->raw_since_ms = now_ms;
        set_out(m);
        return m->out != 0;
    }
    if (l != m->raw) {
        m->raw = l;
        m->raw_since_ms = now_ms;
    }
    age = now_ms - m->raw_since_ms;
    if (age & 0x80000000u)
        age = 0; /* a sample stamped before the edge: not stable yet */
    if (m->raw != m->stable && age >= m->debounce_ms)
        m->stable = m->raw;
    set_out(m);
    return m->out != 0;
}

const char *ohx_mirror_strerror(int code)
{
    if (code == OHX_ERR_MIRROR_CONFIG)
        return "OHX_ERR_MIRROR_CONFIG";
    return ohx_strerror(code);
}
