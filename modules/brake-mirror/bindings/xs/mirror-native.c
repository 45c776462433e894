/*
 * OpenHaldex XS - xsmc binding of the brake / handbrake mirrors. Only
 * converts values; the mirrors run in the board I/O port (ohx_io_port.h).
 * Includes no platform header: compiles on the host against the XS headers
 * (make -C host-tests/c xs-binding-check).
 */
#include "ohx_io_port.h" /* first: brings <stddef.h>, which xs.h expects */

#include "xsmc.h"

static int arg_int(xsMachine *the, int i, const char *what)
{
    int t = xsmcArgc > i ? xsmcTypeOf(xsArg(i)) : xsUndefinedType;
    if (t != xsIntegerType && t != xsNumberType)
        xsTypeError("%s must be a number", what);
    return xsmcToInteger(xsArg(i));
}

static void check(xsMachine *the, int code)
{
    if (code == OHX_OK)
        return;
    if (code == OHX_ERR_INVALID_ARG)
        xsRangeError("%s", ohx_mirror_strerror(code));
    xsRangeError("%s", ohx_mirror_strerror(code));
}

void xs_ohx_mirror_destructor(void *data)
{
    (void)data; /* the port outlives every JS object */
}

void xs_ohx_mirror(xsMachine *the)
{
    check(the, ohx_io_start());
}

void xs_ohx_mirror_configure(xsMachine *the)
{
    int ch = arg_int(the, 0, "channel"), mode = arg_int(the, 1, "mode"), deb = arg_int(the, 2, "debounceMs");
    ohx_mirror_config_t cfg;
    if (ch < 0 || ch >= OHX_MIRROR_CHANNEL_COUNT)
        check(the, OHX_ERR_INVALID_ARG);
    cfg.mode = (uint8_t)(mode < 0 || mode > 255 ? 255 : mode);
    cfg.debounce_ms = (uint16_t)(deb < 0 || deb > 65535 ? 65535 : deb);
    check(the, ohx_io_mirror_configure((uint8_t)ch, &cfg));
}

void xs_ohx_mirror_status(xsMachine *the)
{
    int ch = arg_int(the, 0, "channel");
    ohx_mirror_t m;
    if (ch < 0 || ch >= OHX_MIRROR_CHANNEL_COUNT)
        check(the, OHX_ERR_INVALID_ARG);
    check(the, ohx_io_mirror_get((uint8_t)ch, &m));
    xsmcVars(1);
    xsmcSetNewObject(xsResult);
    xsmcSetInteger(xsVar(0), m.mode);
    xsmcSet(xsResult, xsID("mode"), xsVar(0));
    xsmcSetInteger(xsVar(0), m.debounce_ms);
    xsmcSet(xsResult, xsID("debounceMs"), xsVar(0));
    xsmcSetBoolean(xsVar(0), m.raw);
    xsmcSet(xsResult, xsID("raw"), xsVar(0));
    xsmcSetBoolean(xsVar(0), m.stable);
    xsmcSet(xsResult, xsID("input"), xsVar(0));
    xsmcSetBoolean(xsVar(0), m.out);
    xsmcSet(xsResult, xsID("output"), xsVar(0));
    xsmcSetInteger(xsVar(0), (xsIntegerValue)m.changes);
    xsmcSet(xsResult, xsID("changes"), xsVar(0));
}
