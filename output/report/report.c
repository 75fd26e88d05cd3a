/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "scanner/base/oom.h"

const char *const report_grade_names[REPORT_GRADES] = {"A", "B", "C", "D", "F", "-", "?"};
const int64_t report_expiry_upper[REPORT_EXPIRY_BINS] = {-1, 7, 14, 30, 60, 90, 180, 365, INT64_MAX};
const char *const report_expiry_labels[REPORT_EXPIRY_BINS] = {
    "expired", "0-7", "8-14", "15-30", "31-60", "61-90", "91-180", "181-365", ">365"};

#define SERVED_SHOWN 50 /* domains and MX listed per expiring certificate */

int report_grade_index(char grade)
{
    for (int i = 0; i < REPORT_GRADES - 1; i++)
        if (report_grade_names[i][0] == grade) return i;
    return REPORT_GRADES - 1;
}

int report_init(struct report *r, int64_t expiring_within)
{
    memset(r, 0, sizeof *r);
    r->expiring_within = expiring_within;
    r->expiring = calloc(REPORT_CERTS, sizeof *r->expiring);
    return r->expiring ? 0 : -1;
}

static void domain_free(struct report_domain *d)
{
    free(d->domain);
    free(d->reason);
    free(d->mx);
    free(d->lowest);
    free(d->expiry);
}

void report_free(struct report *r)
{
    for (int i = 0; i < r->nexpiring; i++) buf_free(&r->expiring[i].served);
    free(r->expiring);
    for (int g = 0; g < REPORT_GRADES; g++) {
        for (int i = 0; i < r->ndomains[g]; i++) domain_free(&r->domains[g][i]);
        free(r->domains[g]);
    }
    hashset_free(&r->seen_certs);
    memset(r, 0, sizeof *r);
}

static void count_issuer(struct report *r, const char *issuer)
{
    for (int i = 0; i < r->nissuers; i++)
        if (strcmp(r->issuers[i].name, issuer) == 0) {
            r->issuers[i].certs++;
            return;
        }
    if (r->nissuers == REPORT_ISSUERS) {
        r->other_issuer_certs++;
        return;
    }
    snprintf(r->issuers[r->nissuers].name, sizeof r->issuers[0].name, "%s", issuer);
    r->issuers[r->nissuers++].certs = 1;
}

static void add_expiring(struct report *r, const char *domain, const struct kept_row *k)
{
    struct report_cert *c = NULL;
    for (int i = 0; i < r->nexpiring && !c; i++)
        if (strcmp(r->expiring[i].sha256, k->cert_sha256) == 0) c = &r->expiring[i];
    if (!c) {
        if (r->nexpiring == REPORT_CERTS) {
            r->expiring_more++; /* counted once per row past the cap: an upper bound */
            return;
        }
        c = &r->expiring[r->nexpiring++];
        snprintf(c->sha256, sizeof c->sha256, "%s", k->cert_sha256);
        snprintf(c->not_after, sizeof c->not_after, "%s", k->cert_not_after);
        snprintf(c->subject, sizeof c->subject, "%s", k->cert_subject);
        snprintf(c->issuer, sizeof c->issuer, "%s", k->cert_issuer);
        c->days_left = k->days_left;
    }
    char line[600];
    int n = snprintf(line, sizeof line, "%s\t%s\n", domain, k->mx_host[0] ? k->mx_host : k->ip);
    if (n < 0 || (size_t)n >= sizeof line) return;
    /* the same domain and MX through another address: once */
    if (c->served.len >= (size_t)n && memcmp(c->served.data + c->served.len - (size_t)n, line, (size_t)n) == 0)
        return;
    c->nserved++;
    if (c->nshown < SERVED_SHOWN && buf_append(&c->served, line, (size_t)n) == 0) c->nshown++;
}

static void add_cert(struct report *r, const char *domain, const struct kept_row *k)
{
    if (!k->has_cert || !k->cert_sha256[0]) return;
    if (k->has_days && k->days_left <= r->expiring_within) add_expiring(r, domain, k);
    if (!hashset_add(&r->seen_certs, k->cert_sha256, strlen(k->cert_sha256))) return;
    r->certs++;
    if (k->has_days) {
        int b = 0;
        while (k->days_left > report_expiry_upper[b]) b++;
        r->expiry_bins[b]++;
    }
    count_issuer(r, k->cert_issuer[0] ? k->cert_issuer : "(no issuer)");
}

static char *dup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        out_of_memory();
    }
    return d;
}

/* The per-domain table keeps the worst grades when it is full. */
static void add_domain(struct report *r, const struct rollup_target *t, int g)
{
    if (r->kept == REPORT_DOMAINS) {
        int best = 0;
        while (best < REPORT_GRADES && r->ndomains[best] == 0) best++;
        if (best >= g || best == REPORT_GRADES) {
            r->domains_left_out++;
            return;
        }
        domain_free(&r->domains[best][--r->ndomains[best]]);
        r->kept--;
        r->domains_left_out++;
    }
    struct report_domain *list = realloc(r->domains[g], (size_t)(r->ndomains[g] + 1) * sizeof *list);
    if (!list) {
        out_of_memory();
    }
    r->domains[g] = list;
    const struct rollup *u = t->rollup;
    struct report_domain *d = &list[r->ndomains[g]++];
    r->kept++;
    char expiry[32] = "";
    if (u->have_expiry) iso8601_utc(u->earliest_expiry, expiry);
    *d = (struct report_domain){.domain = dup(t->domain), .reason = dup(t->reason), .mx = dup(u->mx_hosts),
                                .lowest = dup(u->lowest_version >= 0 ? tls_version_bit_name(u->lowest_version) : ""),
                                .expiry = dup(expiry), .grade = g, .days_left = u->expiry_days_left,
                                .has_days = u->have_expiry, .starttls = rollup_starttls(u),
                                .dane = domain_dane_names[rollup_dane(u)], .sts = sts_status_name(u->sts)};
}

void report_add(struct report *r, const struct rollup_target *t)
{
    const struct rollup *u = t->rollup;
    int g = report_grade_index(t->grade[0]);
    r->targets++;
    r->rows += (uint64_t)u->rows;
    r->grades[g]++;
    const char *st = rollup_starttls(u);
    if (*st) r->answered_domains++;
    if (strcmp(st, "all") == 0) r->starttls_all++;
    if (strcmp(st, "some") == 0) r->starttls_some++;
    if (strcmp(st, "none") == 0) r->starttls_none++;
    if (u->sts != MTA_STS_NOT_LOOKED || u->rpt != RPT_NOT_LOOKED) {
        r->mail_domains++;
        r->sts[u->sts]++;
        r->rpt[u->rpt]++;
    }
    r->dane[rollup_dane(u)]++;
    for (int i = 0; i < t->nrows; i++) {
        const struct kept_row *k = &t->rows[i];
        r->by_status[k->status]++;
        int v = tls_version_bit_of_name(k->tls_version);
        if (v >= 0)
            r->versions[v]++;
        else if (k->status == ST_OK)
            r->no_version++;
        add_cert(r, t->domain, k);
    }
    add_domain(r, t, g);
}
