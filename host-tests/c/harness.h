/*
 * Minimal C test harness: TEST(name) declares a test, CHECK*(...) record
 * failures with file:line and what differed, RUN(name) runs one test.
 * main() ends with ohx_test_summary(), which prints exactly
 * "N passed, N failed" as its last line and returns the exit status.
 */
#ifndef OHX_TEST_HARNESS_H
#define OHX_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

static int ohx_t_passed, ohx_t_failed, ohx_t_cur_failed;
static const char *ohx_t_name;

#define TEST(name) static void name(void)

#define RUN(name)                                                                                                      \
    do {                                                                                                               \
        ohx_t_name = #name;                                                                                            \
        ohx_t_cur_failed = 0;                                                                                          \
        name();                                                                                                        \
        if (ohx_t_cur_failed) {                                                                                        \
            ohx_t_failed++;                                                                                            \
            printf("FAIL %s\n", #name);                                                                                \
        } else {                                                                                                       \
            ohx_t_passed++;                                                                                            \
            printf("ok   %s\n", #name);                                                                                \
        }                                                                                                              \
    } while (0)

#define FAILF(...)                                                                                                     \
    do {                                                                                                               \
        ohx_t_cur_failed = 1;                                                                                          \
        printf("  %s:%d: %s: ", __FILE__, __LINE__, ohx_t_name);                                                       \
        printf(__VA_ARGS__);                                                                                           \
        printf("\n");                                                                                                  \
    } while (0)

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            FAILF("expected %s", #cond);                                                                               \
    } while (0)

#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        long long ohx_a_ = (long long)(a), ohx_b_ = (long long)(b);                                                    \
        if (ohx_a_ != ohx_b_)                                                                                          \
            FAILF("%s == %lld, expected %s == %lld", #a, ohx_a_, #b, ohx_b_);                                          \
    } while (0)

static void ohx_t_hex(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        printf("%02X%s", p[i], i + 1 < n ? " " : "");
}

#define CHECK_BYTES(got, want, n, what)                                                                                \
    do {                                                                                                               \
        if (memcmp((got), (want), (n)) != 0) {                                                                         \
            FAILF("%s: bytes differ", (what));                                                                         \
            printf("    got  ");                                                                                       \
            ohx_t_hex((const unsigned char *)(got), (n));                                                              \
            printf("\n    want ");                                                                                     \
            ohx_t_hex((const unsigned char *)(want), (n));                                                             \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

static int ohx_test_summary(void)
{
    printf("%d passed, %d failed\n", ohx_t_passed, ohx_t_failed);
    return ohx_t_failed ? 1 : 0;
}

#endif
