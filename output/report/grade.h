/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One answer per mail domain: a domain's rows gathered into a rollup, and
 * its grade by the rubric of docs/grades.md, with the reason it is not the
 * next grade up. Pure: the rows come from a file read back (rollup_read.h). */
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
    bool null_mx;
    bool dns_ended;    /* a DNS answer left no host: dns_failed, or no_service (SRV ".") */
    char dns_why[200]; /* ...the first such row's error */
    int lowest_version; /* a names.h version bit, -1: none */
    int64_t earliest_expiry;
    int64_t expiry_days_left; /* of that certificate, from its row's scan */
    bool have_expiry;
    /* For the rollup's columns (docs/grades.md): */
    int mx_count;
    char mx_hosts[1024];       /* the distinct MX hosts, space-separated (cut when longer) */
    int chain_no, name_no;     /* TLS rows whose chain is not valid; whose name does not match */
    int dane_unsigned, dane_none;
    enum rpt_status rpt;
    int weakest_score;         /* suite_score() of the weakest suite negotiated, -1: none */
    char weakest[64], weakest_mx[256];
    char weak_accepted[1024];  /* --ciphers: the weak suites any MX accepts, once each */
    /* Hygiene by the NCSC-NL TLS guidelines' classes (docs/grades.md):
     * the worst class any TLS row shows, and the evidence there was. */
    int insufficient, phase_out;     /* TLS rows with such a finding */
    int versions_listed, suites_listed; /* TLS rows whose versions / suites were enumerated */
    char insufficient_why[300], phase_out_why[300];
    /* The first row that fails each step, for the reason. */
    char no_tls[300], old_tls[300], untrusted[300], dane_bad[300], sts_bad[300], lowest_mx[256], expiry_mx[256];
    char unanswered[300]; /* the first row with an address whose server did not answer, and why */
};

void rollup_init(struct rollup *r);
void rollup_add(struct rollup *r, const struct row *row);

/* "A" to "F", or "-" (no grade: the domain accepts no mail, DNS failed, or
 * no MX answered); the reason names the first thing that keeps the domain
 * from the next grade ("" for A). */
void rollup_grade(const struct rollup *r, char grade[2], char *reason, size_t len);

/* How weak a suite is, by its IANA name: 6 NULL, anonymous or EXPORT; 5 RC4
 * or DES; 4 3DES, a 64-bit block or MD5; 3 no forward secrecy; 2 CBC with
 * SHA-1; 1 another CBC suite; 0 AEAD (docs/ciphers.md). */
int suite_score(const char *name);

/* The domain's DANE over its answering MX, and its word in the rollup
 * ("valid", "partial", "invalid", "unusable", "unsigned", "none", ""). */
enum domain_dane {
    DOMAIN_DANE_VALID,
    DOMAIN_DANE_PARTIAL,
    DOMAIN_DANE_INVALID,
    DOMAIN_DANE_UNUSABLE,
    DOMAIN_DANE_UNSIGNED,
    DOMAIN_DANE_NONE,
    DOMAIN_DANE_NOT_LOOKED,
    DOMAIN_DANE_COUNT
};
extern const char *const domain_dane_names[DOMAIN_DANE_COUNT];
enum domain_dane rollup_dane(const struct rollup *r);

/* The domain's other verdicts as the rollup writes them: "all", "some",
 * "none" or "" (STARTTLS over the answering MX); "yes", "no" or "" (every
 * TLS MX has a valid chain; names it; passes MTA-STS). */
const char *rollup_starttls(const struct rollup *r);
/* What the grade saw, for the rollup's evidence column: "handshake", then
 * "versions" and "ciphers" when every TLS row had them enumerated ("some"
 * after the word when only some did); "" without TLS. */
void rollup_evidence(const struct rollup *r, char *out, size_t len);
/* A row's hygiene by the NCSC-NL classes: 2 insufficient, 1 phase out, 0
 * neither; why says the first finding of the worst class. */
int row_hygiene(const struct probe_result *p, char *why, size_t len);
enum tri rollup_chains_valid(const struct rollup *r);
enum tri rollup_names_match(const struct rollup *r);
enum tri rollup_sts_passed(const struct rollup *r);

#endif
