/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/certfacts.h"
#include "scanner/tls/hello.h"
#include "scanner/tls/tlslink.h"
#include "tests/unit/test.h"

static size_t load(const char *name, uint8_t *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", STS_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f) FAIL_AT("cannot open %s", path);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* Finds extension type ext in a ClientHello record; 1 if present. */
static int has_extension(const uint8_t *rec, size_t len, uint16_t ext)
{
    size_t pos = 5 + 4 + 2 + 32;
    pos += 1 + rec[pos];
    pos += 2 + be16(rec + pos);
    pos += 1 + rec[pos];
    if (pos + 2 > len) return 0;
    size_t end = pos + 2 + be16(rec + pos);
    for (pos += 2; pos + 4 <= end; pos += 4 + be16(rec + pos + 2))
        if (be16(rec + pos) == ext) return 1;
    return 0;
}

TEST_IMPL(hello_build_each_version)
{
    uint8_t random[32] = {1, 2, 3};
    uint16_t versions[] = {TLS_V_SSL3, TLS_V_TLS10, TLS_V_TLS11, TLS_V_TLS12};
    for (size_t i = 0; i < 4; i++) {
        struct buf b = {0};
        ASSERT_EQ(hello_build(&b, versions[i], random, "mx.example.com"), 0);
        const uint8_t *p = (const uint8_t *)b.data;
        ASSERT_EQ(p[0], 22);
        ASSERT_EQ(be16(p + 1), versions[i] == TLS_V_SSL3 ? TLS_V_SSL3 : TLS_V_TLS10);
        ASSERT_EQ(be16(p + 3), b.len - 5);
        ASSERT_EQ(p[5], 1);
        ASSERT_EQ(((size_t)p[6] << 16 | be16(p + 7)), b.len - 9);
        ASSERT_EQ(be16(p + 9), versions[i]);
        ASSERT(memcmp(p + 11, random, 32) == 0);
        int sni = has_extension(p, b.len, 0x0000), sigalgs = has_extension(p, b.len, 0x000D);
        ASSERT_EQ(sni, versions[i] != TLS_V_SSL3);
        ASSERT_EQ(sigalgs, versions[i] == TLS_V_TLS12);
        buf_free(&b);
    }
    struct buf b = {0};
    ASSERT_EQ(hello_build(&b, TLS_V_TLS13, random, NULL), -1); /* TLS 1.3 is wolfSSL's job */
    ASSERT(hello_offers(0x002F) && hello_offers(0x000A) && hello_offers(0x0004));
    ASSERT(!hello_offers(0x1301) && !hello_offers(0x0000));
    buf_free(&b);
}

static void check_flight(const uint8_t *data, size_t len, uint16_t version, uint16_t suite,
                         uint16_t group)
{
    /* Every split point, and byte by byte: the same answer. */
    for (size_t split = 0; split <= len; split += (split < len ? 1 : 1)) {
        struct hello_reader r;
        hello_reader_init(&r);
        enum hello_status st = hello_feed(&r, data, split);
        if (st == HELLO_NEED_MORE) st = hello_feed(&r, data + split, len - split);
        ASSERT_EQ(st, HELLO_DONE);
        ASSERT_EQ(r.result.version, version);
        ASSERT_EQ(r.result.suite, suite);
        ASSERT_EQ(r.result.group, group);
        ASSERT_EQ(r.result.ncerts, 1);
        struct cert_facts c;
        ASSERT_EQ(certfacts_from_der((const uint8_t *)r.handshake.data + r.result.certs[0].off,
                                     r.result.certs[0].len, &c), 0);
        ASSERT_STR_EQ(c.subject.p, "O=STS Lab,CN=mx-good.lab.test");
        cert_facts_free(&c);
        hello_reader_free(&r);
        if (split == len) break;
    }
    struct hello_reader r;
    hello_reader_init(&r);
    enum hello_status st = HELLO_NEED_MORE;
    for (size_t i = 0; i < len && st == HELLO_NEED_MORE; i++) st = hello_feed(&r, data + i, 1);
    ASSERT_EQ(st, HELLO_DONE);
    hello_reader_free(&r);
    /* Any truncation is "need more", never a wrong answer. */
    for (size_t cut = 0; cut < len - 9; cut += 7) {
        hello_reader_init(&r);
        ASSERT_EQ(hello_feed(&r, data, cut), HELLO_NEED_MORE);
        hello_reader_free(&r);
    }
}

TEST_IMPL(hello_recorded_flights)
{
    static uint8_t data[8192];
    size_t n = load("flight-tls10.bin", data, sizeof data);
    check_flight(data, n, TLS_V_TLS10, 0xC014, 0x001D);
    ASSERT_STR_EQ(tls_suite_name(0xC014), "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    n = load("flight-rsa.bin", data, sizeof data);
    check_flight(data, n, TLS_V_TLS12, 0x009D, 0);
    ASSERT_STR_EQ(tls_suite_name(0x009D), "TLS_RSA_WITH_AES_256_GCM_SHA384");
}

TEST_IMPL(hello_hostile_answers)
{
    struct hello_reader r;
    static const uint8_t alert[] = {21, 3, 1, 0, 2, 2, 70};
    hello_reader_init(&r);
    ASSERT_EQ(hello_feed(&r, alert, sizeof alert), HELLO_ALERT);
    ASSERT_EQ(r.result.alert, 70);
    hello_reader_free(&r);
    static const uint8_t smtp[] = "250 not TLS at all\r\n";
    hello_reader_init(&r);
    ASSERT_EQ(hello_feed(&r, smtp, sizeof smtp - 1), HELLO_ERROR);
    hello_reader_free(&r);
    static const uint8_t huge[] = {22, 3, 1, 0xFF, 0xFF};
    hello_reader_init(&r);
    ASSERT_EQ(hello_feed(&r, huge, sizeof huge), HELLO_ERROR);
    ASSERT_STR_EQ(r.result.error, "TLS record too long");
    hello_reader_free(&r);
    /* A Certificate whose inner length runs past its message. */
    uint8_t bad_cert[5 + 42 + 10] = {22, 3, 1, 0, 52, 2, 0, 0, 38, 3, 1};
    size_t at = 5 + 4 + 2 + 32;
    bad_cert[at++] = 0;    /* session id length */
    bad_cert[at++] = 0x00; /* suite 0x002F */
    bad_cert[at++] = 0x2F;
    bad_cert[at++] = 0; /* compression */
    static const uint8_t cert_msg[] = {11, 0, 0, 6, 0, 0, 3, 0, 0, 9};
    memcpy(bad_cert + at, cert_msg, sizeof cert_msg);
    hello_reader_init(&r);
    ASSERT_EQ(hello_feed(&r, bad_cert, sizeof bad_cert), HELLO_ERROR);
    hello_reader_free(&r);
}

TEST_IMPL(tls_client_suites_are_named)
{
    /* The CVE-2024-5814 list is read back from the client context. */
    char err[256];
    ASSERT_EQ(wolfSSL_Init(), WOLFSSL_SUCCESS);
    WOLFSSL_CTX *ctx = tls_client_ctx_new(STS_TEST_DATA "/ca.pem", err, sizeof err);
    ASSERT(ctx != NULL);
    int known[] = {0x1301, 0x1302, 0x1303, 0xC02C, 0xC030, 0xC02F, 0xC013, 0x0067};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        ASSERT(tls_client_offers(known[i]));
        ASSERT(tls_suite_name((uint16_t)known[i]) != NULL);
    }
    ASSERT(!tls_client_offers(0x009D)); /* static RSA: Debian's wolfSSL has none */
    ASSERT(!tls_client_offers(0x000A));
    ASSERT(!tls_client_offers(0x00FF));
    ASSERT(!tls_client_offers(0x0033)); /* named in our list, but not in Debian's build */
    tls_client_ctx_free(ctx);
}

/* A flight: ServerHello with suite, a one-certificate Certificate, a DHE
 * ServerKeyExchange with a prime of plen bytes whose first byte is top,
 * ServerHelloDone; in one record. */
static size_t dhe_flight(uint8_t *b, uint16_t suite, size_t plen, uint8_t top)
{
    size_t n = 5;
    uint8_t sh[38 + 3] = {0x03, 0x03};
    sh[34] = 0; /* no session id */
    sh[35] = (uint8_t)(suite >> 8);
    sh[36] = (uint8_t)suite;
    sh[37] = 0;
    b[n++] = 2, b[n++] = 0, b[n++] = 0, b[n++] = 38;
    memcpy(b + n, sh, 38);
    n += 38;
    static const uint8_t cert[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    b[n++] = 11, b[n++] = 0, b[n++] = 0, b[n++] = 3 + 3 + sizeof cert;
    b[n++] = 0, b[n++] = 0, b[n++] = 3 + sizeof cert;
    b[n++] = 0, b[n++] = 0, b[n++] = sizeof cert;
    memcpy(b + n, cert, sizeof cert);
    n += sizeof cert;
    size_t ske = 2 + plen + 2 + 1 + 2 + 1;
    b[n++] = 12, b[n++] = 0, b[n++] = (uint8_t)(ske >> 8), b[n++] = (uint8_t)ske;
    b[n++] = (uint8_t)(plen >> 8), b[n++] = (uint8_t)plen;
    memset(b + n, 0xAB, plen);
    b[n] = top;
    n += plen;
    b[n++] = 0, b[n++] = 1, b[n++] = 2; /* g */
    b[n++] = 0, b[n++] = 1, b[n++] = 7; /* Ys */
    b[n++] = 14, b[n++] = 0, b[n++] = 0, b[n++] = 0;
    b[0] = 22, b[1] = 3, b[2] = 3, b[3] = (uint8_t)((n - 5) >> 8), b[4] = (uint8_t)(n - 5);
    return n;
}

TEST_IMPL(hello_dhe_group_size)
{
    static uint8_t flight[4096];
    struct hello_reader r;
    /* A 2048-bit prime; a 1024-bit one; a 768-byte one that starts with 3
     * (a named curve's marker in ECDHE: the suite decides which it is). */
    static const struct {
        size_t plen;
        uint8_t top;
        int bits;
    } cases[] = {{256, 0xFF, 2048}, {128, 0xC5, 1024}, {768, 0x03, 6138}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = dhe_flight(flight, 0x009F /* DHE_RSA_AES256_GCM */, cases[i].plen, cases[i].top);
        hello_reader_init(&r);
        ASSERT_EQ(hello_feed(&r, flight, n), HELLO_DONE);
        ASSERT_EQ(r.result.dh_bits, cases[i].bits);
        ASSERT_EQ(r.result.group, 0);
        hello_reader_free(&r);
    }
}
