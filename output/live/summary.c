/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/live/summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "scanner/tls/names.h"

int summary_init(struct summary *s, int64_t expiring_within)
{
    memset(s, 0, sizeof *s);
    s->expiring_within = expiring_within;
    return uv_mutex_init(&s->lock);
}

void summary_free(struct summary *s)
{
    hashset_free(&s->certs);
    buf_free(&s->pending_key);
    buf_free(&s->row_key);
    free(s->expiring);
    uv_mutex_destroy(&s->lock);
}

/* Names are kept as the rows hold them, and escaped where they are shown. */
static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Under the lock: cipher counts, unique certificates, the expiring list. */
static void count_locked(struct summary *s, const struct row *row)
{
    const struct probe_result *r = row->result;
    if (r->cipher[0]) {
        int i = 0;
        while (i < s->nciphers && strcmp(s->ciphers[i].name, r->cipher) != 0) i++;
        if (i == s->nciphers && i < SUMMARY_CIPHERS) copy(s->ciphers[s->nciphers++].name, 64, r->cipher);
        if (i < s->nciphers) s->ciphers[i].rows++;
    }
    if (!r->cert.present || !r->cert.dates_valid) return;
    int64_t days = cert_days_left(r);
    int expiring = s->expiring_within >= 0 && days <= s->expiring_within;
    if (expiring) s->expiring_total++;
    if (expiring && s->nexpiring < SUMMARY_EXPIRING_LIST) {
        if (!s->expiring) s->expiring = calloc(SUMMARY_EXPIRING_LIST, sizeof *s->expiring);
        if (s->expiring) {
            struct expiring_cert *e = &s->expiring[s->nexpiring++];
            copy(e->domain, sizeof e->domain, row->domain.p);
            copy(e->mx_host, sizeof e->mx_host, row->mx_host);
            copy(e->ip, sizeof e->ip, row->ip);
            iso8601_utc(r->cert.not_after, e->not_after);
            copy(e->sha256, sizeof e->sha256, r->cert.sha256);
            copy(e->subject, sizeof e->subject, r->cert.subject.p);
            e->days_left = days;
        }
    }
    if (!hashset_add(&s->certs, r->cert.sha256, strlen(r->cert.sha256))) return;
    s->certs_unique++;
    if (r->cert.not_after < r->scanned_at) s->certs_expired++;
    else if (days < 7) s->certs_7d++;
    else if (days < 30) s->certs_30d++;
    if (r->chain_valid == TRI_NO) s->certs_bad_chain++;
}

void summary_count(struct summary *s, const struct row *row)
{
    const struct probe_result *r = row->result;
    atomic_fetch_add(&s->rows, 1);
    atomic_fetch_add(&s->by_status[r->status], 1);
    if (r->resolver_failed) atomic_fetch_add(&s->resolver_failed, 1);
    if (r->starttls == TRI_YES) atomic_fetch_add(&s->starttls_yes, 1);
    if (r->starttls == TRI_NO) atomic_fetch_add(&s->starttls_no, 1);
    if (r->hostname_match == TRI_NO) atomic_fetch_add(&s->name_mismatch, 1);
    if (r->attempts > 1) atomic_fetch_add(&s->retried, 1);
    if (r->ciphers.len) atomic_fetch_add(&s->ciphers_listed, 1);
    if (r->weak_ciphers.len) atomic_fetch_add(&s->ciphers_weak, 1);
    int v = r->tls_version[0] ? tls_version_bit_of_name(r->tls_version) : -1;
    if (v >= 0) atomic_fetch_add(&s->versions[v], 1);
    uv_mutex_lock(&s->lock);
    count_locked(s, row);
    uv_mutex_unlock(&s->lock);
}

