/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MTA-STS and TLS-RPT texts, parsed strictly (RFC 8461, RFC 8460). */
#include <string.h>

#include "scanner/dialog/policy.h"
#include "tests/unit/test.h"

static int sts_txt(const char *a, const char *b, char *id, const char **why)
{
    const char *txt[2] = {a, b};
    size_t lens[2] = {strlen(a), b ? strlen(b) : 0};
    return sts_txt_pick(txt, lens, b ? 2 : 1, id, why);
}

TEST_IMPL(policy_mta_sts_txt)
{
    char id[POLICY_ID_MAX + 1];
    const char *why = NULL;
    ASSERT_EQ(sts_txt("v=STSv1; id=20160831085700Z;", NULL, id, &why), 1);
    ASSERT_STR_EQ(id, "20160831085700Z");
    ASSERT_EQ(sts_txt("v=STSv1;id=abc", NULL, id, &why), 1);
    ASSERT_EQ(sts_txt("v=STSv1 ; id=abc ; ext=x-y.z ;", NULL, id, &why), 1);
    ASSERT_STR_EQ(id, "abc");
    /* Other records are discarded; none left: no policy. */
    ASSERT_EQ(sts_txt("v=spf1 -all", NULL, id, &why), 0);
    ASSERT_EQ(sts_txt("v=STSv10; id=abc", NULL, id, &why), 0);
    ASSERT_EQ(sts_txt("v=spf1 -all", "v=STSv1; id=x1", id, &why), 1);
    /* Two of ours, or one malformed: an error, with the reason. */
    ASSERT_EQ(sts_txt("v=STSv1; id=a", "v=STSv1; id=b", id, &why), -1);
    ASSERT(strstr(why, "more than one") != NULL);
    static const char *const bad[] = {"v=STSv1", "v=STSv1;", "v=STSv1; id=", "v=STSv1; id=a-b",
                                      "v=STSv1; id=123456789012345678901234567890123",
                                      "v=STSv1; id=a; id=b", "v=STSv1; id=a;; x=1", "v=STSv1; junk",
                                      "v=STSv1; id=a\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        if (sts_txt(bad[i], NULL, id, &why) != -1 || !why) FAIL_AT("'%s' is not refused", bad[i]);
    }
}

static int policy(const char *body, struct sts_policy *p, const char **why)
{
    return sts_policy_parse(body, strlen(body), p, why);
}

TEST_IMPL(policy_mta_sts_body)
{
    static struct sts_policy p;
    const char *why = NULL;
    ASSERT_EQ(policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                     "max_age: 604800\r\n", &p, &why), 0);
    ASSERT(p.mode == STS_ENFORCE && p.max_age == 604800 && p.nmx == 2);
    ASSERT_STR_EQ(p.mx[1], "*.example.net");
    ASSERT(sts_mx_matches(&p, "mail.example.com") && sts_mx_matches(&p, "MAIL.Example.COM."));
    ASSERT(sts_mx_matches(&p, "mx1.example.net"));
    ASSERT(!sts_mx_matches(&p, "a.mx1.example.net")); /* one label only */
    ASSERT(!sts_mx_matches(&p, "example.net"));
    ASSERT(!sts_mx_matches(&p, "xmail.example.com"));
    /* LF lines, extensions ignored, trailing blank lines, mode none without mx. */
    ASSERT_EQ(policy("mode: testing\nversion: STSv1\nfuture_ext: some value\nmx: a.b\nmax_age: 0\n\n", &p, &why), 0);
    ASSERT(p.mode == STS_TESTING && p.max_age == 0);
    ASSERT_EQ(policy("version: STSv1\nmode: none\nmax_age: 31557600", &p, &why), 0);
    ASSERT_STR_EQ(sts_mode_name(p.mode), "none");
    static const struct {
        const char *body, *why;
    } bad[] = {
        {"version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 1\n", "not STSv1"},
        {"version: STSv1\nmode: Enforce\nmx: a.b\nmax_age: 1\n", "the mode is not"},
        {"version: STSv1\nmode: enforce\nmax_age: 1\n", "no mx pattern"},
        {"version: STSv1\nmode: enforce\nmx: a.b\n", "no max_age"},
        {"mode: enforce\nmx: a.b\nmax_age: 1\n", "no version"},
        {"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 31557601\n", "above 31557600"},
        {"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: -1\n", "not a number"},
        {"version: STSv1\nmode: enforce\nmode: none\nmx: a.b\nmax_age: 1\n", "mode is given twice"},
        {"version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 1\n", "mx pattern"},
        {"version: STSv1\nmode: enforce\nmx: *.*.b\nmax_age: 1\n", "mx pattern"},
        {"version: STSv1\nmode: enforce\nmx: a_b.c\nmax_age: 1\n", "mx pattern"},
        {"version: STSv1\n\nmode: enforce\nmx: a.b\nmax_age: 1\n", "empty line"},
        {"version: STSv1\nmode enforce\nmx: a.b\nmax_age: 1\n", "not key: value"},
        {"<html><body>Not Found</body></html>", "not key: value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        if (policy(bad[i].body, &p, &why) != -1 || !why || !strstr(why, bad[i].why))
            FAIL_AT("case %zu: %s", i, why ? why : "(accepted)");
    }
}

TEST_IMPL(policy_tls_rpt_and_txt)
{
    struct buf rua = {0};
    const char *why = NULL;
    const char *one[1] = {"v=TLSRPTv1; rua=mailto:tlsrpt@example.com, https://reports.example.com/x"};
    size_t lens[1] = {strlen(one[0])};
    ASSERT_EQ(tlsrpt_pick(one, lens, 1, &rua, &why), 1);
    ASSERT_STR_EQ(rua.data, "mailto:tlsrpt@example.com, https://reports.example.com/x");
    static const char *const bad[] = {"v=TLSRPTv1;", "v=TLSRPTv1; rua=ftp://x.example",
                                      "v=TLSRPTv1; rua=mailto:", "v=TLSRPTv1; rua=mailto:a@b c@d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = strlen(bad[i]);
        why = NULL;
        if (tlsrpt_pick(&bad[i], &n, 1, &rua, &why) != -1 || !why) FAIL_AT("'%s' is not refused", bad[i]);
    }
    const char *none[1] = {"v=spf1 -all"};
    size_t nl = strlen(none[0]);
    ASSERT_EQ(tlsrpt_pick(none, &nl, 1, &rua, &why), 0);
    /* TXT RDATA: character-strings joined; a length past the end refused. */
    static const unsigned char rdata[] = {3, 'v', '=', 'S', 4, 'T', 'S', 'v', '1'};
    ASSERT_EQ(txt_join(rdata, sizeof rdata, &rua), 0);
    ASSERT_STR_EQ(rua.data, "v=STSv1");
    static const unsigned char cut[] = {5, 'a', 'b'};
    ASSERT_EQ(txt_join(cut, sizeof cut, &rua), -1);
    buf_free(&rua);
}
