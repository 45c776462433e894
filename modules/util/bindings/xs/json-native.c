/*
 * OpenHaldex XS - xsmc binding of ohx_json_put (util/core/ohx_json.h): a
 * string's bytes, as XS keeps them, written into a Uint8Array without
 * making a string or an object. Only converts values; includes no platform
 * header (make -C host-tests/c xs-binding-check).
 */
#include "ohx_json.h" /* first: brings <stddef.h>, which xs.h expects */

#include <string.h>

#include "xsmc.h"

/* jsonPut(out: Uint8Array, at: number, text: string, quoted: boolean): number (the index after, or -1) */
void xs_ohx_json_put(xsMachine *the)
{
    void *data;
    xsUnsignedValue size;
    xsIntegerValue at;
    const char *text;
    long next;
    if (xsmcArgc < 4)
        xsTypeError("jsonPut(out, at, text, quoted)");
    xsmcGetBufferWritable(xsArg(0), &data, &size);
    at = xsmcToInteger(xsArg(1));
    if (xsmcTypeOf(xsArg(2)) != xsStringType && xsmcTypeOf(xsArg(2)) != xsStringXType)
        xsTypeError("text must be a string");
    if (at < 0) {
        xsmcSetInteger(xsResult, -1);
        return;
    }
    /* No allocation between reading the string's pointer and the copy: it cannot move. */
    text = xsmcToString(xsArg(2));
    next = ohx_json_put((uint8_t *)data, (size_t)size, (size_t)at, text, strlen(text), xsmcTest(xsArg(3)));
    xsmcSetInteger(xsResult, (xsIntegerValue)next);
}
