/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/admission.h"

#include <string.h>

#include "scanner/engine/conn.h"

static void pump(struct admission *a);

static void on_rate_timer(uv_timer_t *t)
{
    pump(t->data);
}

static void on_delay_timer(uv_timer_t *t);

void admission_init(struct admission *a, uv_loop_t *loop, struct hostlimit *hosts,
                    struct ratelimit *rate, int max_conns, int max_tls, void (*wake)(void *),
                    void *wake_arg, atomic_uint_fast64_t *in_flight)
{
    memset(a, 0, sizeof *a);
    a->loop = loop;
    a->hosts = hosts;
    a->rate = rate;
    a->max = max_conns;
    a->tls_max = max_tls;
    a->wake = wake;
    a->wake_arg = wake_arg;
    a->in_flight = in_flight;
    uv_mutex_init(&a->inbox_lock);
    uv_timer_init(loop, &a->rate_timer);
    uv_timer_init(loop, &a->delay_timer);
    a->rate_timer.data = a->delay_timer.data = a;
}

void admission_close(struct admission *a)
{
    uv_close((uv_handle_t *)&a->rate_timer, NULL);
    uv_close((uv_handle_t *)&a->delay_timer, NULL);
}

void admission_free(struct admission *a)
{
    uv_mutex_destroy(&a->inbox_lock);
}

static struct conn *pop_front(struct admission *a)
{
    struct conn *c = a->queue_head;
    a->queue_head = c->admit.next;
    if (!a->queue_head) a->queue_tail = NULL;
    c->admit.next = NULL;
    return c;
}

static void push_front(struct admission *a, struct conn *c)
{
    c->admit.next = a->queue_head;
    a->queue_head = c;
    if (!a->queue_tail) a->queue_tail = c;
}

/* Starts queued connections while connection slots are free, each once it
 * holds its address's --per-host slot and a --rate token. */
static void pump(struct admission *a)
{
    while (a->queue_head && a->active < a->max) {
        struct conn *c = a->queue_head;
        if (!c->admit.host_slot) {
            pop_front(a);
            if (!hostlimit_acquire(a->hosts, c)) continue; /* parked until a slot frees */
            c->admit.host_slot = true;
            push_front(a, c);
        }
        uint64_t wait_ns = ratelimit_take(a->rate, uv_hrtime());
        if (wait_ns) {
            if (!uv_is_active((uv_handle_t *)&a->rate_timer))
                uv_timer_start(&a->rate_timer, on_rate_timer, wait_ns / 1000000 + 1, 0);
            return;
        }
        pop_front(a);
        a->active++;
        atomic_fetch_add(a->in_flight, 1);
        conn_start(c);
    }
}

void admission_enqueue(struct admission *a, struct conn *c)
{
    c->admit.next = NULL;
    if (a->queue_tail)
        a->queue_tail->admit.next = c;
    else
        a->queue_head = c;
    a->queue_tail = c;
    pump(a);
}

/* Arms the timer for the first delayed connection. */
static void arm_delayed(struct admission *a)
{
    if (!a->delayed_head) return;
    uint64_t now = uv_hrtime() / 1000000;
    uint64_t due = a->delayed_head->admit.not_before_ms;
    uv_timer_start(&a->delay_timer, on_delay_timer, due > now ? due - now : 0, 0);
}

static void on_delay_timer(uv_timer_t *t)
{
    struct admission *a = t->data;
    uint64_t now = uv_hrtime() / 1000000;
    while (a->delayed_head && a->delayed_head->admit.not_before_ms <= now) {
        struct conn *c = a->delayed_head;
        a->delayed_head = c->admit.next;
        admission_enqueue(a, c);
    }
    arm_delayed(a);
}

void admission_enqueue_at(struct admission *a, struct conn *c, uint64_t not_before_ms)
{
    if (not_before_ms <= uv_hrtime() / 1000000) {
        admission_enqueue(a, c);
        return;
    }
    /* In order of when they are due; retries come nearly in that order. */
    c->admit.not_before_ms = not_before_ms;
    struct conn **pp = &a->delayed_head;
    while (*pp && (*pp)->admit.not_before_ms <= not_before_ms) pp = &(*pp)->admit.next;
    c->admit.next = *pp;
    *pp = c;
    arm_delayed(a);
}

/* From any worker: a parked connection got its address's slot; its own
 * admission starts it first thing. */
static void adopt(struct conn *c)
{
    struct admission *a = c->params->gate_arg;
    c->admit.host_slot = true;
    uv_mutex_lock(&a->inbox_lock);
    c->admit.next = a->inbox;
    a->inbox = c;
    uv_mutex_unlock(&a->inbox_lock);
    a->wake(a->wake_arg);
}

void admission_take_inbox(struct admission *a)
{
    uv_mutex_lock(&a->inbox_lock);
    struct conn *adopted = a->inbox;
    a->inbox = NULL;
    uv_mutex_unlock(&a->inbox_lock);
    while (adopted) {
        struct conn *next = adopted->admit.next;
        push_front(a, adopted);
        adopted = next;
    }
    pump(a);
}

void admission_closed(struct admission *a, struct conn *c)
{
    struct conn *heir = c->admit.host_slot ? hostlimit_release(a->hosts, c->ip) : NULL;
    if (heir) adopt(heir); /* the address's slot passes to a waiting connection */
    a->active--;
    atomic_fetch_sub(a->in_flight, 1);
    pump(a);
    if (a->active == 0 && !a->queue_head) a->wake(a->wake_arg); /* the worker may be done */
}

bool admission_idle(struct admission *a)
{
    uv_mutex_lock(&a->inbox_lock);
    bool idle = !a->inbox;
    uv_mutex_unlock(&a->inbox_lock);
    return idle && a->active == 0 && !a->queue_head && !a->delayed_head;
}

bool admission_tls_admit(void *arg, struct conn *c)
{
    struct admission *a = arg;
    if (a->tls_active < a->tls_max) {
        a->tls_active++;
        c->admit.tls_slot = true;
        return true;
    }
    c->admit.tls_queued = true;
    c->admit.tls_prev = a->tls_wait_tail;
    c->admit.tls_next = NULL;
    if (a->tls_wait_tail) a->tls_wait_tail->admit.tls_next = c;
    else a->tls_wait_head = c;
    a->tls_wait_tail = c;
    return false;
}

static void tls_wait_unlink(struct admission *a, struct conn *c)
{
    struct admit_state *s = &c->admit;
    if (s->tls_prev) s->tls_prev->admit.tls_next = s->tls_next;
    else a->tls_wait_head = s->tls_next;
    if (s->tls_next) s->tls_next->admit.tls_prev = s->tls_prev;
    else a->tls_wait_tail = s->tls_prev;
    s->tls_prev = s->tls_next = NULL;
    s->tls_queued = false;
}

void admission_tls_done(void *arg, struct conn *c)
{
    struct admission *a = arg;
    if (c->admit.tls_queued) { /* it never got a slot */
        tls_wait_unlink(a, c);
        return;
    }
    if (!c->admit.tls_slot) return;
    c->admit.tls_slot = false;
    a->tls_active--;
    if (a->tls_draining) return; /* an outer call is starting the next ones */
    a->tls_draining = true;
    while (a->tls_active < a->tls_max && a->tls_wait_head) {
        struct conn *next = a->tls_wait_head;
        tls_wait_unlink(a, next);
        a->tls_active++;
        next->admit.tls_slot = true;
        conn_tls_admitted(next);
    }
    a->tls_draining = false;
}
