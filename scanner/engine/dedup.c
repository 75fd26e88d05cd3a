/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/dedup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "scanner/base/hashset.h"
#include "scanner/base/oom.h"

struct entry {
    struct entry *next;
    uint64_t hash;
    struct probe_result *result; /* NULL while the probe is in flight */
    bool retrying;               /* the retry pass probes it again now */
    struct dedup_waiter *waiters;
    char key[];
};

struct dedup {
    uv_mutex_t lock;
    struct entry **buckets;
    size_t nbuckets, count;
};

static uint64_t hash_key(const char *s)
{
    return hashset_hash(s, strlen(s));
}

struct dedup *dedup_new(void)
{
    struct dedup *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->nbuckets = 1024;
    d->buckets = calloc(d->nbuckets, sizeof *d->buckets);
    if (!d->buckets || uv_mutex_init(&d->lock) != 0) {
        free(d->buckets);
        free(d);
        return NULL;
    }
    return d;
}

static void grow(struct dedup *d)
{
    size_t n = d->nbuckets * 2;
    struct entry **b = calloc(n, sizeof *b);
    if (!b) return; /* longer chains, still correct */
    for (size_t i = 0; i < d->nbuckets; i++) {
        struct entry *e = d->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(d->buckets);
    d->buckets = b;
    d->nbuckets = n;
}

static struct entry *find(struct dedup *d, const char *key, uint64_t h)
{
    for (struct entry *e = d->buckets[h & (d->nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && strcmp(e->key, key) == 0) return e;
    return NULL;
}

enum dedup_claim dedup_claim(struct dedup *d, const char *key, struct dedup_waiter *w,
                             bool retry_pass, uint64_t *first_try_ms)
{
    uint64_t h = hash_key(key);
    enum dedup_claim claim;
    w->next = NULL;
    w->result = NULL;
    uv_mutex_lock(&d->lock);
    struct entry *e = find(d, key, h);
    if (e && e->result && e->result->retry_pending && retry_pass) {
        w->next = e->waiters;
        e->waiters = w;
        claim = e->retrying ? DEDUP_WAIT : DEDUP_RETRY;
        if (first_try_ms) *first_try_ms = e->result->first_try_ms;
        e->retrying = true;
    } else if (e && e->result) {
        w->result = e->result;
        claim = DEDUP_READY;
    } else if (e) {
        w->next = e->waiters;
        e->waiters = w;
        claim = DEDUP_WAIT;
    } else {
        size_t klen = strlen(key);
        e = malloc(sizeof *e + klen + 1);
        if (!e) {
            /* Nothing sensible can follow: a waiter would never hear back. */
            out_of_memory();
        }
        memcpy(e->key, key, klen + 1);
        e->hash = h;
        e->result = NULL;
        e->retrying = false;
        e->waiters = w;
        e->next = d->buckets[h & (d->nbuckets - 1)];
        d->buckets[h & (d->nbuckets - 1)] = e;
        if (++d->count > d->nbuckets) grow(d);
        claim = DEDUP_START;
    }
    uv_mutex_unlock(&d->lock);
    return claim;
}

struct dedup_waiter *dedup_complete(struct dedup *d, const char *key, struct probe_result *res)
{
    uint64_t h = hash_key(key);
    uv_mutex_lock(&d->lock);
    struct entry *e = find(d, key, h);
    struct dedup_waiter *list = NULL;
    if (e) {
        /* A pending result is read by no one once the retry pass began: every
         * first-pass job that saw it has deferred its target and is gone. */
        if (e->result && !e->result->shared) {
            probe_result_free(e->result);
            free(e->result);
        }
        e->result = res;
        e->retrying = false;
        list = e->waiters;
        e->waiters = NULL;
    }
    uv_mutex_unlock(&d->lock);
    for (struct dedup_waiter *w = list; w; w = w->next) w->result = res;
    return list;
}

void dedup_free(struct dedup *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->nbuckets; i++) {
        struct entry *e = d->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            if (e->result && !e->result->shared) {
                probe_result_free(e->result);
                free(e->result);
            }
            free(e);
        }
    }
    free(d->buckets);
    uv_mutex_destroy(&d->lock);
    free(d);
}
