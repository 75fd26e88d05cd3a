/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/politeness.h"

#include <stdlib.h>
#include <string.h>

#include "scanner/engine/conn.h"
#include "scanner/base/hashset.h"

struct host_entry {
    struct host_entry *next;
    char ip[64];
    int active;
    struct conn *parked_head, *parked_tail; /* linked by conn->admit.next */
};

int hostlimit_init(struct hostlimit *h, int per_host)
{
    memset(h, 0, sizeof *h);
    h->per_host = per_host;
    h->nbuckets = 4096;
    h->buckets = calloc(h->nbuckets, sizeof *h->buckets);
    if (!h->buckets || uv_mutex_init(&h->lock) != 0) {
        free(h->buckets);
        return -1;
    }
    return 0;
}

void hostlimit_free(struct hostlimit *h)
{
    for (size_t i = 0; i < h->nbuckets; i++) {
        struct host_entry *e = h->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(h->buckets);
    uv_mutex_destroy(&h->lock);
}

static struct host_entry **slot_of(struct hostlimit *h, const char *ip)
{
    struct host_entry **pp = &h->buckets[hashset_hash(ip, strlen(ip)) & (h->nbuckets - 1)];
    while (*pp && strcmp((*pp)->ip, ip) != 0) pp = &(*pp)->next;
    return pp;
}

int hostlimit_acquire(struct hostlimit *h, struct conn *c)
{
    int go = 1;
    uv_mutex_lock(&h->lock);
    struct host_entry **pp = slot_of(h, c->ip), *e = *pp;
    if (!e && (e = calloc(1, sizeof *e)) != NULL) {
        memcpy(e->ip, c->ip, sizeof e->ip);
        *pp = e;
    }
    if (e && e->active >= h->per_host) {
        c->admit.next = NULL;
        if (e->parked_tail)
            e->parked_tail->admit.next = c;
        else
            e->parked_head = c;
        e->parked_tail = c;
        go = 0;
    } else if (e) {
        e->active++;
    }
    uv_mutex_unlock(&h->lock);
    return go; /* without memory for an entry, connect rather than lose the probe */
}

struct conn *hostlimit_release(struct hostlimit *h, const char *ip)
{
    struct conn *next = NULL;
    uv_mutex_lock(&h->lock);
    struct host_entry **pp = slot_of(h, ip), *e = *pp;
    if (e && e->parked_head) {
        next = e->parked_head; /* it inherits the slot: active stays */
        e->parked_head = next->admit.next;
        if (!e->parked_head) e->parked_tail = NULL;
        next->admit.next = NULL;
    } else if (e && --e->active <= 0) {
        *pp = e->next; /* keep the table as small as the addresses in flight */
        free(e);
    }
    uv_mutex_unlock(&h->lock);
    return next;
}

void ratelimit_init(struct ratelimit *r, int per_second)
{
    memset(r, 0, sizeof *r);
    r->per_second = per_second;
    /* A small burst: a tenth of a second's worth, at least one. */
    r->burst = per_second > 10 ? per_second / 10.0 : 1.0;
    r->tokens = r->burst;
    uv_mutex_init(&r->lock);
}

void ratelimit_free(struct ratelimit *r)
{
    uv_mutex_destroy(&r->lock);
}

uint64_t ratelimit_take(struct ratelimit *r, uint64_t now_ns)
{
    if (r->per_second <= 0) return 0;
    uint64_t wait = 0;
    uv_mutex_lock(&r->lock);
    if (r->last_ns) r->tokens += (double)(now_ns - r->last_ns) * r->per_second / 1e9;
    if (r->tokens > r->burst) r->tokens = r->burst;
    r->last_ns = now_ns;
    if (r->tokens >= 1.0)
        r->tokens -= 1.0;
    else
        wait = (uint64_t)((1.0 - r->tokens) * 1e9 / r->per_second) + 1;
    uv_mutex_unlock(&r->lock);
    return wait;
}
