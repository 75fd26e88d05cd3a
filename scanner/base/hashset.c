/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/base/hashset.h"

#include <stdlib.h>

uint64_t hashset_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, then mixed for the index */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static int insert(uint64_t *slots, size_t cap, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (slots[i] == h) return 0;
        if (slots[i] == 0) {
            slots[i] = h;
            return 1;
        }
    }
}

int hashset_add(struct hashset *h, const char *s, size_t len)
{
    if (h->count * 2 >= h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4096;
        uint64_t *slots = calloc(cap, sizeof *slots);
        if (!slots) return 1;
        for (size_t i = 0; i < h->cap; i++)
            if (h->slots[i]) insert(slots, cap, h->slots[i]);
        free(h->slots);
        h->slots = slots;
        h->cap = cap;
    }
    int fresh = insert(h->slots, h->cap, hashset_hash(s, len));
    h->count += (size_t)fresh;
    return fresh;
}

int hashset_has(const struct hashset *h, const char *s, size_t len)
{
    if (!h->cap) return 0;
    uint64_t v = hashset_hash(s, len);
    for (size_t i = v & (h->cap - 1); h->slots[i]; i = (i + 1) & (h->cap - 1))
        if (h->slots[i] == v) return 1;
    return 0;
}

void hashset_free(struct hashset *h)
{
    free(h->slots);
    h->slots = NULL;
    h->cap = h->count = 0;
}
