/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shards (issue 14): a run with --shard K/N scans only the targets whose
 * shard is K. A target's shard is a stable hash of its normalised name or
 * address (not its port), so a duplicated line, and every row of a domain,
 * land in one shard, on every machine and in every version:
 *
 *   h = FNV-1a 64 of the bytes, then the SplitMix64 finaliser;
 *   shard = h mod N
 *
 * An invalid line's shard is the hash of the line as kept for its row. */
#ifndef STS_SHARD_H
#define STS_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define SHARD_MAX 1000000

struct shard {
    unsigned k, n; /* n == 0: no sharding */
};

uint64_t shard_hash(const char *p, size_t len);
unsigned shard_of(const char *p, size_t len, unsigned n);

/* "K/N" (0 <= K < N <= SHARD_MAX). 0, or -1 with why. */
int shard_parse(const char *arg, struct shard *out, char *why, size_t whylen);

/* --shard auto: from the scheduler's environment. Slurm job arrays:
 * SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or with
 * SLURM_ARRAY_TASK_MIN/MAX (and _STEP): K = (ID - MIN) / STEP. Kubernetes
 * Indexed Jobs: JOB_COMPLETION_INDEX, the count from shards_given
 * (--shards N, 0: not given) or STARTTLS_SCAN_SHARDS. 0 and *source (which
 * scheduler), or -1 with why. */
int shard_auto(unsigned shards_given, struct shard *out, const char **source, char *why, size_t whylen);

#endif
