/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One probe per distinct (address, port, SNI name) per run, shared by all
 * workers. The first to ask probes; the others wait for its result, which
 * then stays for later askers. Results are immutable once published. */
#ifndef STS_DEDUP_H
#define STS_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/result/row.h"

struct job;
struct worker;

/* Who waits for a result, on which worker: a job's slot, or a probe for
 * the TLSA lookup of its host. */
struct dedup_waiter {
    struct dedup_waiter *next;
    struct worker *worker;
    void (*deliver)(struct dedup_waiter *w); /* on w->worker's thread; w->result is set */
    struct job *job;
    int slot;
    const struct probe_result *result; /* set when the result is known */
};

enum dedup_claim { DEDUP_START, DEDUP_WAIT, DEDUP_READY, DEDUP_RETRY };

struct dedup;

struct dedup *dedup_new(void);
/* START: the caller must probe (its waiter is queued for the result);
 * WAIT: queued behind a probe in flight; READY: w->result is set now.
 * retry_pass: the caller is in the retry pass; a result published with
 * retry_pending then gives RETRY to the first caller (it probes once more,
 * *first_try_ms says when the first attempt began) and WAIT to the rest. */
enum dedup_claim dedup_claim(struct dedup *d, const char *key, struct dedup_waiter *w,
                             bool retry_pass, uint64_t *first_try_ms);
/* Publishes the result (the table owns it from now on; it replaces a
 * retry_pending one) and returns the waiters, each with ->result set, for
 * the caller to notify. */
struct dedup_waiter *dedup_complete(struct dedup *d, const char *key, struct probe_result *res);
void dedup_free(struct dedup *d);

#endif
