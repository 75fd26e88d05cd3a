/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DANE matching against chains from tests/data; every digest below was
 * computed by OpenSSL (x509 -outform DER | sha256sum; x509 -pubkey | pkey
 * -pubin -outform DER | sha256sum / sha512sum), not by the code tested. */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/tls/certfacts.h"
#include "scanner/tls/dane.h"
#include "tests/unit/test.h"
#include "tests/unit/testdata.h"

#define LEAF_DER256 "379301da7816624d3207ad95556dd519f0712d3f27f32ed95dfebf3b1bbd9230"
#define LEAF_SPKI256 "450755743d5fb6c918202fb503bc91725277b10353bc6f3b23a6537205fa33e3"
#define LEAF_SPKI512                                                                               \
    "c4386351215f9a654e3edc7290a34090529a11ce55af4c5eedeadfd2c4a3fda1871fb9dd791807ceaf94ea5fc85ac2" \
    "7688848711fd1c96e9f324a728c24e140e"
#define INT_DER256 "dac81a401f00aba255af822d9c04b43914d9a0ff5cdb2dbddf7cfad64d67d09a"
#define INT_SPKI256 "9c6ac41a1c10a1314ce269f12adc8df17512ce2ce1a0917df8e784efb6160487"
#define ROOT_SPKI256 "8a8eb74f8bf3855920f5ae4ccd74d42eb9e7fa34c27d524b942ba1b01aa5d1e3"

struct der {
    unsigned char data[8192];
    size_t len;
};

/* "U S M HEX" as a record. */
static struct tlsa_rr rr(int u, int s, int m, const char *hexdata)
{
    unsigned char rdata[600];
    size_t n = 3;
    rdata[0] = (unsigned char)u;
    rdata[1] = (unsigned char)s;
    rdata[2] = (unsigned char)m;
    for (const char *p = hexdata; p[0] && p[1] && n < sizeof rdata; p += 2) {
        unsigned v;
        sscanf(p, "%2x", &v);
        rdata[n++] = (unsigned char)v;
    }
    struct tlsa_rr r;
    if (tlsa_parse(rdata, n, &r) != 0) FAIL_AT("record %d %d %d does not parse", u, s, m);
    return r;
}

struct check_case {
    int u, s, m;
    const char *data;
    const char *name;
    enum dane_verdict want;
    const char *why; /* part of the reason */
};

TEST_IMPL(dane_records_against_chains)
{
    ASSERT_EQ(wolfSSL_Init(), WOLFSSL_SUCCESS);
    static struct der leaf, inter;
    leaf.len = load_der("leaf-int.pem", leaf.data, sizeof leaf.data);
    inter.len = load_der("int-ca.pem", inter.data, sizeof inter.data);
    const unsigned char *certs[2] = {leaf.data, inter.data};
    size_t lens[2] = {leaf.len, inter.len};
    char spki[65];
    cert_spki_sha256(leaf.data, leaf.len, spki);
    ASSERT_STR_EQ(spki, LEAF_SPKI256);
    static const struct check_case cases[] = {
        {3, 1, 1, LEAF_SPKI256, "mx.other.example", TLSA_MATCHED, "3 1 1 matched the leaf"},
        {3, 0, 1, LEAF_DER256, "x", TLSA_MATCHED, "3 0 1 matched"},
        {3, 1, 2, LEAF_SPKI512, "x", TLSA_MATCHED, "3 1 2 matched"},
        {3, 1, 1, INT_SPKI256, "int.test.example", TLSA_NO_MATCH, "no record matches"},
        {2, 1, 1, INT_SPKI256, "int.test.example", TLSA_MATCHED, "trust anchor at depth 1"},
        {2, 0, 1, INT_DER256, "int.test.example", TLSA_MATCHED, "trust anchor at depth 1"},
        {2, 0, 1, INT_DER256, "mx.other.example", TLSA_NO_MATCH, "does not name mx.other.example"},
        {2, 1, 1, ROOT_SPKI256, "int.test.example", TLSA_NO_MATCH, "not in the chain cannot be matched"},
        {2, 1, 1, LEAF_SPKI256, "int.test.example", TLSA_NO_MATCH, "no record matches"},
        {1, 1, 1, LEAF_SPKI256, "int.test.example", TLSA_UNUSABLE, "PKIX-TA and PKIX-EE are unusable"},
        {0, 1, 1, INT_SPKI256, "int.test.example", TLSA_UNUSABLE, "unusable"},
        {3, 2, 1, LEAF_SPKI256, "x", TLSA_UNUSABLE, "unknown parameters"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct check_case *c = &cases[i];
        struct tlsa_rr r = rr(c->u, c->s, c->m, c->data);
        const char *names[1] = {c->name};
        struct dane_outcome o;
        dane_check(&r, 1, certs, lens, 2, names, 1, &o);
        if (o.verdict != c->want || !strstr(o.why, c->why))
            FAIL_AT("case %zu (%d %d %d, %s): verdict %d, why %s", i, c->u, c->s, c->m, c->name, o.verdict, o.why);
        /* Only the name failed: the job may try the domain (RFC 7672 3.2.2). */
        if (o.ta_name_only != (strstr(c->why, "does not name") != NULL))
            FAIL_AT("case %zu: ta_name_only %d", i, o.ta_name_only);
        /* The reason as a code, and the same code from the words alone. */
        enum policy_reason want = o.ta_name_only ? REASON_DANE_TA_NAME : REASON_DANE_NO_MATCH;
        if (c->want == TLSA_NO_MATCH &&
            (o.reason != want || policy_reason_read(RG_DANE_INVALID, o.why) != want))
            FAIL_AT("case %zu: reason %d for %s", i, o.reason, o.why);
        tlsa_free(&r);
    }
    /* The leaf alone (its intermediate not sent): a DANE-TA for it matches nothing. */
    struct tlsa_rr ta = rr(2, 1, 1, INT_SPKI256);
    const char *names[1] = {"int.test.example"};
    struct dane_outcome o;
    dane_check(&ta, 1, certs, lens, 1, names, 1, &o);
    ASSERT_EQ(o.verdict, TLSA_NO_MATCH);
    /* Several records: the first usable match wins; unusable ones are skipped. */
    struct tlsa_rr set[3] = {rr(1, 1, 1, LEAF_SPKI256), rr(3, 1, 1, INT_SPKI256), rr(3, 1, 1, LEAF_SPKI256)};
    dane_check(set, 3, certs, lens, 2, names, 1, &o);
    ASSERT(o.verdict == TLSA_MATCHED && o.matched == 2);
    struct buf text = {0};
    ASSERT_EQ(tlsa_text(set, 3, 16, &text), 0);
    ASSERT(strncmp(text.data, "1 1 1 450755743d5fb6c9...|3 1 1 9c6ac41a1c10a131...|3 1 1 4507", 60) == 0);
    buf_free(&text);
    for (int i = 0; i < 3; i++) tlsa_free(&set[i]);
    tlsa_free(&ta);
    /* "2 0 0" of the root the chain does not hold: the issuer of its top. */
    static struct der root;
    root.len = load_der("ca.pem", root.data, sizeof root.data);
    struct tlsa_rr full = {2, 0, 0, root.len, root.data};
    dane_check(&full, 1, certs, lens, 2, names, 1, &o);
    ASSERT(o.verdict == TLSA_MATCHED && strstr(o.why, "issued the chain's top"));
    const char *other[1] = {"mx.other.example"};
    dane_check(&full, 1, certs, lens, 2, other, 1, &o);
    ASSERT(o.verdict == TLSA_NO_MATCH && o.ta_name_only == 1);
    /* ...and of a certificate that did not issue it (the leaf itself). */
    struct tlsa_rr notissuer = {2, 0, 0, leaf.len, leaf.data};
    dane_check(&notissuer, 1, certs, lens, 2, names, 1, &o);
    ASSERT_EQ(o.verdict, TLSA_NO_MATCH);
}

TEST_IMPL(dane_tlsa_rdata_bounds)
{
    struct tlsa_rr r;
    static const unsigned char short_rr[3] = {3, 1, 1};
    ASSERT_EQ(tlsa_parse(short_rr, sizeof short_rr, &r), -1);
    unsigned char bad256[3 + 31] = {3, 1, 1};
    ASSERT_EQ(tlsa_parse(bad256, sizeof bad256, &r), -1);
    unsigned char bad512[3 + 32] = {3, 1, 2};
    ASSERT_EQ(tlsa_parse(bad512, sizeof bad512, &r), -1);
    unsigned char exact[3 + 5] = {3, 1, 0, 1, 2, 3, 4, 5};
    ASSERT_EQ(tlsa_parse(exact, sizeof exact, &r), 0);
    ASSERT(r.len == 5 && r.data[4] == 5);
    tlsa_free(&r);
    unsigned char unknown[3 + 7] = {9, 9, 9, 1, 2, 3, 4, 5, 6, 7}; /* parsed, never usable */
    ASSERT_EQ(tlsa_parse(unknown, sizeof unknown, &r), 0);
    tlsa_free(&r);
}
