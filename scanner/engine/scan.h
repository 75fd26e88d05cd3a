/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One scan: the workers and what they share (the TLS context, the dedup
 * table, the politeness tables), set up from the scan's options. The
 * command line (scanner/cli/run.c) owns the files, the signals and the
 * summary; it hands the scan a feeder, and a sink for the rows. */
#ifndef STS_SCAN_H
#define STS_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "scanner/result/row.h"

struct feeder;
struct scan;
struct scan_options;

struct scan_hooks {
    /* A target's rows, all at once, from any worker's thread. */
    void (*sink)(void *arg, const struct row *rows, int n);
    void *sink_arg;
    atomic_uint_fast64_t *in_flight; /* connections open, for the progress line */
    atomic_uint_fast64_t *dns_queries; /* DNS queries sent, for the summary; NULL: not counted */
};

/* Everything that can fail before the scan's files exist: the TLS context
 * (the CA file), the resolvers, the event loops. NULL with err set. */
struct scan *scan_new(const struct scan_options *opt, const struct scan_hooks *hooks, char *err,
                      size_t errlen);
/* The feeder's wake callback (arg: the scan): new input for the workers. */
void scan_wake(void *arg);
/* Starts the workers on the feeder's targets; -1 when none would start. */
int scan_start(struct scan *s, struct feeder *feeder);
/* Are workers still running? */
bool scan_running(struct scan *s);
/* No more targets: the feeder stops, the workers finish what they hold. */
void scan_stop(struct scan *s);
/* Waits for the workers. */
void scan_join(struct scan *s);
/* After scan_join: the local addresses the connections went out from. */
struct sources;
void scan_sources(const struct scan *s, struct sources *out);
/* Was the scan told to stop (scan_stop, or a start that failed)? */
bool scan_stopped(struct scan *s);
void scan_free(struct scan *s);

#endif
