/* A worker: one thread, one libuv loop, one c-ares channel, and the jobs
 * and connections it owns (shared-nothing, like nginx's workers). Workers
 * meet only in the feeder, the dedup table and the output writer. */
#ifndef STS_WORKER_H
#define STS_WORKER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <uv.h>

#include "scanner/result/row.h"
#include "resolver/ares_uv.h"
#include "scanner/base/buf.h"

struct conn;
struct dedup_waiter;
struct scan;

struct worker {
    int id;
    struct scan *scan;
    uv_loop_t *loop;
    uv_loop_t loop_storage;
    uv_thread_t thread;
    uv_async_t wake;
    struct ares_uv dns;
    int active_jobs, max_jobs;
    int active_conns, max_conns;
    struct conn *queue_head, *queue_tail; /* probes waiting for a connection slot */
    int tls_active, tls_max;              /* TLS phases at once (--max-tls): memory */
    struct conn *tls_wait_head, *tls_wait_tail; /* connections waiting for one */
    bool tls_draining;
    uv_mutex_t inbox_lock;
    struct dedup_waiter *inbox; /* results from probes other workers ran */
    struct conn *conn_inbox;    /* connections handed a --per-host slot by another worker */
    uv_timer_t rate_timer;      /* --rate: asks for a token again */
    uv_timer_t delay_timer;     /* the next retry that is due */
    struct conn *delayed_head;  /* retries waiting for --retry-delay, soonest first */
    bool input_done, closing;
    char readbuf[65536]; /* every read on this loop lands here, one at a time */
};

int worker_init(struct worker *w, struct scan *scan, int id, char *err, size_t errlen);
int worker_start(struct worker *w);
void worker_join(struct worker *w);
void worker_destroy(struct worker *w);
/* Thread-safe: new input, or results in the inbox. */
void worker_wake(struct worker *w);

/* For jobs and connections, on the worker's own thread. */
void worker_probe(struct worker *w, struct dedup_waiter *waiter, const struct sockaddr *addr,
                  int port, const char *sni, const char *ip, bool retry_pass);
void worker_probe_finished(struct worker *w, const char *key, struct probe_result *res);
/* Queues a connection; it starts when a connection slot is free. */
void worker_enqueue(struct worker *w, struct conn *c);
/* The same, not before not_before_ms (uv_hrtime() in ms). */
void worker_enqueue_at(struct worker *w, struct conn *c, uint64_t not_before_ms);
/* From any worker: a parked connection got its address's slot; its own
 * worker starts it first thing. */
void worker_adopt(struct conn *c);
void worker_conn_closed(struct worker *w);
void worker_job_finished(struct worker *w);
/* Hands a target's rows up, all of them at once (the scan writes them in
 * one piece, or check prints them). */
void worker_commit(struct worker *w, const struct row *rows, int n);

#endif
