/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The grade rubric (docs/grades.md) by a table of domains: each a few MX
 * rows, the grade, and a part of the reason. */
#include <stdio.h>
#include <string.h>

#include "output/report/grade.h"
#include "tests/unit/test.h"

/* One MX row: status, TLS version, chain, name, DANE, MTA-STS ok. */
struct mx {
    enum scan_status st;
    const char *version;
    enum tri chain, name;
    enum dane_status dane;
    enum tri sts_ok, sts_match;
};

struct grade_case {
    enum sts_status sts;
    int n;
    struct mx mx[3];
    const char *grade, *why;
};

#define OK13 ST_OK, "TLSv1.3", TRI_YES, TRI_YES
#define NOROW_POLICY DANE_NONE, TRI_UNKNOWN, TRI_UNKNOWN

static const struct grade_case cases[] = {
    {MTA_STS_NO_POLICY, 2, {{OK13, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN}, {OK13, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN}}, "A", ""},
    {MTA_STS_ENFORCE, 1, {{OK13, DANE_NONE, TRI_YES, TRI_YES}}, "A", ""},
    {MTA_STS_NO_POLICY, 1, {{OK13, NOROW_POLICY}}, "B", "no DANE and no enforced MTA-STS"},
    {MTA_STS_TESTING, 1, {{OK13, DANE_NONE, TRI_YES, TRI_YES}}, "B", "testing mode"},
    {MTA_STS_NO_POLICY, 2, {{OK13, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN}, {OK13, NOROW_POLICY}}, "B", "DANE does not cover every MX"},
    {MTA_STS_NO_POLICY, 1, {{ST_OK, "TLSv1.2", TRI_NO, TRI_YES, NOROW_POLICY}}, "C", "mx0 [192.0.2.0]: the chain is not valid"},
    {MTA_STS_NO_POLICY, 1, {{ST_OK, "TLSv1.3", TRI_YES, TRI_NO, NOROW_POLICY}}, "C", "does not name the MX host"},
    {MTA_STS_NO_POLICY, 2, {{OK13, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN}, {OK13, DANE_INVALID, TRI_UNKNOWN, TRI_UNKNOWN}}, "C", "mx1 [192.0.2.1]: authenticated TLSA records do not match"},
    {MTA_STS_NO_POLICY, 1, {{OK13, DANE_ERROR, TRI_UNKNOWN, TRI_UNKNOWN}}, "C", "bogus"},
    {MTA_STS_ENFORCE, 2, {{OK13, DANE_NONE, TRI_YES, TRI_YES}, {OK13, DANE_NONE, TRI_NO, TRI_NO}}, "C", "mx1 [192.0.2.1]: not among the MTA-STS policy's mx patterns"},
    {MTA_STS_TESTING, 2, {{OK13, DANE_NONE, TRI_YES, TRI_YES}, {OK13, DANE_NONE, TRI_NO, TRI_NO}}, "B", "testing mode"},
    {MTA_STS_NO_POLICY, 2, {{OK13, NOROW_POLICY}, {ST_NO_STARTTLS, "", TRI_UNKNOWN, TRI_UNKNOWN, NOROW_POLICY}}, "D", "no TLS: mx1 [192.0.2.1]: no_starttls"},
    {MTA_STS_NO_POLICY, 2, {{OK13, NOROW_POLICY}, {ST_OK, "TLSv1.0", TRI_YES, TRI_YES, NOROW_POLICY}}, "D", "TLS below 1.2: mx1 [192.0.2.1]: TLSv1.0"},
    {MTA_STS_NO_POLICY, 2, {{ST_NO_STARTTLS, "", TRI_UNKNOWN, TRI_UNKNOWN, NOROW_POLICY}, {ST_STARTTLS_REFUSED, "", TRI_UNKNOWN, TRI_UNKNOWN, NOROW_POLICY}}, "F", "no MX accepts STARTTLS"},
    {MTA_STS_NO_POLICY, 2, {{OK13, NOROW_POLICY}, {ST_TIMEOUT, "", TRI_UNKNOWN, TRI_UNKNOWN, NOROW_POLICY}}, "B", "(incomplete: 1 of 2 MX addresses did not answer)"},
    {MTA_STS_NO_POLICY, 1, {{ST_TIMEOUT, "", TRI_UNKNOWN, TRI_UNKNOWN, NOROW_POLICY}}, "-", "incomplete: no MX answered"},
    {MTA_STS_NO_POLICY, 1, {{ST_SERVER_REFUSED, "", TRI_UNKNOWN, TRI_UNKNOWN, NOROW_POLICY}}, "-", "incomplete"},
    /* RFC 7672 3.1: DANE valid on every MX is the best case whatever PKIX says. */
    {MTA_STS_NO_POLICY, 2, {{ST_OK, "TLSv1.3", TRI_NO, TRI_NO, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN},
                            {ST_OK, "TLSv1.2", TRI_YES, TRI_NO, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN}}, "A", ""},
    {MTA_STS_NO_POLICY, 2, {{ST_OK, "TLSv1.3", TRI_NO, TRI_NO, DANE_VALID, TRI_UNKNOWN, TRI_UNKNOWN},
                            {ST_OK, "TLSv1.3", TRI_NO, TRI_YES, NOROW_POLICY}}, "C", "mx1 [192.0.2.1]"},
};

/* Hygiene by the NCSC-NL classes: what --versions and --ciphers found, the
 * suite and group negotiated, the certificate's key and signature. */
static const struct {
    const char *versions, *ciphers, *weak, *cipher, *kex, *key, *sig, *grade, *why;
} hygiene[] = {
    {"TLSv1.3", "", "", "TLS_AES_256_GCM_SHA384", "x25519", "RSA-2048", "sha256WithRSAEncryption", "B", "no DANE"},
    {"TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3", "", "", "TLS_AES_256_GCM_SHA384", "x25519", "EC-P256", "ecdsa-with-SHA256",
     "C", "to be phased out (NCSC-NL): mx0 [192.0.2.0]: accepts TLSv1.0"},
    {"TLSv1.2 TLSv1.3", "TLSv1.2: TLS_DH_anon_WITH_AES_128_CBC_SHA", "TLS_DH_anon_WITH_AES_128_CBC_SHA",
     "TLS_AES_256_GCM_SHA384", "x25519", "EC-P256", "ecdsa-with-SHA256", "D", "accepts TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {"", "TLSv1.1: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA; TLSv1.2: X", "", "TLS_AES_128_GCM_SHA256", "x25519", "RSA-2048",
     "sha256WithRSAEncryption", "C", "accepts TLSv1.1"},
    {"", "", "", "TLS_RSA_WITH_AES_256_GCM_SHA384", "", "RSA-2048", "sha256WithRSAEncryption", "C",
     "negotiates TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {"", "", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_AES_128_GCM_SHA256", "x25519", "RSA-2048",
     "sha256WithRSAEncryption", "C", "accepts TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {"", "", "TLS_RSA_WITH_RC4_128_SHA", "TLS_AES_128_GCM_SHA256", "x25519", "RSA-2048", "sha256WithRSAEncryption",
     "D", "accepts TLS_RSA_WITH_RC4_128_SHA"},
    {"SSLv3 TLSv1.2", "", "", "TLS_AES_128_GCM_SHA256", "x25519", "RSA-2048", "sha256WithRSAEncryption", "D",
     "accepts SSLv3"},
    {"", "", "", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DH-1024", "RSA-2048", "sha256WithRSAEncryption", "D",
     "DH-1024"},
    {"", "", "", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DH-2048", "RSA-2048", "sha256WithRSAEncryption", "C",
     "DH-2048"},
    {"", "", "", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DH-3072", "RSA-2048", "sha256WithRSAEncryption", "B", ""},
    {"", "", "", "TLS_AES_128_GCM_SHA256", "x25519", "RSA-1024", "sha256WithRSAEncryption", "D", "RSA-1024"},
    {"", "", "", "TLS_AES_128_GCM_SHA256", "x25519", "RSA-4096", "sha1WithRSAEncryption", "D", "sha1WithRSAEncryption"},
    {"", "", "", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "x25519", "RSA-2048", "sha256WithRSAEncryption", "B", ""},
};

TEST_IMPL(grade_hygiene_by_ncsc_classes)
{
    for (size_t i = 0; i < sizeof hygiene / sizeof hygiene[0]; i++) {
        struct domain_policy pol = {.mta_sts = MTA_STS_NO_POLICY};
        struct probe_result p;
        probe_result_init(&p);
        p.status = ST_OK;
        snprintf(p.tls_version, sizeof p.tls_version, "TLSv1.3");
        p.chain_valid = p.hostname_match = TRI_YES;
        snprintf(p.versions, sizeof p.versions, "%s", hygiene[i].versions);
        text_set_str(&p.ciphers, hygiene[i].ciphers);
        text_set_str(&p.weak_ciphers, hygiene[i].weak);
        snprintf(p.cipher, sizeof p.cipher, "%s", hygiene[i].cipher);
        snprintf(p.kex_group, sizeof p.kex_group, "%s", hygiene[i].kex);
        p.cert.present = true;
        snprintf(p.cert.key, sizeof p.cert.key, "%s", hygiene[i].key);
        snprintf(p.cert.sig_alg, sizeof p.cert.sig_alg, "%s", hygiene[i].sig);
        struct row row = {.mx_host = "mx0", .ip = "192.0.2.0", .result = &p, .policy = &pol, .dane = DANE_NONE};
        struct rollup r;
        rollup_init(&r);
        rollup_add(&r, &row);
        char grade[2], why[600], evidence[64];
        rollup_grade(&r, grade, why, sizeof why);
        if (strcmp(grade, hygiene[i].grade) != 0 || !strstr(why, hygiene[i].why))
            FAIL_AT("case %zu: grade %s (%s), want %s (%s)", i, grade, why, hygiene[i].grade, hygiene[i].why);
        rollup_evidence(&r, evidence, sizeof evidence);
        const char *want = hygiene[i].versions[0] && hygiene[i].ciphers[0] ? "handshake versions ciphers"
                           : hygiene[i].versions[0]                       ? "handshake versions"
                           : hygiene[i].ciphers[0]                        ? "handshake ciphers"
                                                                          : "handshake";
        if (strcmp(evidence, want) != 0) FAIL_AT("case %zu: evidence %s, want %s", i, evidence, want);
        probe_result_free(&p);
    }
}

TEST_IMPL(grade_rubric_by_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct grade_case *c = &cases[i];
        struct domain_policy pol = {.mta_sts = c->sts};
        struct rollup r;
        rollup_init(&r);
        for (int k = 0; k < c->n; k++) {
            const struct mx *m = &c->mx[k];
            struct probe_result p;
            probe_result_init(&p);
            p.status = m->st;
            snprintf(p.tls_version, sizeof p.tls_version, "%s", m->version);
            p.chain_valid = m->chain;
            p.hostname_match = m->name;
            char host[24], ip[32];
            snprintf(host, sizeof host, "mx%d", k);
            snprintf(ip, sizeof ip, "192.0.2.%d", k);
            struct row row = {.mx_host = host, .ip = ip, .result = &p, .policy = &pol, .dane = m->dane,
                              .sts_ok = m->sts_ok, .sts_mx_match = m->sts_match};
            rollup_add(&r, &row);
        }
        char grade[2], why[600];
        rollup_grade(&r, grade, why, sizeof why);
        if (strcmp(grade, c->grade) != 0 || !strstr(why, c->why) || (!c->why[0] && why[0]))
            FAIL_AT("case %zu: grade %s (%s), want %s (%s)", i, grade, why, c->grade, c->why);
    }
}

TEST_IMPL(grade_without_addresses)
{
    struct probe_result p;
    probe_result_init(&p);
    p.status = ST_NULL_MX;
    struct row row = {.result = &p};
    struct rollup r;
    rollup_init(&r);
    rollup_add(&r, &row);
    char grade[2], why[200];
    rollup_grade(&r, grade, why, sizeof why);
    ASSERT(strcmp(grade, "-") == 0 && strstr(why, "null MX"));
    p.status = ST_DNS_FAILED;
    rollup_init(&r);
    rollup_add(&r, &row);
    rollup_grade(&r, grade, why, sizeof why);
    ASSERT(strcmp(grade, "-") == 0 && strcmp(why, "DNS failed") == 0);
    /* SRV target ".": the row's own words, not "no MX address to scan". */
    p.status = ST_NO_SERVICE;
    text_set_str(&p.error, "SRV target '.' at _xmpp-client._tcp.example.org: the service is decidedly not offered");
    rollup_init(&r);
    rollup_add(&r, &row);
    rollup_grade(&r, grade, why, sizeof why);
    ASSERT(strcmp(grade, "-") == 0 && strcmp(why, p.error.p) == 0);
    probe_result_free(&p);
}

/* No MX answered: the reason names the first such row and what it said. */
TEST_IMPL(grade_names_the_unanswered_row)
{
    struct probe_result p;
    probe_result_init(&p);
    p.status = ST_SERVER_REFUSED;
    text_set_str(&p.error, "greeting: 554 5.7.1 Access denied");
    struct row row = {.mx_host = "mx.example", .ip = "192.0.2.7", .result = &p};
    struct rollup r;
    rollup_init(&r);
    rollup_add(&r, &row);
    char grade[2], why[600];
    rollup_grade(&r, grade, why, sizeof why);
    ASSERT_STR_EQ(grade, "-");
    ASSERT_STR_EQ(why, "incomplete: no MX answered; the first: mx.example [192.0.2.7]: server_refused: "
                       "greeting: 554 5.7.1 Access denied");
    probe_result_free(&p);
}
