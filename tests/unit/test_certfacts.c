#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "scanner/certfacts.h"
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
