/*
 * [spec] ohx_json_put: a JSON string as JSON.stringify writes it, into a
 * caller's buffer, never past its end. Under ASan/UBSan, each case runs in
 * a heap buffer of exactly the room it needs, and of every size short of
 * it, so a write one past the end is a crash, not a pass.
 */
#include <stdlib.h>

#include "harness.h"
#include "ohx_json.h"

/* Writes `text` quoted (or not) at offset 1 of a buffer of exactly 1 + strlen(want) bytes; checks every shorter one
 * refuses. */
static void expect(const char *text, size_t n, int quoted, const char *want)
{
    size_t need = 1 + strlen(want), cap;
    uint8_t *out;
    long got;
    for (cap = 0; cap <= need; cap++) {
        out = malloc(cap ? cap : 1);
        memset(out, '#', cap);
        got = ohx_json_put(out, cap, cap ? 1 : 0, text, n, quoted);
        if (cap < need && got != -1 && !(cap == 0 && need == 1))
            FAILF("%s: fits in %zu of %zu bytes (returned %ld)", want, cap, need, got);
        if (cap == need) {
            if (got != (long)need)
                FAILF("%s: returned %ld, want %zu", want, got, need);
            else if (memcmp(out + 1, want, need - 1) != 0)
                FAILF("wrote \"%.*s\", want \"%s\"", (int)(need - 1), (const char *)out + 1, want);
            if (out[0] != '#')
                FAILF("%s: wrote before `at`", want);
        }
        free(out);
    }
}

#define Q(text, want) expect(text, sizeof(text) - 1, 1, want)

TEST(plain_text_is_quoted_as_is)
{
    Q("", "\"\"");
    Q("STOCK", "\"STOCK\"");
    Q("alternate-white", "\"alternate-white\"");
}

TEST(escapes_what_json_stringify_escapes)
{
    Q("a\"b", "\"a\\\"b\"");
    Q("a\\b", "\"a\\\\b\"");
    Q("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
    Q("\x01\x0b\x1f", "\"\\u0001\\u000b\\u001f\"");
    Q("/~\x7f", "\"/~\x7f\"");
}

TEST(utf8_passes_through_and_xs_nul_and_lone_surrogates_are_escaped)
{
    Q("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80", "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80\"");
    Q("a\xc0\x80z", "\"a\\u0000z\"");      /* XS keeps NUL as C0 80 */
    Q("\xed\xa0\x80", "\"\\ud800\"");      /* a lone high surrogate */
    Q("x\xed\xbf\xbfy", "\"x\\udfffy\"");  /* a lone low surrogate */
    Q("\xed\x9f\xbf", "\"\xed\x9f\xbf\""); /* U+D7FF is no surrogate */
}

TEST(unquoted_copies_bytes)
{
    expect("42.61", 5, 0, "42.61");
    expect("-1e-7", 5, 0, "-1e-7");
}

TEST(refuses_bad_arguments)
{
    uint8_t out[8];
    CHECK(ohx_json_put(NULL, 8, 0, "a", 1, 1) == -1);
    CHECK(ohx_json_put(out, 8, 9, "a", 1, 1) == -1);
    CHECK(ohx_json_put(out, 8, 0, NULL, 1, 1) == -1);
    CHECK(ohx_json_put(out, 8, 8, "", 0, 0) == 8);
    /* Writing at an offset leaves what is before it alone. */
    memset(out, 'x', sizeof out);
    CHECK(ohx_json_put(out, 8, 2, "ab", 2, 1) == 6);
    CHECK_BYTES(out, (const unsigned char *)"xx\"ab\"xx", 8, "at offset 2");
}

int main(void)
{
    RUN(plain_text_is_quoted_as_is);
    RUN(escapes_what_json_stringify_escapes);
    RUN(utf8_passes_through_and_xs_nul_and_lone_surrogates_are_escaped);
    RUN(unquoted_copies_bytes);
    RUN(refuses_bad_arguments);
    return ohx_test_summary();
}
