/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small test runner in libuv's manner: a registry of tests, each run in
 * its own process with a timeout; ASSERT_* print both sides and stop the test. */
#ifndef STS_TEST_H
#define STS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_IMPL(name)                                                                            \
    void test_##name(void);                                                                        \
    void test_##name(void)

#define FAIL_AT(...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                          \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        exit(1);                                                                                   \
    } while (0)

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) FAIL_AT("assertion failed: %s", #cond);                                       \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) FAIL_AT("%s == %s: %lld != %lld", #a, #b, a_, b_);                           \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            FAIL_AT("%s == %s:\n    got:      \"%s\"\n    expected: \"%s\"", #a, #b,               \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
    } while (0)

#endif
