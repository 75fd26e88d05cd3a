/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The summary's counts of what mail domains publish (DANE, MTA-STS,
 * TLS-RPT): per domain, from all of its rows, and the most common reasons
 * a published policy fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/live/summary.h"

/* Why DANE failed for a row: the probe's code, or, for a verdict that
 * came without one, its group's catch-all. */
static enum policy_reason dane_reason(const struct row *row)
{
    enum reason_group g = dane_reason_group(row->dane);
    if (g == RG_NONE) return REASON_NONE;
    enum policy_reason why = row->result->dane_why;
    return why != REASON_NONE ? why : policy_reason_read(g, "");
}

static enum policy_reason sts_reason(const struct row *row)
{
    const struct domain_policy *p = row->policy;
    if (p->mta_sts == MTA_STS_ERROR)
        return p->mta_sts_why != REASON_NONE ? p->mta_sts_why : policy_reason_read(RG_STS_ERROR, "");
    if (row->sts_mx_match == TRI_NO) return REASON_STS_MX_NOT_LISTED;
    if (row->sts_ok == TRI_NO) return REASON_STS_MX_FAILS;
    return REASON_NONE;
}

static void reason(struct summary *s, enum policy_reason why)
{
    if (why != REASON_NONE && (unsigned)why < REASON_COUNT) s->reason_rows[why]++;
}

void policy_tally_add(struct policy_tally *t, const struct row *row)
{
    if (!row->policy && row->dane == DANE_NOT_LOOKED) return;
    t->rows++;
    bool published = row->dane != DANE_NOT_LOOKED && row->dane != DANE_NONE;
    if (published) t->dane_rows++;
    if (published && row->dane != DANE_VALID) {
        t->dane_failed = true;
        if (!t->dane_why) t->dane_why = dane_reason(row);
    }
    if (row->dane == DANE_UNSIGNED) t->dane_unsigned = true;
    if (!row->policy) return;
    /* As the cells tell it when read back: a domain whose MTA-STS or MX
     * answer was looked up. */
    t->has_policy = row->policy->mta_sts != MTA_STS_NOT_LOOKED || row->policy->mx_secure != TRI_UNKNOWN;
    t->mx_secure = row->policy->mx_secure == TRI_YES;
    t->sts = row->policy->mta_sts;
    t->rpt = row->policy->tls_rpt;
    enum policy_reason why = row->policy->mta_sts != MTA_STS_NO_POLICY && row->policy->mta_sts != MTA_STS_MODE_NONE
                                 ? sts_reason(row) : REASON_NONE;
    if (why) {
        t->sts_failed = true;
        if (!t->sts_why) t->sts_why = why;
    }
}

void summary_count_policy(struct summary *s, const struct policy_tally *t)
{
    if (!t->rows) return;
    uv_mutex_lock(&s->lock);
    struct policy_counts *c = &s->policy;
    if (t->has_policy) c->domains++;
    if (t->mx_secure) c->mx_secure++;
    if (t->dane_rows) {
        c->dane++;
        if (!t->dane_failed) c->dane_valid++;
        if (t->dane_unsigned) c->dane_unsigned++;
        reason(s, t->dane_why);
    }
    if (t->has_policy && t->sts != MTA_STS_NOT_LOOKED) {
        c->sts_looked++;
        c->sts[t->sts]++;
        if ((t->sts == MTA_STS_ENFORCE || t->sts == MTA_STS_TESTING) && !t->sts_failed) c->sts_valid++;
        reason(s, t->sts_why);
    }
    if (t->has_policy && t->rpt != RPT_NOT_LOOKED && t->rpt != RPT_NO_RECORD) {
        c->rpt_seen++;
        c->rpt[t->rpt]++;
        if (t->rpt == RPT_MALFORMED) reason(s, REASON_RPT_MALFORMED);
    }
    uv_mutex_unlock(&s->lock);
}

void summary_count_rows(struct summary *s, const struct row *rows, int n)
{
    struct policy_tally t = {0};
    for (int i = 0; i < n; i++) {
        summary_count(s, &rows[i]);
        policy_tally_add(&t, &rows[i]);
    }
    summary_count_policy(s, &t);
}

static int by_count(const void *a, const void *b)
{
    const struct reason_count *x = a, *y = b;
    return x->rows < y->rows   ? 1
           : x->rows > y->rows ? -1
                               : strcmp(policy_reason_words(x->code), policy_reason_words(y->code));
}

void summary_sort_reasons(struct summary *s)
{
    s->nreasons = 0;
    for (int r = 0; r < REASON_COUNT; r++)
        if (s->reason_rows[r])
            s->reasons[s->nreasons++] = (struct reason_count){(enum policy_reason)r, s->reason_rows[r]};
    qsort(s->reasons, (size_t)s->nreasons, sizeof s->reasons[0], by_count);
}

void summary_count_read(struct summary *s, const struct row *row)
{
    row_key(&s->row_key, row->domain.p ? row->domain.p : "", row->domain.len, row_key_port(row), row->protocol);
    if (s->row_key.len != s->pending_key.len || memcmp(s->row_key.data, s->pending_key.data, s->row_key.len) != 0) {
        summary_flush_rows(s);
        buf_reset(&s->pending_key);
        buf_append(&s->pending_key, s->row_key.data, s->row_key.len);
    }
    summary_count(s, row);
    policy_tally_add(&s->pending, row);
}

void summary_flush_rows(struct summary *s)
{
    summary_count_policy(s, &s->pending);
    memset(&s->pending, 0, sizeof s->pending);
}

#define U(x) ((unsigned long long)(x))

static double share(uint64_t n, uint64_t of)
{
    return of ? 100.0 * (double)n / (double)of : 0.0;
}

/* Under the lock. */
void summary_print_policy(struct summary *s, FILE *out)
{
    const struct policy_counts *c = &s->policy;
    uint64_t q = atomic_load(&s->dns_queries), t = atomic_load(&s->targets_done);
    if (q) fprintf(out, "starttls-scan: %llu DNS queries sent (%.1f per target)\n", U(q), t ? (double)q / (double)t : 0.0);
    if (!c->domains && !c->dane) return;
    fprintf(out, "starttls-scan: DANE: %llu of %llu mail %s publish TLSA for an MX (%.1f%%), %llu valid "
                 "on every MX, %llu unsigned\n",
            U(c->dane), U(c->domains), summary_plural(c->domains, "domain", "domains"), share(c->dane, c->domains),
            U(c->dane_valid), U(c->dane_unsigned));
    if (c->dane_unsigned && !c->mx_secure)
        fprintf(out, "starttls-scan: warning: no DNS answer was authenticated (no AD bit): unless every zone "
                     "is unsigned, the resolver does not validate DNSSEC, and DANE cannot be judged\n");
    if (c->sts_looked)
        fprintf(out, "starttls-scan: MTA-STS: %llu enforce, %llu testing, %llu mode none, %llu error, %llu "
                     "without; %llu of the enforce/testing ones passed by every MX\n",
                U(c->sts[MTA_STS_ENFORCE]), U(c->sts[MTA_STS_TESTING]), U(c->sts[MTA_STS_MODE_NONE]),
                U(c->sts[MTA_STS_ERROR]), U(c->sts[MTA_STS_NO_POLICY]), U(c->sts_valid));
    if (c->rpt_seen || c->sts_looked)
        fprintf(out, "starttls-scan: TLS-RPT: %llu with a record, %llu malformed, %llu lookup errors\n",
                U(c->rpt[RPT_OK]), U(c->rpt[RPT_MALFORMED]), U(c->rpt[RPT_ERROR]));
    summary_sort_reasons(s);
    if (s->nreasons) fprintf(out, "starttls-scan: most common failures of published policies:\n");
    for (int i = 0; i < s->nreasons && i < 5; i++)
        fprintf(out, "  %s (%llu %s)\n", policy_reason_words(s->reasons[i].code), U(s->reasons[i].rows),
                summary_plural(s->reasons[i].rows, "domain", "domains"));
}

/* Under the lock. */
void summary_json_policy(struct summary *s, struct buf *b)
{
    const struct policy_counts *c = &s->policy;
    summary_sort_reasons(s);
    buf_printf(b, ",\"mail_domains\":%llu,\"mx_dnssec\":%llu,\"dane\":{\"domains\":%llu,\"valid\":%llu,\"unsigned\":%llu},"
                  "\"mta_sts\":{\"looked_up\":%llu,\"enforce\":%llu,\"testing\":%llu,\"none_mode\":%llu,"
                  "\"error\":%llu,\"no_policy\":%llu,\"valid\":%llu},"
                  "\"tls_rpt\":{\"published\":%llu,\"malformed\":%llu,\"error\":%llu},"
                  "\"policy_failures\":[",
               U(c->domains), U(c->mx_secure), U(c->dane), U(c->dane_valid), U(c->dane_unsigned), U(c->sts_looked),
               U(c->sts[MTA_STS_ENFORCE]), U(c->sts[MTA_STS_TESTING]), U(c->sts[MTA_STS_MODE_NONE]),
               U(c->sts[MTA_STS_ERROR]), U(c->sts[MTA_STS_NO_POLICY]), U(c->sts_valid),
               U(c->rpt[RPT_OK]), U(c->rpt[RPT_MALFORMED]), U(c->rpt[RPT_ERROR]));
    for (int i = 0; i < s->nreasons && i < 10; i++)
        buf_printf(b, "%s{\"reason\":\"%s\",\"domains\":%llu}", i ? "," : "", policy_reason_words(s->reasons[i].code),
                   U(s->reasons[i].rows));
    buf_printf(b, "]");
}
