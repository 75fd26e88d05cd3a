/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resolver/mx.h"

#include <stdlib.h>
#include <string.h>

static int by_pref_then_name(const void *a, const void *b)
{
    const struct dns_record *x = a, *y = b;
    if (x->pref != y->pref) return x->pref < y->pref ? -1 : 1;
    return strcmp(x->name, y->name);
}

enum mx_verdict mx_select(struct dns_record *recs, int *n, int max)
{
    if (*n <= 0) return MX_NONE; /* and no array to sort (qsort takes no NULL) */
    if (*n == 1 && recs[0].name[0] == '\0') return MX_NULL;
    qsort(recs, (size_t)*n, sizeof recs[0], by_pref_then_name);
    int kept = 0;
    for (int i = 0; i < *n; i++) {
        if (recs[i].name[0] == '\0') continue; /* a root target beside real ones */
        int dup = 0;
        for (int j = 0; j < kept && !dup; j++) dup = strcmp(recs[j].name, recs[i].name) == 0;
        if (dup || kept == max) continue;
        if (kept != i) recs[kept] = recs[i];
        kept++;
    }
    *n = kept;
    return kept ? MX_HOSTS : MX_NONE;
}

static int by_priority_weight_name(const void *a, const void *b)
{
    const struct dns_record *x = a, *y = b;
    if (x->pref != y->pref) return x->pref < y->pref ? -1 : 1;
    if (x->weight != y->weight) return x->weight > y->weight ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->port > y->port) - (x->port < y->port);
}

enum mx_verdict srv_select(struct dns_record *recs, int *n, int max)
{
    if (*n <= 0) return MX_NONE;
    if (*n == 1 && recs[0].name[0] == '\0') return MX_NULL;
    qsort(recs, (size_t)*n, sizeof recs[0], by_priority_weight_name);
    int kept = 0;
    for (int i = 0; i < *n; i++) {
        if (recs[i].name[0] == '\0') continue;
        int dup = 0;
        for (int j = 0; j < kept && !dup; j++)
            dup = strcmp(recs[j].name, recs[i].name) == 0 && recs[j].port == recs[i].port;
        if (dup || kept == max) continue;
        if (kept != i) recs[kept] = recs[i];
        kept++;
    }
    *n = kept;
    return kept ? MX_HOSTS : MX_NONE;
}

/* Records are zeroed before they are filled, so an A record's bytes past
 * the fourth are 0 and all 16 bytes can be compared whatever the family. */
static int by_addr(const void *a, const void *b)
{
    return memcmp(((const struct dns_record *)a)->addr, ((const struct dns_record *)b)->addr, 16);
}

void addr_sort_unique(struct dns_record *recs, int *n, int max)
{
    if (*n <= 0) return;
    qsort(recs, (size_t)*n, sizeof recs[0], by_addr);
    int kept = 0;
    for (int i = 0; i < *n && kept < max; i++) {
        if (kept && memcmp(recs[kept - 1].addr, recs[i].addr, 16) == 0) continue;
        if (kept != i) recs[kept] = recs[i];
        kept++;
    }
    *n = kept;
}
