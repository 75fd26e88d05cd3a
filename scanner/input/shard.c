/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t shard_hash(const char *p, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    /* FNV's low bits mix poorly for similar names (d1, d2, ...): SplitMix64's
     * finaliser spreads every input bit over the whole word. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

unsigned shard_of(const char *p, size_t len, unsigned n)
{
    return n ? (unsigned)(shard_hash(p, len) % n) : 0;
}

/* A decimal number, digits only, at most max. */
static int number(const char *s, const char *end, unsigned long max, unsigned long *out)
{
    if (s == end || end - s > 9) return -1;
    unsigned long v = 0;
    for (const char *c = s; c < end; c++) {
        if (*c < '0' || *c > '9') return -1;
        v = v * 10 + (unsigned long)(*c - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

int shard_parse(const char *arg, struct shard *out, char *why, size_t whylen)
{
    const char *slash = strchr(arg, '/');
    unsigned long k, n;
    if (!slash || number(arg, slash, SHARD_MAX, &k) != 0 ||
        number(slash + 1, slash + strlen(slash), SHARD_MAX, &n) != 0 || n == 0) {
        snprintf(why, whylen, "expected K/N (0 <= K < N <= %d) or auto, not '%s'", SHARD_MAX, arg);
        return -1;
    }
    if (k >= n) {
        snprintf(why, whylen, "shard %lu of %lu does not exist: K counts from 0 to N-1", k, n);
        return -1;
    }
    out->k = (unsigned)k;
    out->n = (unsigned)n;
    return 0;
}

/* An environment variable holding a number; 1: absent, 0: read, -1: bad. */
static int env_number(const char *name, unsigned long *out, char *why, size_t whylen)
{
    const char *v = getenv(name);
    if (!v || !*v) return 1;
    if (number(v, v + strlen(v), 1000000000ul, out) != 0) {
        snprintf(why, whylen, "%s is '%s', not a number", name, v);
        return -1;
    }
    return 0;
}

static int slurm(struct shard *out, char *why, size_t whylen)
{
    unsigned long id, count, min = 0, max, step = 1;
    int rc = env_number("SLURM_ARRAY_TASK_ID", &id, why, whylen);
    if (rc != 0) return rc;
    if (env_number("SLURM_ARRAY_TASK_MIN", &min, why, whylen) < 0 ||
        env_number("SLURM_ARRAY_TASK_STEP", &step, why, whylen) < 0)
        return -1;
    if (step == 0) step = 1;
    int have_count = env_number("SLURM_ARRAY_TASK_COUNT", &count, why, whylen);
    int have_max = env_number("SLURM_ARRAY_TASK_MAX", &max, why, whylen);
    if (have_count < 0 || have_max < 0) return -1;
    if (have_count != 0) {
        if (have_max != 0 || max < min) {
            snprintf(why, whylen, "SLURM_ARRAY_TASK_ID is set, but neither SLURM_ARRAY_TASK_COUNT "
                                  "nor SLURM_ARRAY_TASK_MIN/MAX: not a job array task?");
            return -1;
        }
        count = (max - min) / step + 1;
    }
    if (id < min || (id - min) % step != 0 || (id - min) / step >= count || count > SHARD_MAX) {
        snprintf(why, whylen, "SLURM_ARRAY_TASK_ID %lu is not one of the array's %lu tasks from %lu "
                              "in steps of %lu", id, count, min, step);
        return -1;
    }
    out->k = (unsigned)((id - min) / step);
    out->n = (unsigned)count;
    return 0;
}

static int kubernetes(unsigned shards_given, struct shard *out, char *why, size_t whylen)
{
    unsigned long index, count = shards_given;
    int rc = env_number("JOB_COMPLETION_INDEX", &index, why, whylen);
    if (rc != 0) return rc;
    if (!shards_given) {
        rc = env_number("STARTTLS_SCAN_SHARDS", &count, why, whylen);
        if (rc < 0) return -1;
        if (rc > 0 || count == 0) {
            snprintf(why, whylen, "JOB_COMPLETION_INDEX is set, but the number of shards is not: "
                                  "give --shards N or STARTTLS_SCAN_SHARDS (the Job's completions)");
            return -1;
        }
    }
    if (index >= count || count > SHARD_MAX) {
        snprintf(why, whylen, "JOB_COMPLETION_INDEX %lu is not below the %lu shards", index, count);
        return -1;
    }
    out->k = (unsigned)index;
    out->n = (unsigned)count;
    return 0;
}

int shard_auto(unsigned shards_given, struct shard *out, const char **source, char *why, size_t whylen)
{
    int rc = slurm(out, why, whylen);
    if (rc <= 0) {
        *source = "Slurm";
        return rc;
    }
    rc = kubernetes(shards_given, out, why, whylen);
    if (rc <= 0) {
        *source = "Kubernetes";
        return rc;
    }
    snprintf(why, whylen, "no scheduler's task index in the environment "
                          "(SLURM_ARRAY_TASK_ID of a Slurm job array, or JOB_COMPLETION_INDEX of a "
                          "Kubernetes Indexed Job); give --shard K/N");
    return -1;
}
