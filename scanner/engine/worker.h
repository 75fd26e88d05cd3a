/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A worker: one thread, one libuv loop, one c-ares channel, and the jobs,
 * probes and connections it owns (shared-nothing, like nginx's workers).
 * Workers meet only in what their env holds: the feeder, the dedup table,
 * the politeness tables, the read-only TLS context, and the sink. */
#ifndef STS_WORKER_H
#define STS_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <uv.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "resolver/ares_uv.h"
#include "scanner/dialog/dialog.h"
#include "scanner/engine/admission.h"
#include "scanner/engine/conn.h"
#include "scanner/engine/domain.h"
#include "scanner/engine/sources.h"
#include "scanner/engine/fetch.h"
#include "scanner/engine/job.h"
#include "scanner/engine/probe.h"
#include "scanner/result/row.h"

struct dedup;
struct dedup_waiter;
struct feeder;
struct scan_options;

/* What every worker shares (the scan fills it). */
struct worker_env {
    const struct scan_options *opt;
    WOLFSSL_CTX *tls;
    struct dedup *dedup;
    struct feeder *feeder;
    struct hostlimit *hosts;
    struct ratelimit *rate;
    /* Where a target's rows go, all at once: the output, or check. */
    void (*sink)(void *arg, const struct row *rows, int n);
    void *sink_arg;
    atomic_bool *stop;               /* take no more targets */
    atomic_uint_fast64_t *in_flight; /* connections open, for the progress line */
    atomic_uint_fast64_t *dns_queries; /* DNS queries sent (NULL: not counted) */
    atomic_int *running;             /* worker threads not finished yet */
};

struct worker {
    int id;
    const struct worker_env *env;
    uv_loop_t *loop;
    uv_loop_t loop_storage;
    uv_thread_t thread;
    uv_async_t wake;
    struct ares_uv dns;
    struct admission admission;
    struct dialog_params dialog;
    struct conn_params conn;
    struct probe_env probe;
    struct sources sources; /* its connections' local addresses */
    struct job_env job;
    struct conn_params fetch_conn; /* the MTA-STS policy fetches' connections */
    struct fetch_env fetch;
    struct domain_env domain;
    int active_jobs, max_jobs;
    uv_mutex_t inbox_lock;
    struct dedup_waiter *inbox; /* results from probes other workers ran */
    bool input_done, closing, ready;
    bool filling; /* inside fill(): a nested call returns at once */
    char readbuf[65536]; /* every read on this loop lands here, one at a time */
};

/* n: how many workers share the bounds (-c, --max-tls). */
int worker_init(struct worker *w, const struct worker_env *env, int id, int n, char *err,
                size_t errlen);
int worker_start(struct worker *w);
void worker_join(struct worker *w);
void worker_destroy(struct worker *w);
/* Thread-safe: new input, or results in the inbox. */
void worker_wake(struct worker *w);

#endif
