/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/grade.h"

#include <stdio.h>
#include <string.h>

#include "scanner/tls/names.h"
#include "scanner/tls/suites.h"

void rollup_init(struct rollup *r)
{
    memset(r, 0, sizeof *r);
    r->lowest_version = -1;
    r->weakest_score = -1;
}

int suite_score(const char *name)
{
    static const struct {
        unsigned weakness;
        int score;
    } weights[] = {{WEAK_NULL, 6},  {WEAK_ANON, 6},  {WEAK_EXPORT, 6}, {WEAK_RC4, 5},   {WEAK_DES, 5},
                   {WEAK_3DES, 4},  {WEAK_64BIT, 4}, {WEAK_MD5, 4},    {WEAK_NO_FS, 3}, {WEAK_CBC_SHA1, 2}};
    unsigned w = suite_name_weakness_bits(name);
    int score = strstr(name, "_CBC_") ? 1 : 0;
    for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++)
        if ((w & weights[i].weakness) && weights[i].score > score) score = weights[i].score;
    return score;
}

/* Adds word to a space-separated list unless it is there; a full list stays as it is. */
static bool add_word(char *list, size_t cap, const char *word, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && memcmp(p, word, len) == 0) return false;
        p += n + (p[n] == ' ');
    }
    size_t used = strlen(list);
    if (used + len + 2 > cap) return false;
    snprintf(list + used, cap - used, "%s%.*s", used ? " " : "", (int)len, word);
    return true;
}

static void add_weak_accepted(struct rollup *r, const struct text *weak)
{
    for (const char *p = weak->p ? weak->p : ""; *p;) {
        size_t n = strcspn(p, " ");
        add_word(r->weak_accepted, sizeof r->weak_accepted, p, n);
        p += n + (p[n] == ' ');
    }
}

static void first(char *slot, size_t len, const struct row *row, const char *what)
{
    if (slot[0]) return;
    snprintf(slot, len, "%s [%s]: %s", row->mx_host ? row->mx_host : "?", row->ip ? row->ip : "?", what);
}

static bool answered(enum scan_status st)
{
    return st == ST_OK || st == ST_NO_STARTTLS || st == ST_STARTTLS_REFUSED || st == ST_TLS_FAILED;
}

static void add_tls(struct rollup *r, const struct row *row)
{
    const struct probe_result *p = row->result;
    int v = tls_version_bit_of_name(p->tls_version);
    if (v >= 0 && (r->lowest_version < 0 || v < r->lowest_version)) {
        r->lowest_version = v;
        snprintf(r->lowest_mx, sizeof r->lowest_mx, "%s", row->mx_host ? row->mx_host : "");
    }
    if (p->cipher[0] && suite_score(p->cipher) > r->weakest_score) {
        r->weakest_score = suite_score(p->cipher);
        snprintf(r->weakest, sizeof r->weakest, "%s", p->cipher);
        snprintf(r->weakest_mx, sizeof r->weakest_mx, "%s", row->mx_host ? row->mx_host : "");
    }
    if (p->chain_valid != TRI_YES) r->chain_no++;
    if (p->hostname_match != TRI_YES) r->name_no++;
    if (p->cert.present && p->cert.dates_valid && (!r->have_expiry || p->cert.not_after < r->earliest_expiry)) {
        r->earliest_expiry = p->cert.not_after;
        r->expiry_days_left = cert_days_left(p);
        r->have_expiry = true;
        snprintf(r->expiry_mx, sizeof r->expiry_mx, "%s", row->mx_host ? row->mx_host : "");
    }
    if (v < tls_version_bit_of_name("TLSv1.2")) {
        first(r->old_tls, sizeof r->old_tls, row, p->tls_version[0] ? p->tls_version : "an unknown version");
        return;
    }
    r->modern++;
    if (row->dane == DANE_VALID)
        r->trusted++; /* RFC 7672 3.1: DANE authenticates the server; PKIX does not apply */
    else if (p->chain_valid != TRI_YES)
        first(r->untrusted, sizeof r->untrusted, row,
              p->chain_error.p && p->chain_error.p[0] ? p->chain_error.p : "the chain is not valid");
    else if (p->hostname_match != TRI_YES)
        first(r->untrusted, sizeof r->untrusted, row, "the certificate does not name the MX host");
    else
        r->trusted++;
}

/* A suite by the NCSC-NL classes, from its weaknesses (suites.h): NULL,
 * anonymous, EXPORT, RC4, DES, IDEA/RC2 and MD5 are insufficient; 3DES and
 * a key exchange without forward secrecy are to be phased out. */
static int suite_class(const char *suite)
{
    unsigned w = suite_name_weakness_bits(suite);
    if (w & (WEAK_NULL | WEAK_ANON | WEAK_EXPORT | WEAK_RC4 | WEAK_DES | WEAK_64BIT | WEAK_MD5)) return 2;
    return (w & (WEAK_3DES | WEAK_NO_FS)) ? 1 : 0;
}

/* Keeps the worst finding: class and its first reason. */
static void finding(int *worst, char *why, size_t len, int cls, const char *what, const char *detail)
{
    if (cls <= *worst) return;
    *worst = cls;
    snprintf(why, len, "%s%s", what, detail);
}

/* Does the row's --versions list, or a version's part of its --ciphers
 * list, show that version accepted? */
static bool accepts_version(const struct probe_result *p, const char *version)
{
    size_t n = strlen(version);
    for (const char *v = p->versions; (v = strstr(v, version)); v += n)
        if (v[n] == '\0' || v[n] == ' ') return true;
    char head[16];
    snprintf(head, sizeof head, "%s:", version);
    return p->ciphers.p && strstr(p->ciphers.p, head) != NULL;
}

int row_hygiene(const struct probe_result *p, char *why, size_t len)
{
    int worst = 0;
    why[0] = '\0';
    if (accepts_version(p, "SSLv3")) finding(&worst, why, len, 2, "accepts ", "SSLv3");
    if (p->cipher[0]) finding(&worst, why, len, suite_class(p->cipher), "negotiates ", p->cipher);
    for (const char *w = p->weak_ciphers.p ? p->weak_ciphers.p : ""; *w;) {
        size_t n = strcspn(w, " ");
        char suite[96];
        snprintf(suite, sizeof suite, "%.*s", (int)(n < 95 ? n : 95), w);
        finding(&worst, why, len, suite_class(suite), "accepts ", suite);
        w += n + (w[n] == ' ');
    }
    int bits = 0;
    if (sscanf(p->kex_group, "DH-%d", &bits) == 1 || sscanf(p->kex_group, "ffdhe%d", &bits) == 1)
        finding(&worst, why, len, bits < 2048 ? 2 : bits == 2048 ? 1 : 0, "a Diffie-Hellman group of too few bits: ",
                p->kex_group);
    if (p->cert.present && sscanf(p->cert.key, "RSA-%d", &bits) == 1 && bits < 2048)
        finding(&worst, why, len, 2, "a certificate key of fewer than 2048 bits: ", p->cert.key);
    if (p->cert.present && (strcasestr(p->cert.sig_alg, "sha1") || strcasestr(p->cert.sig_alg, "md5")))
        finding(&worst, why, len, 2, "a certificate signed with SHA-1 or MD5: ", p->cert.sig_alg);
    static const char *const phase_out[] = {"TLSv1.0", "TLSv1.1"};
    for (size_t i = 0; i < sizeof phase_out / sizeof phase_out[0]; i++)
        if (accepts_version(p, phase_out[i])) finding(&worst, why, len, 1, "accepts ", phase_out[i]);
    return worst;
}

static void add_hygiene(struct rollup *r, const struct row *row)
{
    const struct probe_result *p = row->result;
    if (p->versions[0]) r->versions_listed++;
    if (p->ciphers.p && p->ciphers.p[0]) r->suites_listed++;
    char why[200];
    int cls = row_hygiene(p, why, sizeof why);
    if (cls == 2) {
        r->insufficient++;
        first(r->insufficient_why, sizeof r->insufficient_why, row, why);
    } else if (cls == 1) {
        r->phase_out++;
        first(r->phase_out_why, sizeof r->phase_out_why, row, why);
    }
}

void rollup_evidence(const struct rollup *r, char *out, size_t len)
{
    if (r->tls == 0) {
        out[0] = '\0';
        return;
    }
    snprintf(out, len, "handshake%s%s%s%s", r->versions_listed ? " versions" : "",
             r->versions_listed && r->versions_listed < r->tls ? "(some)" : "", r->suites_listed ? " ciphers" : "",
             r->suites_listed && r->suites_listed < r->tls ? "(some)" : "");
}

static void add_policies(struct rollup *r, const struct row *row)
{
    if (row->dane == DANE_NONE) r->dane_none++;
    if (row->dane == DANE_UNSIGNED) r->dane_unsigned++;
    if (row->dane != DANE_NOT_LOOKED && row->dane != DANE_NONE) {
        r->dane_rows++;
        if (row->dane == DANE_VALID) r->dane_valid++;
        if (row->dane == DANE_INVALID || row->dane == DANE_ERROR) {
            r->dane_broken++;
            first(r->dane_bad, sizeof r->dane_bad, row,
                  row->dane == DANE_ERROR ? "the TLSA lookup failed (bogus?): DANE senders defer mail"
                                          : "authenticated TLSA records do not match: DANE senders refuse it");
        }
    }
    if (row->sts_ok == TRI_YES) r->sts_ok++;
    if (row->sts_ok == TRI_NO) {
        r->sts_fail++;
        first(r->sts_bad, sizeof r->sts_bad, row,
              row->sts_mx_match == TRI_NO ? "not among the MTA-STS policy's mx patterns"
                                          : "fails the MTA-STS sender's check (TLS 1.2+, chain, name)");
    }
}

void rollup_add(struct rollup *r, const struct row *row)
{
    const struct probe_result *p = row->result;
    r->rows++;
    if (p->status == ST_NULL_MX) r->null_mx = true;
    if ((p->status == ST_DNS_FAILED || p->status == ST_NO_SERVICE) && !row->ip && !r->dns_ended) {
        r->dns_ended = true;
        snprintf(r->dns_why, sizeof r->dns_why, "%s", p->error.p ? p->error.p : "");
    }
    if (row->mx_host && row->mx_host[0] &&
        add_word(r->mx_hosts, sizeof r->mx_hosts, row->mx_host, strlen(row->mx_host)))
        r->mx_count++;
    if (row->policy) {
        r->sts = row->policy->mta_sts;
        r->rpt = row->policy->tls_rpt;
    }
    if (!row->ip) return;
    r->addresses++;
    if (!answered(p->status)) {
        char why[260];
        snprintf(why, sizeof why, "%s%s%.200s", status_name(p->status), p->error.len ? ": " : "",
                 p->error.p ? p->error.p : "");
        first(r->unanswered, sizeof r->unanswered, row, why);
        return;
    }
    r->reached++;
    add_policies(r, row);
    add_weak_accepted(r, &p->weak_ciphers);
    if (p->status != ST_OK) {
        first(r->no_tls, sizeof r->no_tls, row, status_name(p->status));
        return;
    }
    r->tls++;
    add_tls(r, row);
    add_hygiene(r, row);
}

void rollup_grade(const struct rollup *r, char grade[2], char *reason, size_t len)
{
    grade[1] = '\0';
    reason[0] = '\0';
    if (r->reached == 0) {
        grade[0] = '-';
        if (r->null_mx || r->dns_ended || !r->addresses)
            snprintf(reason, len, "%s", r->null_mx ? "the domain accepts no mail (null MX)"
                                   : r->dns_ended ? (r->dns_why[0] ? r->dns_why : "DNS failed")
                                                   : "no MX address to scan");
        else
            snprintf(reason, len, "incomplete: no MX answered; the first: %s", r->unanswered);
        return;
    }
    bool policy = (r->dane_rows > 0 && r->dane_valid == r->reached) ||
                  (r->sts == MTA_STS_ENFORCE && r->sts_fail == 0 && r->sts_ok > 0);
    if (r->tls == 0) {
        grade[0] = 'F';
        snprintf(reason, len, "no MX accepts STARTTLS (%s)", r->no_tls);
    } else if (r->tls < r->reached || r->modern < r->tls) {
        grade[0] = 'D';
        if (r->tls < r->reached)
            snprintf(reason, len, "no TLS: %s", r->no_tls);
        else
            snprintf(reason, len, "TLS below 1.2: %s", r->old_tls);
    } else if (r->insufficient) {
        grade[0] = 'D';
        snprintf(reason, len, "insufficient (NCSC-NL): %s", r->insufficient_why);
    } else if (r->trusted < r->modern || r->dane_broken || (r->sts == MTA_STS_ENFORCE && r->sts_fail) ||
               r->phase_out) {
        grade[0] = 'C';
        if (r->trusted < r->modern || r->dane_broken || (r->sts == MTA_STS_ENFORCE && r->sts_fail))
            snprintf(reason, len, "%s", r->trusted < r->modern ? r->untrusted : r->dane_broken ? r->dane_bad : r->sts_bad);
        else
            snprintf(reason, len, "to be phased out (NCSC-NL): %s", r->phase_out_why);
    } else if (!policy) {
        grade[0] = 'B';
        snprintf(reason, len, "%s", r->sts == MTA_STS_TESTING ? "MTA-STS in testing mode only, and no valid DANE"
                               : r->dane_rows          ? "DANE does not cover every MX, and no enforced MTA-STS"
                                                       : "no DANE and no enforced MTA-STS policy");
    } else {
        grade[0] = 'A';
    }
    if (r->reached < r->addresses) {
        size_t n = strlen(reason);
        snprintf(reason + n, len - n, "%s(incomplete: %d of %d MX addresses did not answer)", n ? " " : "",
                 r->addresses - r->reached, r->addresses);
    }
}

const char *rollup_starttls(const struct rollup *r)
{
    if (r->reached == 0) return "";
    return r->tls == r->reached ? "all" : r->tls ? "some" : "none";
}

const char *const domain_dane_names[DOMAIN_DANE_COUNT] = {"valid",    "partial", "invalid", "unusable",
                                                          "unsigned", "none",    ""};

enum domain_dane rollup_dane(const struct rollup *r)
{
    if (r->dane_broken) return DOMAIN_DANE_INVALID;
    if (r->reached && r->dane_valid == r->reached) return DOMAIN_DANE_VALID;
    if (r->dane_valid) return DOMAIN_DANE_PARTIAL;
    if (r->dane_rows > r->dane_unsigned) return DOMAIN_DANE_UNUSABLE;
    if (r->dane_unsigned) return DOMAIN_DANE_UNSIGNED;
    return r->dane_none ? DOMAIN_DANE_NONE : DOMAIN_DANE_NOT_LOOKED;
}

enum tri rollup_chains_valid(const struct rollup *r)
{
    return r->tls == 0 ? TRI_UNKNOWN : r->chain_no ? TRI_NO : TRI_YES;
}

enum tri rollup_names_match(const struct rollup *r)
{
    return r->tls == 0 ? TRI_UNKNOWN : r->name_no ? TRI_NO : TRI_YES;
}

enum tri rollup_sts_passed(const struct rollup *r)
{
    return r->sts_fail ? TRI_NO : r->sts_ok ? TRI_YES : TRI_UNKNOWN;
}
