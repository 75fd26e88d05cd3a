/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Admission, one per worker: which connection may start, and when. In one
 * place: the -c bound (this worker's share of connections at once), the
 * --per-host bound (shared by all workers), the --rate bucket (shared), the
 * retries' delays, and the --max-tls gate (this worker's share of TLS
 * phases at once). A connection parked for its address's slot may be handed
 * it by another worker: it comes back through this admission's inbox. */
#ifndef STS_ADMISSION_H
#define STS_ADMISSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "scanner/engine/politeness.h"

struct conn;

struct admission {
    uv_loop_t *loop;
    struct hostlimit *hosts; /* shared by every worker */
    struct ratelimit *rate;  /* shared by every worker */
    int active, max;         /* connections open now, and at most */
    struct conn *queue_head, *queue_tail; /* waiting for a connection slot */
    struct conn *delayed_head;            /* retries waiting for their time, soonest first */
    uv_timer_t rate_timer;  /* --rate: asks for a token again */
    uv_timer_t delay_timer; /* the next retry that is due */
    int tls_active, tls_max; /* TLS phases now, and at most (--max-tls): memory */
    struct conn *tls_wait_head, *tls_wait_tail;
    bool tls_draining;
    uv_mutex_t inbox_lock;
    struct conn *inbox; /* handed a --per-host slot by another worker */
    void (*wake)(void *arg); /* wakes this admission's loop (thread-safe) */
    void *wake_arg;
    atomic_uint_fast64_t *in_flight; /* connections open in all, for the progress line */
};

void admission_init(struct admission *a, uv_loop_t *loop, struct hostlimit *hosts,
                    struct ratelimit *rate, int max_conns, int max_tls, void (*wake)(void *),
                    void *wake_arg, atomic_uint_fast64_t *in_flight);
/* Closes the timers (the loop runs their close callbacks). */
void admission_close(struct admission *a);
void admission_free(struct admission *a);

/* Queues a connection; it starts when its slots are free (the connection's
 * params->gate_arg must be this admission). */
void admission_enqueue(struct admission *a, struct conn *c);
/* The same, not before not_before_ms (uv_hrtime() in ms). */
void admission_enqueue_at(struct admission *a, struct conn *c, uint64_t not_before_ms);
/* A connection of this admission's is closed: its slots pass on. */
void admission_closed(struct admission *a, struct conn *c);
/* On wake: the connections other workers handed a slot start first. */
void admission_take_inbox(struct admission *a);
/* Nothing queued, delayed, open or in the inbox. */
bool admission_idle(struct admission *a);

/* The --max-tls gate (struct conn_params' tls_admit and tls_done; arg is
 * the admission). */
bool admission_tls_admit(void *arg, struct conn *c);
void admission_tls_done(void *arg, struct conn *c);

#endif
