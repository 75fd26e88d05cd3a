#include "scanner/engine/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "output/summary.h"
#include "scanner/cli/config.h"
#include "scanner/engine/conn.h"
#include "scanner/engine/dedup.h"
#include "scanner/input/feeder.h"
#include "scanner/engine/job.h"
#include "scanner/engine/probe.h"
#include "scanner/engine/scan.h"

static void check_done(struct worker *w);
static bool all_done(const struct worker *w);
static void close_worker(struct worker *w);

void worker_wake(struct worker *w)
{
    uv_async_send(&w->wake);
}

static struct conn *pop_front(struct worker *w)
{
    struct conn *c = w->queue_head;
    w->queue_head = c->next;
    if (!w->queue_head) w->queue_tail = NULL;
    c->next = NULL;
    return c;
}

static void push_front(struct worker *w, struct conn *c)
{
    c->next = w->queue_head;
    w->queue_head = c;
    if (!w->queue_tail) w->queue_tail = c;
}

static void pump(struct worker *w);

static void on_rate_timer(uv_timer_t *t)
{
    pump(t->data);
}

/* Starts queued probes while connection slots are free, each once it holds
 * its address's --per-host slot and a --rate token. */
static void pump(struct worker *w)
{
    struct scan *s = w->scan;
    while (w->queue_head && w->active_conns < w->max_conns) {
        struct conn *c = w->queue_head;
        if (!c->host_slot) {
            pop_front(w);
            if (!hostlimit_acquire(&s->hosts, c)) continue; /* parked until a slot frees */
            c->host_slot = true;
            push_front(w, c);
        }
        uint64_t wait_ns = ratelimit_take(&s->rate, uv_hrtime());
        if (wait_ns) {
            if (!uv_is_active((uv_handle_t *)&w->rate_timer))
                uv_timer_start(&w->rate_timer, on_rate_timer, wait_ns / 1000000 + 1, 0);
            return;
        }
        pop_front(w);
        w->active_conns++;
        atomic_fetch_add(&s->summary.in_flight, 1);
        conn_start(c);
    }
}

void worker_adopt(struct conn *c)
{
    struct worker *w = c->w;
    c->host_slot = true;
    uv_mutex_lock(&w->inbox_lock);
    c->next = w->conn_inbox;
    w->conn_inbox = c;
    uv_mutex_unlock(&w->inbox_lock);
    worker_wake(w);
}

/* Takes new targets while there is room for more jobs. */
static void fill(struct worker *w)
{
    struct feed_item item;
    while (!w->input_done && w->active_jobs < w->max_jobs) {
        if (w->scan->failed) {
            feeder_cancel(w->scan->feeder); /* no wake can follow the cancel */
            w->input_done = true;
            break;
        }
        int rc = feeder_pop(w->scan->feeder, &item);
        if (rc == 0) break;
        if (rc < 0) {
            w->input_done = true;
            break;
        }
        job_start(w, &item);
    }
}

static void deliver(struct dedup_waiter *list)
{
    while (list) {
        struct dedup_waiter *next = list->next; /* delivering may free the node */
        job_deliver(list->job, list->slot, list->result);
        list = next;
    }
}

static void on_wake(uv_async_t *a)
{
    struct worker *w = a->data;
    uv_mutex_lock(&w->inbox_lock);
    struct dedup_waiter *list = w->inbox;
    struct conn *adopted = w->conn_inbox;
    w->inbox = NULL;
    w->conn_inbox = NULL;
    uv_mutex_unlock(&w->inbox_lock);
    while (adopted) {
        struct conn *next = adopted->next;
        push_front(w, adopted);
        adopted = next;
    }
    deliver(list);
    pump(w);
    fill(w);
    if (all_done(w)) close_worker(w);
}

static void on_handle_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_dns_closed(struct ares_uv *au)
{
    (void)au;
}

static bool all_done(const struct worker *w)
{
    return !w->closing && w->input_done && w->active_jobs == 0 && w->active_conns == 0 &&
           !w->queue_head && !w->conn_inbox;
}

/* The last job often ends inside a c-ares callback, where ares_destroy()
 * must not be called: closing waits for the wake handler, which runs from
 * the top of the loop. */
static void check_done(struct worker *w)
{
    if (all_done(w)) uv_async_send(&w->wake);
}

static void close_worker(struct worker *w)
{
    w->closing = true;
    ares_uv_close(&w->dns, on_dns_closed);
    uv_close((uv_handle_t *)&w->wake, on_handle_closed);
    uv_close((uv_handle_t *)&w->rate_timer, on_handle_closed);
    uv_close((uv_handle_t *)&w->delay_timer, on_handle_closed);
}

void worker_probe(struct worker *w, struct dedup_waiter *waiter, const struct sockaddr *addr,
                  int port, const char *sni, const char *ip, bool retry_pass)
{
    char key[400];
    uint64_t first_try_ms = 0;
    snprintf(key, sizeof key, "%s|%d|%s", ip, port, sni);
    waiter->worker = w;
    switch (dedup_claim(w->scan->dedup, key, waiter, retry_pass, &first_try_ms)) {
    case DEDUP_READY: job_deliver(waiter->job, waiter->slot, waiter->result); return;
    case DEDUP_WAIT: return;
    case DEDUP_START: probe_start(w, key, addr, port, sni, 0); return;
    case DEDUP_RETRY:
        /* The second attempt, no sooner than --retry-delay after the first. */
        probe_start(w, key, addr, port, sni, first_try_ms + w->scan->cfg->retry_delay_ms);
        return;
    }
}

static void on_delay_timer(uv_timer_t *t);

/* Arms the timer for the first delayed connection. */
static void arm_delayed(struct worker *w)
{
    if (!w->delayed_head) return;
    uint64_t now = uv_hrtime() / 1000000;
    uint64_t due = w->delayed_head->not_before_ms;
    uv_timer_start(&w->delay_timer, on_delay_timer, due > now ? due - now : 0, 0);
}

static void on_delay_timer(uv_timer_t *t)
{
    struct worker *w = t->data;
    uint64_t now = uv_hrtime() / 1000000;
    while (w->delayed_head && w->delayed_head->not_before_ms <= now) {
        struct conn *c = w->delayed_head;
        w->delayed_head = c->next;
        c->next = NULL;
        worker_enqueue(w, c);
    }
    arm_delayed(w);
}

void worker_enqueue_at(struct worker *w, struct conn *c, uint64_t not_before_ms)
{
    if (not_before_ms <= uv_hrtime() / 1000000) {
        worker_enqueue(w, c);
        return;
    }
    /* In order of when they are due; retries come nearly in that order. */
    c->not_before_ms = not_before_ms;
    struct conn **pp = &w->delayed_head;
    while (*pp && (*pp)->not_before_ms <= not_before_ms) pp = &(*pp)->next;
    c->next = *pp;
    *pp = c;
    arm_delayed(w);
}

void worker_enqueue(struct worker *w, struct conn *c)
{
    if (w->queue_tail)
        w->queue_tail->next = c;
    else
        w->queue_head = c;
    w->queue_tail = c;
    pump(w);
}

void worker_probe_finished(struct worker *w, const char *key, struct probe_result *res)
{
    struct probe_result *kept = malloc(sizeof *kept);
    if (!kept) {
        fputs("starttls-scan: out of memory\n", stderr);
        abort();
    }
    *kept = *res; /* the connection's copy is emptied: the table owns it now */
    probe_result_init(res);
    struct dedup_waiter *list = dedup_complete(w->scan->dedup, key, kept);
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

void worker_conn_closed(struct worker *w)
{
    w->active_conns--;
    atomic_fetch_sub(&w->scan->summary.in_flight, 1);
    pump(w);
    check_done(w);
}

void worker_job_finished(struct worker *w)
{
    w->active_jobs--;
    fill(w);
    check_done(w);
}

void worker_commit(struct worker *w, const struct row *rows, int n)
{
    struct scan *s = w->scan;
    s->sink(s->sink_arg, rows, n);
}

static void worker_main(void *arg)
{
    struct worker *w = arg;
    fill(w);
    check_done(w);
    uv_run(w->loop, UV_RUN_DEFAULT);
    /* Debian's wolfSSL keeps a fixed-point ECC cache per thread (FP_ECC). */
    wc_ecc_fp_free();
    atomic_fetch_sub(&w->scan->running, 1);
}

/* Worker id's part of a bound set for all workers together; at least 1. */
static int worker_share(int total, int workers, int id)
{
    int share = total / workers + (id < total % workers);
    return share < 1 ? 1 : share;
}

int worker_init(struct worker *w, struct scan *scan, int id, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->scan = scan;
    w->loop = &w->loop_storage;
    const struct config *cfg = scan->cfg;
    /* Share the concurrency out; each worker gets at least one slot. */
    w->max_conns = worker_share(cfg->concurrency, cfg->workers, id);
    w->max_jobs = w->max_conns;
    w->tls_max = worker_share(cfg->max_tls, cfg->workers, id);
    int rc = uv_loop_init(w->loop);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start an event loop: %s", uv_strerror(rc));
        return -1;
    }
    uv_mutex_init(&w->inbox_lock);
    uv_async_init(w->loop, &w->wake, on_wake);
    w->wake.data = w;
    uv_timer_init(w->loop, &w->rate_timer);
    w->rate_timer.data = w;
    uv_timer_init(w->loop, &w->delay_timer);
    w->delay_timer.data = w;
    struct ares_uv_options o = {cfg->resolvers, cfg->nresolvers, (int)cfg->dns_ms, cfg->dns_tries};
    if (ares_uv_init(&w->dns, w->loop, &o, err, errlen) != 0) {
        uv_close((uv_handle_t *)&w->wake, NULL);
        uv_close((uv_handle_t *)&w->rate_timer, NULL);
        uv_close((uv_handle_t *)&w->delay_timer, NULL);
        uv_run(w->loop, UV_RUN_DEFAULT);
        uv_loop_close(w->loop);
        uv_mutex_destroy(&w->inbox_lock);
        return -1;
    }
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
    if (!w->closing) { /* it never ran: its handles and DNS channel are still open */
        close_worker(w);
        uv_run(w->loop, UV_RUN_DEFAULT);
    }
    uv_loop_close(w->loop);
    uv_mutex_destroy(&w->inbox_lock);
}
