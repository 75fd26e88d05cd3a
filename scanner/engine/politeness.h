/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Politeness, shared by all workers: at most N connections at once to one
 * address (--per-host), and at most R new connections a second in all
 * (--rate, a token bucket). */
#ifndef STS_POLITENESS_H
#define STS_POLITENESS_H

#include <stdint.h>
#include <uv.h>

struct conn;
struct host_entry;

struct hostlimit {
    uv_mutex_t lock;
    int per_host;
    struct host_entry **buckets;
    size_t nbuckets;
};

int hostlimit_init(struct hostlimit *h, int per_host);
void hostlimit_free(struct hostlimit *h);
/* 1: the connection may start now; 0: it waits, parked, for a slot. */
int hostlimit_acquire(struct hostlimit *h, struct conn *c);
/* A connection to ip ended: the next parked one inherits its slot (and is
 * returned, to be started by its own worker), or the slot is freed (NULL). */
struct conn *hostlimit_release(struct hostlimit *h, const char *ip);

struct ratelimit {
    uv_mutex_t lock;
    double per_second; /* 0: no limit */
    double burst;
    double tokens;
    uint64_t last_ns;
};

void ratelimit_init(struct ratelimit *r, int per_second);
void ratelimit_free(struct ratelimit *r);
/* 0: go; otherwise the nanoseconds to wait before asking again. */
uint64_t ratelimit_take(struct ratelimit *r, uint64_t now_ns);

#endif
