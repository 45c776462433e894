/*
 * OpenHaldex XS - JSON string text into a caller's buffer (see ohx_json.h).
 */
#include "ohx_json.h"

static const char k_hex[] = "0123456789abcdef";

static long put_escape(uint8_t *out, size_t cap, size_t at, unsigned code)
{
    if (cap - at < 6)
        return -1;
    out[at] = '\\';
    out[at + 1] = 'u';
    out[at + 2] = (uint8_t)k_hex[(code >> 12) & 15];
    out[at + 3] = (uint8_t)k_hex[(code >> 8) & 15];
    out[at + 4] = (uint8_t)k_hex[(code >> 4) & 15];
    out[at + 5] = (uint8_t)k_hex[code & 15];
    return (long)(at + 6);
}

static long put_pair(uint8_t *out, size_t cap, size_t at, char c)
{
    if (cap - at < 2)
        return -1;
    out[at] = '\\';
    out[at + 1] = (uint8_t)c;
    return (long)(at + 2);
}

/* One character of text[i..): what to write for it, and how many bytes it took. */
static long put_char(uint8_t *out, size_t cap, size_t at, const uint8_t *t, size_t n, size_t *i)
{
    uint8_t b = t[*i];
    if (b == 0xC0 && *i + 1 < n && t[*i + 1] == 0x80) { /* XS's NUL */
        *i += 2;
        return put_escape(out, cap, at, 0);
    }
    if (b == 0xED && *i + 2 < n && t[*i + 1] >= 0xA0) { /* a lone surrogate, 3 bytes in XS */
        unsigned code = 0xD000u | ((unsigned)(t[*i + 1] & 0x3F) << 6) | (unsigned)(t[*i + 2] & 0x3F);
        *i += 3;
        return put_escape(out, cap, at, code);
    }
    *i += 1;
    switch (b) {
    case '"':
        return put_pair(out, cap, at, '"');
    case '\\':
        return put_pair(out, cap, at, '\\');
    case '\b':
        return put_pair(out, cap, at, 'b');
    case '\f':
        return put_pair(out, cap, at, 'f');
    case '\n':
        return put_pair(out, cap, at, 'n');
    case '\r':
        return put_pair(out, cap, at, 'r');
    case '\t':
        return put_pair(out, cap, at, 't');
    default:
        break;
    }
    if (b < 0x20)
        return put_escape(out, cap, at, b);
    if (at >= cap)
        return -1;
    out[at] = b;
    return (long)(at + 1);
}

long ohx_json_put(uint8_t *out, size_t cap, size_t at, const char *text, size_t n, int quoted)
{
    const uint8_t *t = (const uint8_t *)text;
    size_t i = 0;
    long next;
    if (!out || at > cap || (n && !text))
        return -1;
    if (!quoted) {
        if (n > cap - at)
            return -1;
        for (i = 0; i < n; i++)
            out[at + i] = t[i];
        return (long)(at + n);
    }
    if (at >= cap)
        return -1;
    out[at++] = '"';
    while (i < n) {
        next = put_char(out, cap, at, t, n, &i);
        if (next < 0)
            return -1;
        at = (size_t)next;
    }
    if (at >= cap)
        return -1;
    out[at++] = '"';
    return (long)at;
}
