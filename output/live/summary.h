/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a scan found, in totals: updated by every worker as targets finish
 * (a row is counted once it is in the output), printed on stderr at the
 * end, and written as JSON with --summary FILE. With --resume, the rows an
 * earlier run wrote count too. */
#ifndef STS_SUMMARY_H
#define STS_SUMMARY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "scanner/result/row.h"
#include "scanner/base/hashset.h"

struct feeder_stats;

#define SUMMARY_CIPHERS 64
#define SUMMARY_EXPIRING_LIST 1000

struct expiring_cert {
    char domain[256], mx_host[256], ip[64], not_after[32];
    char sha256[65], subject[256]; /* the certificate (the subject cut) */
    int64_t days_left;
};

struct cipher_count {
    char name[64];
    uint64_t rows;
};

struct reason_count {
    enum policy_reason code; /* scanner/result/reason.h */
    uint64_t rows;           /* domains */
};

/* Mail domains (MX mode), each counted once from all of its rows. */
struct policy_counts {
    uint64_t domains;                           /* with their policies looked up */
    uint64_t mx_secure;                         /* whose MX answer was authenticated */
    uint64_t dane, dane_valid, dane_unsigned;   /* TLSA on an MX; valid on every such row */
    uint64_t sts_looked, sts[MTA_STS_ERROR + 1], sts_valid; /* by status; enforce/testing passed by every MX */
    uint64_t rpt_seen, rpt[RPT_ERROR + 1];       /* a record, malformed or not, or a lookup error */
};

/* One target's rows, gathered for the domain's counts. */
struct policy_tally {
    int rows, dane_rows;
    bool dane_failed, dane_unsigned, has_policy, sts_failed, mx_secure;
    enum sts_status sts;
    enum rpt_status rpt;
    enum policy_reason dane_why, sts_why; /* the first failure of each */
};

struct summary {
    atomic_uint_fast64_t rows, rows_resumed, targets_done, in_flight;
    atomic_uint_fast64_t dns_queries; /* sent by this run (retries by c-ares aside) */
    atomic_uint_fast64_t by_status[ST_COUNT];
    atomic_uint_fast64_t resolver_failed; /* dns_failed rows without an answer from the resolver */
    atomic_uint_fast64_t versions[5]; /* SSLv3 .. TLS 1.3 */
    atomic_uint_fast64_t starttls_yes, starttls_no, name_mismatch, retried;
    atomic_uint_fast64_t ciphers_listed, ciphers_weak; /* --ciphers: rows with suites; with a weak one */
    int64_t expiring_within; /* --expiring-within DAYS, -1: not asked */
    uv_mutex_t lock;         /* for what follows */
    struct cipher_count ciphers[SUMMARY_CIPHERS];
    int nciphers;
    struct hashset certs; /* unique certificates, by SHA-256 */
    uint64_t certs_unique, certs_expired, certs_7d, certs_30d, certs_bad_chain;
    struct policy_counts policy;
    uint64_t reason_rows[REASON_COUNT];     /* why published policies fail: domains by reason */
    struct reason_count reasons[REASON_COUNT]; /* ...those seen, most first (summary_sort_reasons) */
    int nreasons;
    struct policy_tally pending; /* read-back rows (--resume, merge): the target being read */
    struct buf pending_key, row_key;
    struct expiring_cert *expiring; /* --expiring-within: the certificates found */
    int nexpiring;
    uint64_t expiring_total;
};

/* What the summary says besides the counts: how the scan ended, and what
 * the likely cause is when nothing could be reached. */
/* Where a run came from (issue 27): what a survey's methods section needs.
 * Every field may be empty (merge knows no resolver). */
#define SUMMARY_SCHEMA_VERSION 1 /* of the rows (docs/row.schema.json) and this summary */
struct run_provenance {
    const char *scanner;  /* "starttls-scan 0.2.0 (libuv ..., wolfSSL ..., c-ares ...)" */
    int argc;
    char *const *argv;    /* the command line as given (no secret is ever on it) */
    int64_t started, ended; /* Unix times */
    const char *protocol, *ehlo;
    const char *const *resolvers; /* the servers asked */
    int nresolvers;
    const char *resolvers_from;   /* "--resolver" or "/etc/resolv.conf" */
    char sources[16][64];         /* the local addresses connections went out from */
    int nsources;
    uint64_t sources_more;        /* connections from addresses past those */
    const char *ca_bundle;        /* the file the chains were judged against */
    char ca_sha256[65];           /* ...its SHA-256 ("" when unreadable) */
};

struct summary_context {
    const struct run_provenance *run; /* NULL: not said */
    bool interrupted;
    uint64_t left;     /* targets read but not in the output */
    bool input_unread; /* the input was not read to its end */
    const char *const *resolvers;
    int nresolvers;
    bool allow_private;
    bool lists; /* --blocklist or --allowlist given */
};

int summary_init(struct summary *s, int64_t expiring_within);
void summary_free(struct summary *s);
void summary_count(struct summary *s, const struct row *row);

/* output/live/summary_policy.c: a target's rows, all of them: each row, and the
 * domain's policies once. */
void summary_count_rows(struct summary *s, const struct row *rows, int n);
void policy_tally_add(struct policy_tally *t, const struct row *row);
void summary_count_policy(struct summary *s, const struct policy_tally *t);
/* Rows read back one at a time (a target's rows are contiguous in a
 * file): a row whose key differs from the one before opens a new target;
 * summary_flush_rows counts the last one. Not thread-safe: for the
 * single-threaded read-backs (--resume, merge). */
void summary_count_read(struct summary *s, const struct row *row);
void summary_flush_rows(struct summary *s);
void summary_sort_reasons(struct summary *s);
/* Under the summary's lock: the lines, and the JSON members. */
void summary_print_policy(struct summary *s, FILE *out);
void summary_json_policy(struct summary *s, struct buf *b);

/* output/live/summary_print.c */
void summary_print(struct summary *s, const struct feeder_stats *in, double seconds, FILE *out);
/* -q --expiring-within: the alert alone, one line per certificate, soonest
 * first: days left, not-after, subject, where it was seen. */
void summary_print_expiring(struct summary *s, FILE *out);
/* All but the first line (the input's counts): what the rows say. */
void summary_print_body(struct summary *s, FILE *out);
/* A run that measured nothing: no row got as far as a connection, and the
 * resolver gave no answer for some (exit status 4, said even under -q). */
bool summary_nothing_measured(struct summary *s);
void summary_nothing_line(struct summary *s, const struct summary_context *ctx, FILE *out);
/* The ending, and a warning when no row got as far as a connection. */
void summary_warn(struct summary *s, const struct summary_context *ctx, FILE *out);
/* "1 target", "2 targets". */
const char *summary_plural(uint64_t n, const char *one, const char *many);

/* output/live/summary_json.c: the summary as JSON into fd (replacing what it
 * held); 0, or -1 when it cannot be written (reported with path). */
int summary_write_json(struct summary *s, const struct feeder_stats *in,
                       const struct summary_context *ctx, double seconds, int fd, const char *path);

#endif
