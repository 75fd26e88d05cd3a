/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A set of strings kept as 64-bit hashes (8 bytes a member, no strings):
 * for target dedup and the targets a resumed scan already has. */
#ifndef STS_HASHSET_H
#define STS_HASHSET_H

#include <stddef.h>
#include <stdint.h>

struct hashset {
    uint64_t *slots; /* open addressing; 0 marks an empty slot */
    size_t cap, count;
};

uint64_t hashset_hash(const char *s, size_t len);
/* 1 when added, 0 when it was there already (or memory ran out: then the
 * caller treats it as new rather than lose a target). */
int hashset_add(struct hashset *h, const char *s, size_t len);
int hashset_has(const struct hashset *h, const char *s, size_t len);
void hashset_free(struct hashset *h);

#endif
