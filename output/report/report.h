/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTML report (issue 16): the figures of a scan's rows, gathered one
 * target at a time (output/report/rollup_read.h) in bounded memory, then written as
 * one self-contained page (output/report/report_html.c): CSS inline, charts as
 * inline SVG (output/report/svg.c), a small inline script for sorting and filtering,
 * no URL to fetch. Everything a server chose is HTML-escaped on top of the
 * cell escaping it already has. */
#ifndef STS_REPORT_H
#define STS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output/report/rollup_read.h"
#include "scanner/base/buf.h"
#include "scanner/base/hashset.h"
#include "scanner/tls/names.h"

#define REPORT_GRADES 7 /* A B C D F - and "incomplete" is said in the reason */
#define REPORT_EXPIRY_BINS 9
#define REPORT_ISSUERS 200     /* distinct issuers counted by name; the rest are "other" */
#define REPORT_CERTS 2000      /* certificates listed as expiring */
#define REPORT_DOMAINS 20000   /* domains listed in the per-domain table, worst grades kept */

struct report_cert {
    char sha256[65], not_after[32], subject[256], issuer[256];
    int64_t days_left;
    struct buf served; /* "domain\tmx\n" lines, capped */
    int nserved, nshown;
};

struct report_domain {
    char *domain, *reason, *mx, *lowest, *expiry;
    int grade;
    int64_t days_left;
    bool has_days;
    const char *starttls, *dane, *sts;
};

struct report_issuer {
    char name[256];
    uint64_t certs;
};

struct report {
    int64_t expiring_within; /* days: the certificate table's window */
    uint64_t rows, targets;
    uint64_t by_status[ST_COUNT];
    uint64_t versions[TLS_VERSION_BITS], no_version;
    uint64_t grades[REPORT_GRADES];
    uint64_t starttls_all, starttls_some, starttls_none, answered_domains;
    uint64_t dane[DOMAIN_DANE_COUNT], sts[MTA_STS_ERROR + 1], rpt[RPT_ERROR + 1], mail_domains;
    uint64_t expiry_bins[REPORT_EXPIRY_BINS], certs;
    struct hashset seen_certs;
    struct report_issuer issuers[REPORT_ISSUERS];
    int nissuers;
    uint64_t other_issuer_certs;
    struct report_cert *expiring;
    int nexpiring;
    uint64_t expiring_more; /* certificates in the window past REPORT_CERTS */
    struct report_domain *domains[REPORT_GRADES];
    int ndomains[REPORT_GRADES], kept;
    uint64_t domains_left_out;
};

/* The grade's index: 0 A, 1 B, 2 C, 3 D, 4 F, 5 "-". */
int report_grade_index(char grade);
extern const char *const report_grade_names[REPORT_GRADES];
/* The expiry histogram's bins: the upper bound of days left for each
 * (INT64_MAX for the last), and its label. */
extern const int64_t report_expiry_upper[REPORT_EXPIRY_BINS];
extern const char *const report_expiry_labels[REPORT_EXPIRY_BINS];

int report_init(struct report *r, int64_t expiring_within);
void report_add(struct report *r, const struct rollup_target *t);
void report_free(struct report *r);

struct report_meta {
    const char *const *inputs;
    int ninputs;
    int64_t generated; /* Unix time */
    const char *version; /* starttls-scan's */
};
/* report_tables.c: the expiring certificates and the per-domain table. */
int report_tables(struct buf *out, const struct report *r);
/* The page, whole, into out: 0 or -1 (out of memory). */
int report_html(const struct report *r, const struct report_meta *m, struct buf *out);

#endif
