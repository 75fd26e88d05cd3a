/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/input/shard.h"
#include "tests/unit/test.h"

TEST_IMPL(shard_arithmetic)
{
    /* Stable: the same name is in the same shard in every version (the
     * cluster's shards of one survey may be run by different builds). */
    ASSERT_EQ(shard_hash("example.com", 11), 0x4d07e1c6cc597ab7ull); /* by the formula, in Python */
    ASSERT_EQ(shard_of("example.com", 11, 1), 0);
    /* 100k names over N shards: each in exactly one, within 4 % of even
     * (four standard deviations of a fair split into 8 at this size). */
    static const unsigned ns[] = {2, 4, 7, 8};
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        unsigned n = ns[t];
        unsigned counts[8] = {0};
        for (int i = 0; i < 100000; i++) {
            char name[32];
            int len = snprintf(name, sizeof name, "d%d.example", i);
            unsigned s = shard_of(name, (size_t)len, n);
            ASSERT(s < n);
            ASSERT_EQ(shard_of(name, (size_t)len, n), s);
            counts[s]++;
        }
        unsigned total = 0;
        for (unsigned s = 0; s < n; s++) {
            double even = 100000.0 / n;
            ASSERT(counts[s] > even * 0.96 && counts[s] < even * 1.04);
            total += counts[s];
        }
        ASSERT_EQ(total, 100000);
    }
}

static int parse_ok(const char *arg, unsigned k, unsigned n)
{
    struct shard s;
    char why[200];
    return shard_parse(arg, &s, why, sizeof why) == 0 && s.k == k && s.n == n;
}

static int parse_fails(const char *arg)
{
    struct shard s;
    char why[200] = "";
    return shard_parse(arg, &s, why, sizeof why) == -1 && why[0] != '\0';
}

TEST_IMPL(shard_parse_and_auto)
{
    ASSERT(parse_ok("0/1", 0, 1));
    ASSERT(parse_ok("3/4", 3, 4));
    ASSERT(parse_fails("4/4"));
    ASSERT(parse_fails("-1/4"));
    ASSERT(parse_fails("1/0"));
    ASSERT(parse_fails("1"));
    ASSERT(parse_fails("1/4x"));
    ASSERT(parse_fails("/4"));
    ASSERT(parse_fails("1/2000000"));

    static const char *const vars[] = {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
                                       "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX",
                                       "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX",
                                       "STARTTLS_SCAN_SHARDS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
    struct shard s;
    const char *source = NULL;
    char why[300];
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), -1);
    ASSERT(strstr(why, "SLURM_ARRAY_TASK_ID") && strstr(why, "JOB_COMPLETION_INDEX"));
    /* sbatch --array=0-3 */
    setenv("SLURM_ARRAY_TASK_ID", "2", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), 0);
    ASSERT(s.k == 2 && s.n == 4 && strcmp(source, "Slurm") == 0);
    /* --array=10-16:3 (10, 13, 16) without a count */
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    setenv("SLURM_ARRAY_TASK_ID", "13", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "10", 1);
    setenv("SLURM_ARRAY_TASK_MAX", "16", 1);
    setenv("SLURM_ARRAY_TASK_STEP", "3", 1);
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), 0);
    ASSERT(s.k == 1 && s.n == 3);
    setenv("SLURM_ARRAY_TASK_ID", "12", 1);
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), -1);
    setenv("SLURM_ARRAY_TASK_ID", "x", 1);
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), -1);
    ASSERT(strstr(why, "not a number") != NULL);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
    /* A Kubernetes Indexed Job: the count from --shards or the environment. */
    setenv("JOB_COMPLETION_INDEX", "5", 1);
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), -1);
    ASSERT(strstr(why, "--shards") != NULL);
    ASSERT_EQ(shard_auto(8, &s, &source, why, sizeof why), 0);
    ASSERT(s.k == 5 && s.n == 8 && strcmp(source, "Kubernetes") == 0);
    setenv("STARTTLS_SCAN_SHARDS", "6", 1);
    ASSERT_EQ(shard_auto(0, &s, &source, why, sizeof why), 0);
    ASSERT(s.k == 5 && s.n == 6);
    ASSERT_EQ(shard_auto(5, &s, &source, why, sizeof why), -1);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
}
