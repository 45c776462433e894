/*
 * Unit tests for modules/can/core/ohx_mirror.h (brake / handbrake outputs).
 * [spec] every test: the behaviour the header specifies. Each test builds
 * its own mirror (no shared state).
 */
#include "harness.h"
#include "ohx_mirror.h"

static ohx_mirror_t make(uint8_t mode, uint16_t debounce)
{
    ohx_mirror_t m;
    ohx_mirror_config_t c;
    c.mode = mode;
    c.debounce_ms = debounce;
    memset(&m, 0xAB, sizeof(m));
    if (ohx_mirror_init(&m, &c) != OHX_OK)
        memset(&m, 0, sizeof(m));
    return m;
}

/* [spec] init/configure verify their arguments and return exact codes. */
TEST(init_and_configure_verify_arguments)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 0);
    ohx_mirror_config_t c = {OHX_MIRROR_FOLLOW, 0};
    CHECK_EQ(ohx_mirror_init(NULL, &c), OHX_ERR_INVALID_ARG);
    CHECK_EQ(ohx_mirror_init(&m, NULL), OHX_ERR_INVALID_ARG);
    c.mode = OHX_MIRROR_MODE_COUNT;
    CHECK_EQ(ohx_mirror_init(&m, &c), OHX_ERR_MIRROR_CONFIG);
    CHECK_EQ(ohx_mirror_configure(&m, &c), OHX_ERR_MIRROR_CONFIG);
    c.mode = OHX_MIRROR_INVERT;
    c.debounce_ms = OHX_MIRROR_DEBOUNCE_MAX_MS + 1;
    CHECK_EQ(ohx_mirror_configure(&m, &c), OHX_ERR_MIRROR_CONFIG);
    CHECK_EQ(m.mode, OHX_MIRROR_FOLLOW); /* untouched on error */
    c.debounce_ms = OHX_MIRROR_DEBOUNCE_MAX_MS;
    CHECK_EQ(ohx_mirror_configure(&m, &c), OHX_OK);
    CHECK_EQ(ohx_mirror_configure(NULL, &c), OHX_ERR_INVALID_ARG);
    CHECK(!ohx_mirror_update(NULL, true, 0));
    CHECK(strcmp(ohx_mirror_strerror(OHX_ERR_MIRROR_CONFIG), "OHX_ERR_MIRROR_CONFIG") == 0);
    CHECK(strcmp(ohx_mirror_strerror(OHX_ERR_INVALID_ARG), "OHX_ERR_INVALID_ARG") == 0);
    CHECK_BYTES(&c.mode, &m.mode, 1, "configured mode");
}

/* [spec] the truth table of the three modes. */
TEST(modes_give_off_follow_invert)
{
    CHECK(!ohx_mirror_output(OHX_MIRROR_OFF, false));
    CHECK(!ohx_mirror_output(OHX_MIRROR_OFF, true));
    CHECK(!ohx_mirror_output(OHX_MIRROR_FOLLOW, false));
    CHECK(ohx_mirror_output(OHX_MIRROR_FOLLOW, true));
    CHECK(ohx_mirror_output(OHX_MIRROR_INVERT, false));
    CHECK(!ohx_mirror_output(OHX_MIRROR_INVERT, true));
    CHECK(!ohx_mirror_output(7, true));
}

/* [spec] before any sample the output is what a low input gives; INVERT starts high. */
TEST(initial_output_is_for_a_low_input)
{
    ohx_mirror_t f = make(OHX_MIRROR_FOLLOW, 0), i = make(OHX_MIRROR_INVERT, 0);
    CHECK_EQ(f.out, 0);
    CHECK_EQ(i.out, 1);
    CHECK_EQ(f.changes, 0);
}

/* [spec] debounce 0: the output follows in the same call, both edges. */
TEST(follow_without_debounce_is_immediate)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 0);
    CHECK(!ohx_mirror_update(&m, false, 100));
    CHECK(ohx_mirror_update(&m, true, 101));
    CHECK(!ohx_mirror_update(&m, false, 102));
    CHECK_EQ(m.changes, 2);
}

/* [spec] the first sample is taken as debounced at once (no boot delay). */
TEST(first_sample_is_stable_at_once)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 50);
    CHECK(ohx_mirror_update(&m, true, 1000));
}

/* [spec] debounce boundaries: an edge at t shows at t + debounce, not at t + debounce - 1. */
TEST(debounce_boundaries_19_20)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 20);
    ohx_mirror_update(&m, false, 0);
    CHECK(!ohx_mirror_update(&m, true, 100));
    CHECK(!ohx_mirror_update(&m, true, 119));
    CHECK(ohx_mirror_update(&m, true, 120));
    /* release */
    CHECK(ohx_mirror_update(&m, false, 200));
    CHECK(ohx_mirror_update(&m, false, 219));
    CHECK(!ohx_mirror_update(&m, false, 220));
}

/* [spec] a pulse shorter than the debounce never reaches the output. */
TEST(glitch_shorter_than_debounce_is_ignored)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 10);
    unsigned t;
    ohx_mirror_update(&m, false, 0);
    for (t = 1; t < 200; t += 2) {
        CHECK(!ohx_mirror_update(&m, true, t));
        CHECK(!ohx_mirror_update(&m, false, t + 1));
    }
    CHECK_EQ(m.changes, 0);
}

/* [spec] with a 1 ms sampler, latency is debounce + at most one period. */
TEST(sampled_latency_is_debounce_plus_one_period)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 5);
    uint32_t t, edge = 1000, seen = 0;
    ohx_mirror_update(&m, false, 0);
    for (t = 1; t < 2000; t++) {
        bool in = t >= edge;
        if (ohx_mirror_update(&m, in, t) && !seen)
            seen = t;
    }
    CHECK_EQ(seen, edge + 5);
}

/* [spec] INVERT drives the opposite level, with the same debounce. */
TEST(invert_inverts)
{
    ohx_mirror_t m = make(OHX_MIRROR_INVERT, 0);
    CHECK(ohx_mirror_update(&m, false, 0));
    CHECK(!ohx_mirror_update(&m, true, 1));
}

/* [spec] configure keeps the input state and recomputes the output at once. */
TEST(configure_recomputes_the_output)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 0);
    ohx_mirror_config_t c = {OHX_MIRROR_OFF, 0};
    CHECK(ohx_mirror_update(&m, true, 0));
    CHECK_EQ(ohx_mirror_configure(&m, &c), OHX_OK);
    CHECK_EQ(m.out, 0);
    c.mode = OHX_MIRROR_INVERT;
    ohx_mirror_configure(&m, &c);
    CHECK_EQ(m.out, 0); /* input high, inverted */
    c.mode = OHX_MIRROR_FOLLOW;
    ohx_mirror_configure(&m, &c);
    CHECK_EQ(m.out, 1);
    CHECK_EQ(m.changes, 3); /* on (first sample), off (OFF), on (FOLLOW) */
}

/* [spec] the clock may wrap; a sample stamped before the edge is not "old". */
TEST(time_wraps_and_early_stamps_are_safe)
{
    ohx_mirror_t m = make(OHX_MIRROR_FOLLOW, 10);
    ohx_mirror_update(&m, false, 0xFFFFFFF0u);
    CHECK(!ohx_mirror_update(&m, true, 0xFFFFFFFBu));
    CHECK(!ohx_mirror_update(&m, true, 0xFFFFFFFAu)); /* earlier stamp */
    CHECK(ohx_mirror_update(&m, true, 0x00000005u));  /* 10 ms later, across the wrap */
}

int main(void)
{
    RUN(init_and_configure_verify_arguments);
    RUN(modes_give_off_follow_invert);
    RUN(initial_output_is_for_a_low_input);
    RUN(follow_without_debounce_is_immediate);
    RUN(first_sample_is_stable_at_once);
    RUN(debounce_boundaries_19_20);
    RUN(glitch_shorter_than_debounce_is_ignored);
    RUN(sampled_latency_is_debounce_plus_one_period);
    RUN(invert_inverts);
    RUN(configure_recomputes_the_output);
    RUN(time_wraps_and_early_stamps_are_safe);
    return ohx_test_summary();
}
