/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One answer per mail domain (issue 16 groundwork, not wired in yet): a
 * domain's rows gathered into a rollup, and its grade by the rubric of
 * docs/grades.md, with the reason it is not the next grade up. Pure: the
 * rows come from a scan or from a file read back. */
#ifndef STS_GRADE_H
#define STS_GRADE_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/result/row.h"

struct rollup {
    int rows;       /* all of the domain's rows */
    int addresses;  /* rows with an address probed */
    int reached;    /* ...whose server answered the dialog (ok, no_starttls, starttls_refused, tls_failed) */
    int tls;        /* ...and completed TLS (ok) */
    int modern;     /* ...with TLS 1.2 or 1.3 */
    int trusted;    /* ...and a valid chain naming the MX host */
    int dane_rows, dane_valid, dane_broken; /* TLSA on the MX; matched; authenticated but not matched, or bogus */
    int sts_ok, sts_fail;                   /* rows an MTA-STS sender would (not) deliver to */
    enum sts_status sts;
    bool null_mx, dns_failed;
    int lowest_version; /* a names.h version bit, -1: none */
    int64_t earliest_expiry;
    bool have_expiry;
    /* The first row that fails each step, for the reason. */
    char no_tls[300], old_tls[300], untrusted[300], dane_bad[300], sts_bad[300], lowest_mx[256], expiry_mx[256];
};

void rollup_init(struct rollup *r);
void rollup_add(struct rollup *r, const struct row *row);

/* "A" to "F", or "-" (no grade: the domain accepts no mail, DNS failed, or
 * no MX answered); the reason names the first thing that keeps the domain
 * from the next grade ("" for A). */
void rollup_grade(const struct rollup *r, char grade[2], char *reason, size_t len);

#endif
