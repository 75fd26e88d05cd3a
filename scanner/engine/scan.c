/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/engine/dedup.h"
#include "scanner/engine/options.h"
#include "scanner/engine/politeness.h"
#include "scanner/engine/worker.h"
#include "scanner/input/feeder.h"
#include "scanner/tls/tlslink.h"

struct scan {
    const struct scan_options *opt;
    WOLFSSL_CTX *tls; /* read-only once the workers run */
    struct dedup *dedup;
    struct hostlimit hosts; /* --per-host */
    struct ratelimit rate;  /* --rate */
    bool hosts_ready;
    struct worker_env env;
    struct worker *workers;
    int nworkers, started;
    atomic_bool stop;
    atomic_int running;
};

void scan_wake(void *arg)
{
    struct scan *s = arg;
    for (int i = 0; i < s->nworkers; i++) worker_wake(&s->workers[i]);
}

struct scan *scan_new(const struct scan_options *opt, const struct scan_hooks *hooks, char *err,
                      size_t errlen)
{
    struct scan *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->opt = opt;
    if (!(s->tls = tls_client_ctx_new(opt->ca_file, err, errlen))) goto fail;
    s->dedup = dedup_new();
    s->workers = calloc((size_t)opt->workers, sizeof *s->workers);
    if (!s->dedup || !s->workers || hostlimit_init(&s->hosts, opt->per_host) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    s->hosts_ready = true;
    ratelimit_init(&s->rate, opt->rate);
    s->env = (struct worker_env){
        .opt = opt, .tls = s->tls, .dedup = s->dedup, .hosts = &s->hosts, .rate = &s->rate,
        .sink = hooks->sink, .sink_arg = hooks->sink_arg, .stop = &s->stop,
        .in_flight = hooks->in_flight, .dns_queries = hooks->dns_queries, .running = &s->running,
    };
    for (; s->nworkers < opt->workers; s->nworkers++)
        if (worker_init(&s->workers[s->nworkers], &s->env, s->nworkers, opt->workers, err, errlen) != 0)
            goto fail;
    return s;
fail:
    scan_free(s);
    return NULL;
}

int scan_start(struct scan *s, struct feeder *feeder)
{
    s->env.feeder = feeder;
    for (; s->started < s->nworkers; s->started++) {
        atomic_fetch_add(&s->running, 1);
        if (worker_start(&s->workers[s->started]) != 0) {
            atomic_fetch_sub(&s->running, 1);
            break;
        }
    }
    if (s->started < s->nworkers) {
        fputs("starttls-scan: cannot start the worker threads\n", stderr);
        scan_stop(s);
    }
    return s->started ? 0 : -1;
}

bool scan_running(struct scan *s)
{
    return atomic_load(&s->running) > 0;
}

void scan_stop(struct scan *s)
{
    s->stop = true; /* workers take no more targets */
    if (s->env.feeder) feeder_cancel(s->env.feeder);
    scan_wake(s);
}

bool scan_stopped(struct scan *s)
{
    return atomic_load(&s->stop);
}

void scan_sources(const struct scan *s, struct sources *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < s->nworkers; i++) sources_merge(out, &s->workers[i].sources);
}

void scan_join(struct scan *s)
{
    for (int i = 0; i < s->started; i++) worker_join(&s->workers[i]);
}

void scan_free(struct scan *s)
{
    if (!s) return;
    for (int i = 0; i < s->nworkers; i++) worker_destroy(&s->workers[i]);
    free(s->workers);
    dedup_free(s->dedup);
    if (s->hosts_ready) {
        hostlimit_free(&s->hosts);
        ratelimit_free(&s->rate);
    }
    tls_client_ctx_free(s->tls);
    free(s);
}
