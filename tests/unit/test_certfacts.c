/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include <wolfssl/wolfcrypt/sha256.h>

#include "scanner/tls/certder.h"
#include "scanner/tls/certfacts.h"
#include "scanner/tls/names.h"
#include "tests/unit/test.h"
#include "tests/unit/testdata.h"

TEST_IMPL(certfacts_time_parse)
{
    int64_t t;
    ASSERT_EQ(asn1_time_parse("250101000000Z", 13, &t), 0);
    ASSERT_EQ(t, 1735689600);
    ASSERT_EQ(asn1_time_parse("491231235959Z", 13, &t), 0); /* UTCTime: 2049 */
    ASSERT_EQ(t, 2524607999);
    ASSERT_EQ(asn1_time_parse("500101000000Z", 13, &t), 0); /* ...and 1950 */
    ASSERT_EQ(t, -631152000);
    ASSERT_EQ(asn1_time_parse("20350101000000Z", 15, &t), 0);
    ASSERT_EQ(t, 2051222400);
    ASSERT_EQ(asn1_time_parse("2035010100000Z", 14, &t), -1);
    ASSERT_EQ(asn1_time_parse("251301000000Z", 13, &t), -1);
    ASSERT_EQ(asn1_time_parse("25010100000aZ", 13, &t), -1);
    ASSERT_EQ(asn1_time_parse("250101000000+", 13, &t), -1);
}

TEST_IMPL(certfacts_hostname_patterns)
{
#define M(p, h) hostname_pattern_matches(p, strlen(p), h)
    ASSERT(M("mx.example.com", "MX.Example.com"));
    ASSERT(M("mx.example.com.", "mx.example.com"));
    ASSERT(!M("mx.example.com", "mx2.example.com"));
    ASSERT(M("*.example.com", "mx.example.com"));
    ASSERT(!M("*.example.com", "a.mx.example.com")); /* one label only */
    ASSERT(!M("*.example.com", "example.com"));
    ASSERT(!M("*.com", "example.com"));               /* too broad */
    ASSERT(!M("m*.example.com", "mx.example.com"));   /* partial wildcards are refused */
    ASSERT(!M("*", "mx"));
    ASSERT(!hostname_pattern_matches("mx.example.com\0.evil", 20, "mx.example.com"));
#undef M
}

TEST_IMPL(certfacts_from_pem_files)
{
    unsigned char der[8192];
    size_t len = load_der("leaf-rsa.pem", der, sizeof der);
    struct cert_facts c;
    ASSERT_EQ(certfacts_from_der(der, len, &c), 0);
    ASSERT(c.present);
    ASSERT_STR_EQ(c.subject.p, "O=STS Test,CN=mx.test.example");
    ASSERT_STR_EQ(c.issuer.p, "CN=STS Test Root CA,O=STS Test");
    ASSERT_STR_EQ(c.san.p, "mx.test.example *.wild.test.example 192.0.2.1");
    ASSERT_STR_EQ(c.serial, "1234AB");
    ASSERT(c.dates_valid);
    ASSERT_EQ(c.not_before, 1735689600);
    ASSERT_EQ(c.not_after, 2051222400);
    ASSERT_STR_EQ(c.key, "RSA-2048");
    ASSERT_STR_EQ(c.sig_alg, "sha256WithRSAEncryption");
    ASSERT_STR_EQ(c.sha256, "fc92c3eeb7c274f0d479d13e346d5cf674e78db06108e3bddaf98167311f6099");
    cert_facts_free(&c);
    ASSERT_EQ(certfacts_name_matches(der, len, "mx.test.example"), TRI_YES);
    ASSERT_EQ(certfacts_name_matches(der, len, "smtp.wild.test.example"), TRI_YES);
    ASSERT_EQ(certfacts_name_matches(der, len, "other.test.example"), TRI_NO);

    len = load_der("leaf-ec.pem", der, sizeof der);
    ASSERT_EQ(certfacts_from_der(der, len, &c), 0);
    ASSERT_STR_EQ(c.key, "EC-P256");
    ASSERT_STR_EQ(c.serial, "0FEDC1");
    ASSERT_STR_EQ(c.sha256, "3a1abaeb9555757172ddb62d74b0ad2a853f1ed8b24ebfec41aeef9fbada00d4");
    cert_facts_free(&c);

    /* No SAN at all: the CN is the name (RFC 6125 6.4.4). */
    len = load_der("leaf-nosan.pem", der, sizeof der);
    ASSERT_EQ(certfacts_from_der(der, len, &c), 0);
    ASSERT_STR_EQ(c.san.p, "");
    cert_facts_free(&c);
    ASSERT_EQ(certfacts_name_matches(der, len, "cn-only.test.example"), TRI_YES);
    ASSERT_EQ(certfacts_name_matches(der, len, "mx.test.example"), TRI_NO);

    unsigned char junk[64];
    memset(junk, 0x30, sizeof junk);
    ASSERT_EQ(certfacts_from_der(junk, sizeof junk, &c), -1);
    ASSERT_EQ(certfacts_name_matches(junk, sizeof junk, "x"), TRI_UNKNOWN);
}

TEST_IMPL(certfacts_sig_alg_names_as_openssl)
{
    /* Each certificate's algorithm as `openssl x509 -text` names it. */
    static const struct {
        const char *file, *name;
    } certs[] = {
        {"sig-rsa-sha1.pem", "sha1WithRSAEncryption"},     {"sig-rsa-sha224.pem", "sha224WithRSAEncryption"},
        {"sig-rsa-sha256.pem", "sha256WithRSAEncryption"}, {"sig-rsa-sha384.pem", "sha384WithRSAEncryption"},
        {"sig-rsa-sha512.pem", "sha512WithRSAEncryption"}, {"sig-rsapss-sha256.pem", "rsassaPss"},
        {"sig-ec-sha1.pem", "ecdsa-with-SHA1"},            {"sig-ec-sha256.pem", "ecdsa-with-SHA256"},
        {"sig-ec-sha384.pem", "ecdsa-with-SHA384"},        {"sig-ec-sha512.pem", "ecdsa-with-SHA512"},
        {"sig-ed25519.pem", "ED25519"},                    {"sig-ed448.pem", "ED448"},
    };
    unsigned char der[4096];
    for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++) {
        size_t len = load_der(certs[i].file, der, sizeof der);
        struct cert_facts c;
        if (certfacts_from_der(der, len, &c) != 0) FAIL_AT("%s does not parse", certs[i].file);
        if (strcmp(c.sig_alg, certs[i].name) != 0)
            FAIL_AT("%s: %s, OpenSSL says %s", certs[i].file, c.sig_alg, certs[i].name);
        cert_facts_free(&c);
    }
    /* Every entry of the table, those without a certificate here too. */
    static const struct {
        int oid;
        const char *name;
    } table[] = {
        {CTC_MD2wRSA, "md2WithRSAEncryption"}, {CTC_MD5wRSA, "md5WithRSAEncryption"},
        {CTC_SHAwDSA, "dsaWithSHA1"}, {CTC_SHA256wDSA, "dsa_with_SHA256"},
        {CTC_SHA256wRSA, "sha256WithRSAEncryption"}, {CTC_SHA256wECDSA, "ecdsa-with-SHA256"},
        {CTC_RSASSAPSS, "rsassaPss"}, {CTC_ED25519, "ED25519"}, {CTC_ED448, "ED448"},
        {CTC_SHA224wECDSA, "ecdsa-with-SHA224"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        ASSERT_STR_EQ(cert_sig_alg_name(table[i].oid), table[i].name);
    ASSERT(cert_sig_alg_name(12345) == NULL);
}

TEST_IMPL(certfacts_serials_as_openssl)
{
    unsigned char der[4096];
    struct cert_facts c;
    size_t len = load_der("serial-negative.pem", der, sizeof der);
    ASSERT_EQ(certfacts_from_der(der, len, &c), 0);
    ASSERT_STR_EQ(c.serial, "-1234");
    cert_facts_free(&c);
    len = load_der("serial-padded.pem", der, sizeof der);
    ASSERT_EQ(certfacts_from_der(der, len, &c), 0);
    ASSERT_STR_EQ(c.serial, "80FF");
    cert_facts_free(&c);
    /* 40 octets: past wolfSSL's 32, yet every fact is read. */
    len = load_der("serial-40.pem", der, sizeof der);
    ASSERT_EQ(certfacts_from_der(der, len, &c), 0);
    ASSERT_STR_EQ(c.serial, "7000000000000000000000000000000000000000000000000000000000000000000000000000AB01");
    ASSERT(c.long_serial);
    ASSERT_STR_EQ(c.subject.p, "CN=serial-40.test.example");
    ASSERT_STR_EQ(c.key, "EC-P256");
    ASSERT_STR_EQ(c.sig_alg, "ecdsa-with-SHA256");
    ASSERT(c.dates_valid && c.not_after > c.not_before);
    unsigned char digest[32];
    char hex[65];
    wc_Sha256Hash(der, (word32)len, digest);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    ASSERT_STR_EQ(c.sha256, hex);
    cert_facts_free(&c);
    /* The text of hand-made serials. */
    char out[140];
    const unsigned char zero[1] = {0}, m128[1] = {0x80}, m256[2] = {0xFF, 0x00}, pad[3] = {0, 0x80, 1};
    serial_text(zero, 1, out, sizeof out);
    ASSERT_STR_EQ(out, "00");
    serial_text(m128, 1, out, sizeof out);
    ASSERT_STR_EQ(out, "-80");
    serial_text(m256, 2, out, sizeof out);
    ASSERT_STR_EQ(out, "-0100");
    serial_text(pad, 3, out, sizeof out);
    ASSERT_STR_EQ(out, "8001");
}
