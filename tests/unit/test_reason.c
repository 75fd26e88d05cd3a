/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/result/reason.h"
#include "scanner/result/row.h"
#include "tests/unit/test.h"

/* The table: words for each reason, one catch-all per group, last. */
TEST_IMPL(reasons_table_is_whole)
{
    for (int r = 1; r < REASON_COUNT; r++) {
        ASSERT(policy_reason_words((enum policy_reason)r)[0] != '\0');
        for (int k = 1; k < r; k++)
            ASSERT(strcmp(policy_reason_words((enum policy_reason)r), policy_reason_words((enum policy_reason)k)) != 0);
    }
    static const enum reason_group groups[] = {RG_DANE_UNSIGNED, RG_DANE_UNUSABLE, RG_DANE_ERROR, RG_DANE_INVALID,
                                               RG_STS_ERROR, RG_STS_MX, RG_RPT};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        enum policy_reason rest = policy_reason_read(groups[i], "");
        ASSERT(rest != REASON_NONE);
        ASSERT_STR_EQ(policy_reason_marker(rest), "");
    }
    ASSERT_EQ(policy_reason_read(RG_NONE, "SERVFAIL"), REASON_NONE);
    ASSERT_EQ(dane_reason_group(DANE_VALID), RG_NONE);
    ASSERT_EQ(dane_reason_group(DANE_INVALID), RG_DANE_INVALID);
    ASSERT_STR_EQ(policy_reason_words(REASON_COUNT), "");
}

/* A row read back from a file finds the code its producer set, from the
 * words the producers write (the messages as they are, markers included). */
TEST_IMPL(reasons_read_back_from_messages)
{
    static const struct {
        enum reason_group g;
        const char *message;
        enum policy_reason want;
    } cases[] = {
        {RG_DANE_ERROR, "TLSA lookup of _25._tcp.mx.example: SERVFAIL (a DNSSEC-bogus answer, or a broken zone)",
         REASON_DANE_SERVFAIL},
        {RG_DANE_ERROR, "TLSA lookup of _25._tcp.mx.example: timeout", REASON_DANE_LOOKUP},
        {RG_DANE_ERROR, "no certificate to match: connection refused", REASON_DANE_LOOKUP},
        {RG_DANE_INVALID, "the server offers no STARTTLS, which DANE requires", REASON_DANE_NO_STARTTLS},
        {RG_DANE_INVALID, "the chain reaches the trust anchor, but the certificate does not name mx.example",
         REASON_DANE_TA_NAME},
        {RG_DANE_INVALID, "the chain does not verify up to the trust anchor at depth 1: depth 0: ASN no signer",
         REASON_DANE_TA_CHAIN},
        {RG_DANE_INVALID, "the trust anchor at depth 1 is not a CA certificate (or has expired)", REASON_DANE_NO_MATCH},
        {RG_DANE_INVALID, "no record matches the chain as sent (the leaf's SPKI SHA-256 is ab)", REASON_DANE_NO_MATCH},
        {RG_DANE_UNSIGNED, "the resolver did not authenticate the TLSA records", REASON_DANE_UNSIGNED},
        {RG_STS_ERROR, "malformed _mta-sts TXT record: no id", REASON_STS_TXT_MALFORMED},
        {RG_STS_ERROR, "_mta-sts TXT lookup: SERVFAIL", REASON_STS_TXT_LOOKUP},
        {RG_STS_ERROR, "malformed policy: no mode", REASON_STS_MALFORMED},
        {RG_STS_ERROR, "HTTP 301: a redirect, which RFC 8461 3.3 forbids following", REASON_STS_REDIRECT},
        {RG_STS_ERROR, "HTTP 404 from mta-sts.example", REASON_STS_HTTP_STATUS},
        {RG_STS_ERROR, "the certificate of mta-sts.example is not valid for it: expired", REASON_STS_CERT},
        {RG_STS_ERROR, "the policy's HTTP response from mta-sts.example: the body is larger than 64 KiB",
         REASON_STS_TOO_LARGE},
        {RG_STS_ERROR, "the policy's HTTP response from mta-sts.example: HTTP 101: the server switches protocols",
         REASON_STS_FETCH},
        {RG_STS_ERROR, "fetching https://mta-sts.example/.well-known/mta-sts.txt: timeout: no answer",
         REASON_STS_FETCH},
        {RG_STS_ERROR, "the policy host mta-sts.example: no address", REASON_STS_FETCH},
        {RG_STS_ERROR, "the policy's media type is \"text/html\", not text/plain (RFC 8461 3.2)", REASON_STS_FETCH},
        {RG_STS_ERROR, NULL, REASON_STS_FETCH},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum policy_reason got = policy_reason_read(cases[i].g, cases[i].message);
        if (got != cases[i].want)
            FAIL_AT("case %zu: %s: %s, not %s", i, cases[i].message ? cases[i].message : "(null)",
                    policy_reason_words(got), policy_reason_words(cases[i].want));
    }
}
