/* Counts for the end-of-scan summary, updated by every worker. */
#ifndef STS_SUMMARY_H
#define STS_SUMMARY_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "output/row.h"

struct feeder_stats;

struct summary {
    atomic_uint_fast64_t rows;
    atomic_uint_fast64_t by_status[ST_COUNT];
    atomic_uint_fast64_t expired;
};

void summary_count(struct summary *s, const struct probe_result *r);
void summary_print(const struct summary *s, const struct feeder_stats *in, double seconds,
                   FILE *out);

#endif
