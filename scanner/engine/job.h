/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One input target: resolve it, ask for a probe per (MX host, address),
 * and hand its rows up in one piece when every answer is in. Lives on one
 * worker, and reports through the env it is given. */
#ifndef STS_JOB_H
#define STS_JOB_H

#include <stdbool.h>
#include <sys/socket.h>

#include "scanner/input/feeder.h"
#include "scanner/result/row.h"

struct ares_uv;
struct dedup_waiter;
struct domain_env;
struct job;
struct scan_options;

/* The same for every job of a worker. */
struct job_env {
    const struct scan_options *opt;
    struct ares_uv *dns;
    const struct domain_env *domain; /* MTA-STS and TLS-RPT lookups */
    /* A probe's result for waiter (now, or later through job_deliver). */
    /* dane: DANE applies (RFC 7672, RFC 7673): TLSA at _PORT._tcp.SNI. */
    void (*probe)(void *arg, struct dedup_waiter *waiter, const struct sockaddr *addr, int port,
                  const char *sni, bool dane, const char *ip, bool retry_pass);
    /* The target's rows, all of them. */
    void (*commit)(void *arg, const struct row *rows, int n);
    /* The target waits for the retry pass: no rows now. */
    void (*defer)(void *arg, const struct target *t);
    /* The job is over (committed or deferred); its slot is free. */
    void (*finished)(void *arg);
    void *arg;
};

/* Takes the item (and its raw text). */
void job_start(const struct job_env *env, struct feed_item *item);
/* A probe's result for one of the job's slots. */
void job_deliver(struct job *job, int slot, const struct probe_result *res);

#endif
