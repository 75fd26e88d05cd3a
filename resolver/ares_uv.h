/* SPDX-License-Identifier: GPL-2.0-or-later */
/* c-ares driven by a libuv loop: one uv_poll_t per c-ares socket (from the
 * socket-state callback) and a periodic timer, without which c-ares 1.18
 * never notices a timeout. */
#ifndef STS_ARES_UV_H
#define STS_ARES_UV_H

#include <ares.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <uv.h>

struct ares_poll;
struct ares_uv_query;

struct ares_uv {
    uv_loop_t *loop;
    ares_channel channel;
    uv_timer_t timer;
    struct ares_poll *polls;
    int open_handles;
    void (*on_closed)(struct ares_uv *);
    /* Queries on the wire at once, bounded so that every answer fits the
     * UDP socket's receive buffer even when the loop is busy elsewhere:
     * none is lost to our own buffer (bench/README.md). */
    int inflight, max_inflight;
    struct ares_uv_query *queue_head, *queue_tail;
    bool draining;
    atomic_uint_fast64_t *sent;
};

struct ares_uv_options {
    const char *const *servers; /* "IP", "IP:PORT", "[IPv6]:PORT"; none: resolv.conf */
    int nservers;
    int timeout_ms; /* per try */
    int tries;
    atomic_uint_fast64_t *sent; /* counts the queries sent, when not NULL */
};

/* 0, or an ARES_E* code with the reason in err. */
int ares_uv_init(struct ares_uv *au, uv_loop_t *loop, const struct ares_uv_options *opt,
                 char *err, size_t errlen);
/* ares_query, or later when max_inflight queries are on the wire. cb runs
 * exactly once, with ARES_EDESTRUCTION if the channel closes first. */
void ares_uv_query(struct ares_uv *au, const char *name, int qtype, ares_callback cb, void *arg);
/* The same, with the AD bit set in the query when ad (DANE, MTA-STS: the
 * answer's AD bit then says whether a validating resolver vouched for it). */
void ares_uv_query_ad(struct ares_uv *au, const char *name, int qtype, bool ad, ares_callback cb,
                      void *arg);
/* Destroys the channel (pending queries fail with ARES_EDESTRUCTION) and
 * closes the handles; on_closed runs once the last one is closed. */
void ares_uv_close(struct ares_uv *au, void (*on_closed)(struct ares_uv *));

#endif
