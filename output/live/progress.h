/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The progress line: on a terminal, one status line rewritten about once a
 * second; elsewhere nothing, or with --progress a plain line every 10 s. */
#ifndef STS_PROGRESS_H
#define STS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output/live/summary.h"

struct progress {
    FILE *out;
    bool enabled, tty;
    uint64_t interval_ns, start_ns, last_ns;
    uint64_t total; /* targets expected (input lines with a target), 0: unknown */
};

void progress_init(struct progress *p, FILE *out, bool quiet, bool forced, uint64_t total,
                   uint64_t now_ns);
void progress_tick(struct progress *p, struct summary *s, uint64_t now_ns);
/* Clears the terminal line before the summary. */
void progress_end(struct progress *p);
/* Lines of a regular file that hold something besides a comment. */
uint64_t progress_count_targets(const char *path);

#endif
