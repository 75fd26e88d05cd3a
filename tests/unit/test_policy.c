/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MTA-STS and TLS-RPT texts, parsed strictly (RFC 8461, RFC 8460). */
#include <stdlib.h>
#include <string.h>

#include "scanner/mailpolicy/policy.h"
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
    size_t pos = 0;
    ASSERT_STR_EQ(sts_policy_mx(&p, &pos), "mail.example.com");
    ASSERT_STR_EQ(sts_policy_mx(&p, &pos), "*.example.net");
    ASSERT(sts_policy_mx(&p, &pos) == NULL);
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
    sts_policy_free(&p);
}

/* No cap on mx lines: the 200th pattern matches like the first. */
TEST_IMPL(policy_many_mx_patterns)
{
    struct buf body = {0};
    buf_append_str(&body, "version: STSv1\nmode: enforce\nmax_age: 86400\n");
    for (int i = 0; i < 200; i++) buf_printf(&body, "mx: mx%d.example.com\n", i);
    struct sts_policy p = {0};
    const char *why = NULL;
    ASSERT_EQ(sts_policy_parse(body.data, body.len, &p, &why), 0);
    ASSERT_EQ(p.nmx, 200);
    ASSERT(sts_mx_matches(&p, "mx199.example.com") && sts_mx_matches(&p, "mx0.example.com"));
    ASSERT(!sts_mx_matches(&p, "mx200.example.com"));
    sts_policy_free(&p);
    buf_free(&body);
}

static void add_txt(struct txt_records *t, const char *s)
{
    unsigned char rdata[2048];
    size_t n = 0, len = strlen(s);
    for (size_t at = 0; at < len || at == 0;) { /* 255-octet strings, as a zone would hold them */
        size_t l = len - at > 255 ? 255 : len - at;
        rdata[n++] = (unsigned char)l;
        memcpy(rdata + n, s + at, l);
        n += l;
        at += l;
        if (!l) break;
    }
    if (txt_records_add(t, rdata, n) != 0) abort();
}

/* Several TXT records in one answer: each joined from its own strings
 * (a shorter one after a longer one once gave a negative length), records
 * without the version tag discarded, exactly one left or no policy. */
TEST_IMPL(policy_txt_rrsets)
{
    char id[POLICY_ID_MAX + 1];
    const char *why = NULL;
    struct txt_records t = {0};
    add_txt(&t, "a forty-byte record, unrelated to mail!!");
    add_txt(&t, "ten bytes.");
    add_txt(&t, "v=STSv1; id=x");
    ASSERT_EQ(t.n, 3);
    ASSERT_EQ(t.lens[1], 10);
    ASSERT_EQ(sts_txt_pick(t.txt, t.lens, t.n, id, &why), 1);
    ASSERT_STR_EQ(id, "x");
    txt_records_free(&t);
    add_txt(&t, "v=STSv1; id=policy1");
    add_txt(&t, "x=1");
    ASSERT_EQ(sts_txt_pick(t.txt, t.lens, t.n, id, &why), 1);
    ASSERT_STR_EQ(id, "policy1");
    txt_records_free(&t);
    add_txt(&t, "v=STSv1; id=one");
    add_txt(&t, "v=STSv1; id=two");
    ASSERT_EQ(sts_txt_pick(t.txt, t.lens, t.n, id, &why), -1);
    ASSERT(strstr(why, "more than one v=STSv1") && strstr(why, "no policy"));
    txt_records_free(&t);
    /* 100 records, the one of ours last; then a record over 255 octets. */
    for (int i = 0; i < 99; i++) add_txt(&t, i % 2 ? "v=spf1 -all" : "google-site-verification=abc");
    add_txt(&t, "v=TLSRPTv1; rua=mailto:r@example.com");
    struct buf rua = {0};
    ASSERT_EQ(tlsrpt_pick(t.txt, t.lens, t.n, &rua, &why), 1);
    ASSERT_STR_EQ(rua.data, "mailto:r@example.com");
    add_txt(&t, "v=TLSRPTv1; rua=mailto:other@example.com");
    ASSERT_EQ(tlsrpt_pick(t.txt, t.lens, t.n, &rua, &why), -1);
    ASSERT(strstr(why, "more than one v=TLSRPTv1") != NULL);
    txt_records_free(&t);
    char big[500];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "v=STSv1; id=long; ext=", 22);
    add_txt(&t, big);
    ASSERT_EQ(t.lens[0], 499);
    ASSERT_EQ(sts_txt_pick(t.txt, t.lens, t.n, id, &why), 1);
    txt_records_free(&t);
    /* 100 fields: no cap on extensions either. */
    struct buf rec = {0};
    buf_append_str(&rec, "v=STSv1");
    for (int i = 0; i < 100; i++) buf_printf(&rec, "; e%d=v", i);
    buf_append_str(&rec, "; id=last");
    add_txt(&t, rec.data);
    ASSERT_EQ(sts_txt_pick(t.txt, t.lens, t.n, id, &why), 1);
    ASSERT_STR_EQ(id, "last");
    txt_records_free(&t);
    static const unsigned char cut[] = {5, 'a', 'b'};
    ASSERT_EQ(txt_records_add(&t, cut, sizeof cut), -1);
    ASSERT_EQ(t.n, 0);
    txt_records_free(&t);
    buf_free(&rec);
    buf_free(&rua);
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
