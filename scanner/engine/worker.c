/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/ecc.h>

#include "scanner/engine/dedup.h"
#include "scanner/engine/options.h"
#include "scanner/engine/tlsa.h"
#include "scanner/input/feeder.h"
#include "scanner/base/oom.h"

static void check_done(struct worker *w);
static bool all_done(struct worker *w);
static void close_worker(struct worker *w);

void worker_wake(struct worker *w)
{
    uv_async_send(&w->wake);
}

static void wake_arg(void *arg)
{
    worker_wake(arg);
}

/* Takes new targets while there is room for more jobs. A target can end
 * inside job_start (an invalid line, a blocked address, a cached result)
 * and call fill again from job_finished: that inner call returns at once,
 * since the loop below already takes the room it was called for. So the
 * stack stays bounded however many targets in a row end without I/O. */
static void fill(struct worker *w)
{
    if (w->filling) return;
    w->filling = true;
    struct feed_item item;
    while (!w->input_done && w->active_jobs < w->max_jobs) {
        if (atomic_load(w->env->stop)) {
            feeder_cancel(w->env->feeder); /* no wake can follow the cancel */
            w->input_done = true;
            break;
        }
        int rc = feeder_pop(w->env->feeder, &item);
        if (rc == 0) break;
        if (rc < 0) {
            w->input_done = true;
            break;
        }
        w->active_jobs++;
        job_start(&w->job, &item);
    }
    w->filling = false;
}

static void deliver(struct dedup_waiter *list)
{
    while (list) {
        struct dedup_waiter *next = list->next; /* delivering may free the node */
        list->deliver(list);
        list = next;
    }
}

static void on_wake(uv_async_t *a)
{
    struct worker *w = a->data;
    uv_mutex_lock(&w->inbox_lock);
    struct dedup_waiter *list = w->inbox;
    w->inbox = NULL;
    uv_mutex_unlock(&w->inbox_lock);
    admission_take_inbox(&w->admission);
    deliver(list);
    fill(w);
    if (all_done(w)) close_worker(w);
}

static bool all_done(struct worker *w)
{
    return !w->closing && w->input_done && w->active_jobs == 0 && admission_idle(&w->admission);
}

/* The last job often ends inside a c-ares callback, where ares_destroy()
 * must not be called: closing waits for the wake handler, which runs from
 * the top of the loop. */
static void check_done(struct worker *w)
{
    if (all_done(w)) uv_async_send(&w->wake);
}

static void on_dns_closed(struct ares_uv *au)
{
    (void)au;
}

static void close_worker(struct worker *w)
{
    w->closing = true;
    ares_uv_close(&w->dns, on_dns_closed);
    uv_close((uv_handle_t *)&w->wake, NULL);
    admission_close(&w->admission);
}

/* The probe's callback: the table keeps the result (a copy, or a shared
 * one as it is); every waiter gets it, on its own worker. */
static void publish(void *arg, const char *key, struct probe_result *res)
{
    struct worker *w = arg;
    struct probe_result *kept = res;
    if (!res->shared) {
        if (!(kept = malloc(sizeof *kept))) {
            out_of_memory();
        }
        *kept = *res; /* the probe's copy is emptied: the table owns it now */
        probe_result_init(res);
    }
    struct dedup_waiter *list = dedup_complete(w->env->dedup, key, kept);
    struct dedup_waiter *mine = NULL;
    while (list) {
        struct dedup_waiter *next = list->next;
        if (list->worker == w) {
            list->next = mine;
            mine = list;
        } else {
            struct worker *other = list->worker;
            uv_mutex_lock(&other->inbox_lock);
            list->next = other->inbox;
            other->inbox = list;
            uv_mutex_unlock(&other->inbox_lock);
            worker_wake(other);
        }
        list = next;
    }
    deliver(mine);
}

/* The jobs' callbacks. */
static void job_probe(void *arg, struct dedup_waiter *waiter, const struct sockaddr *addr, int port,
                      const char *sni, bool dane, const char *ip, bool retry_pass)
{
    struct worker *w = arg;
    char key[400];
    uint64_t first_try_ms = 0;
    /* One probe per (address, port, SNI); one without DANE (an insecure SRV
     * answer's server, RFC 7673) is another. */
    snprintf(key, sizeof key, "%s|%d|%s%s", ip, port, sni, dane ? "" : "|no-dane");
    waiter->worker = w;
    switch (dedup_claim(w->env->dedup, key, waiter, retry_pass, &first_try_ms)) {
    case DEDUP_READY: job_deliver(waiter->job, waiter->slot, waiter->result); return;
    case DEDUP_WAIT: return;
    case DEDUP_START: probe_start(&w->probe, key, addr, port, sni, dane, 0); return;
    case DEDUP_RETRY:
        /* The second attempt, no sooner than --retry-delay after the first. */
        probe_start(&w->probe, key, addr, port, sni, dane, first_try_ms + w->env->opt->retry_delay_ms);
        return;
    }
}

/* The probes' TLSA lookups: one per (host, port) per run, like probes. */
static void probe_tlsa(void *arg, struct dedup_waiter *waiter, const char *host, int port)
{
    struct worker *w = arg;
    char key[400];
    snprintf(key, sizeof key, "TLSA|%d|%s", port, host);
    waiter->worker = w;
    switch (dedup_claim(w->env->dedup, key, waiter, false, NULL)) {
    case DEDUP_READY: waiter->deliver(waiter); return;
    case DEDUP_START: tlsa_lookup(&w->dns, key, host, port, publish, w); return;
    default: return; /* DEDUP_WAIT (a lookup is never retried) */
    }
}

/* --ciphers: one enumeration per server address and port (probe.h). */
static int probe_ciphers_claim(void *arg, struct dedup_waiter *waiter, const char *key)
{
    struct worker *w = arg;
    waiter->worker = w;
    switch (dedup_claim(w->env->dedup, key, waiter, false, NULL)) {
    case DEDUP_START: return 1;
    case DEDUP_READY: waiter->deliver(waiter); return 0;
    default: return 0; /* DEDUP_WAIT (an enumeration is never retried) */
    }
}

static void job_commit(void *arg, const struct row *rows, int n)
{
    struct worker *w = arg;
    w->env->sink(w->env->sink_arg, rows, n);
}

static void job_defer(void *arg, const struct target *t)
{
    struct worker *w = arg;
    feeder_defer(w->env->feeder, t);
}

static void job_finished(void *arg)
{
    struct worker *w = arg;
    w->active_jobs--;
    feeder_done(w->env->feeder);
    fill(w);
    check_done(w);
}

static void worker_main(void *arg)
{
    struct worker *w = arg;
    fill(w);
    check_done(w);
    uv_run(w->loop, UV_RUN_DEFAULT);
    /* Debian's wolfSSL keeps a fixed-point ECC cache per thread (FP_ECC). */
    wc_ecc_fp_free();
    atomic_fetch_sub(w->env->running, 1);
}

/* Worker id's part of a bound set for all workers together; at least 1. */
static int worker_share(int total, int workers, int id)
{
    int share = total / workers + (id < total % workers);
    return share < 1 ? 1 : share;
}

/* What the worker's connections, probes and jobs are handed. */
static void wire(struct worker *w)
{
    const struct scan_options *opt = w->env->opt;
    w->dialog = (struct dialog_params){opt->ehlo, opt->banner_ms, opt->reply_ms, opt->auth_user,
                                       opt->auth_mech, opt->password, opt->auth_token, opt->raw};
    w->conn = (struct conn_params){
        .sources = &w->sources,
        .loop = w->loop, .readbuf = w->readbuf, .readbuf_len = sizeof w->readbuf,
        .tls = w->env->tls, .service = opt->service, .dialog = &w->dialog,
        .timeout_ms = opt->timeout_ms, .connect_ms = opt->connect_ms,
        .handshake_ms = opt->handshake_ms, .observer = opt->observer,
        .observer_arg = opt->observer_arg, .keep_chain = opt->dane, .tls_admit = admission_tls_admit,
        .tls_done = admission_tls_done, .gate_arg = &w->admission,
    };
    w->probe = (struct probe_env){&w->conn, &w->admission, opt->versions, opt->ciphers, opt->retry,
                                  publish, w, opt->dane, probe_tlsa, w, probe_ciphers_claim};
    w->fetch_conn = w->conn;
    w->fetch_conn.service = &mta_sts_service;
    w->fetch_conn.keep_chain = false;
    w->fetch_conn.observer = NULL;
    w->fetch = (struct fetch_env){&w->fetch_conn, &w->admission};
    w->domain = (struct domain_env){opt, &w->dns, &w->fetch};
    w->job = (struct job_env){opt, &w->dns, &w->domain, job_probe, job_commit, job_defer, job_finished, w};
}

int worker_init(struct worker *w, const struct worker_env *env, int id, int n, char *err,
                size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->env = env;
    w->loop = &w->loop_storage;
    const struct scan_options *opt = env->opt;
    int rc = uv_loop_init(w->loop);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start an event loop: %s", uv_strerror(rc));
        return -1;
    }
    uv_mutex_init(&w->inbox_lock);
    uv_async_init(w->loop, &w->wake, on_wake);
    w->wake.data = w;
    /* Share the bounds out; each worker gets at least one of each. */
    w->max_jobs = worker_share(opt->concurrency, n, id);
    admission_init(&w->admission, w->loop, env->hosts, env->rate, w->max_jobs,
                   worker_share(opt->max_tls, n, id), wake_arg, w, env->in_flight);
    wire(w);
    struct ares_uv_options o = {opt->resolvers, opt->nresolvers, (int)opt->dns_ms, opt->dns_tries,
                                env->dns_queries};
    if (ares_uv_init(&w->dns, w->loop, &o, err, errlen) != 0) {
        uv_close((uv_handle_t *)&w->wake, NULL);
        admission_close(&w->admission);
        uv_run(w->loop, UV_RUN_DEFAULT);
        uv_loop_close(w->loop);
        uv_mutex_destroy(&w->inbox_lock);
        admission_free(&w->admission);
        return -1;
    }
    w->ready = true;
    return 0;
}

int worker_start(struct worker *w)
{
    return uv_thread_create(&w->thread, worker_main, w);
}

void worker_join(struct worker *w)
{
    uv_thread_join(&w->thread);
}

void worker_destroy(struct worker *w)
{
    if (!w->ready) return;
    if (!w->closing) { /* it never ran: its handles and DNS channel are still open */
        close_worker(w);
        uv_run(w->loop, UV_RUN_DEFAULT);
    }
    uv_loop_close(w->loop);
    uv_mutex_destroy(&w->inbox_lock);
    admission_free(&w->admission);
}
