/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/reply.h"
#include "tests/unit/test.h"

/* Feeds input split at every point (and byte by byte) and checks that the
 * same replies come out each time. */
static void collect(const char *in, size_t len, size_t split, int bytewise, char *out, size_t outlen,
                    int *codes, int *ncodes)
{
    struct reply_reader rr;
    reply_reader_init(&rr, smtp_classify, NULL);
    size_t pos = 0;
    out[0] = '\0';
    *ncodes = 0;
    while (pos < len) {
        size_t end = bytewise ? pos + 1 : (pos < split ? split : len);
        size_t used = 0;
        enum reply_status st = reply_feed(&rr, in + pos, end - pos, &used);
        ASSERT(st != REPLY_ERROR);
        pos += used;
        if (st == REPLY_DONE) {
            codes[(*ncodes)++] = rr.reply.code;
            struct text t = {0};
            reply_join(&rr.reply, &t);
            strncat(out, t.p, outlen - strlen(out) - 2);
            strcat(out, ";");
            text_free(&t);
        }
    }
    ASSERT(!reply_pending(&rr));
    reply_reader_free(&rr);
}

TEST_IMPL(reply_smtp_every_split)
{
    const char in[] = "220-mx.example ESMTP\r\n220 ready\r\n250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n";
    size_t len = sizeof in - 1;
    char ref[512], got[512];
    int codes[8], n, ref_codes[8], ref_n;
    collect(in, len, len, 0, ref, sizeof ref, ref_codes, &ref_n);
    ASSERT_EQ(ref_n, 2);
    ASSERT_EQ(ref_codes[0], 220);
    ASSERT_EQ(ref_codes[1], 250);
    ASSERT_STR_EQ(ref, "220-mx.example ESMTP | 220 ready;250-mx | 250-PIPELINING | 250 STARTTLS;");
    for (size_t split = 1; split < len; split++) {
        collect(in, len, split, 0, got, sizeof got, codes, &n);
        ASSERT_STR_EQ(got, ref);
        ASSERT_EQ(n, 2);
    }
    collect(in, len, 0, 1, got, sizeof got, codes, &n);
    ASSERT_STR_EQ(got, ref);
}

TEST_IMPL(reply_multiline_bare_lf_blank)
{
    const char in[] = "\r\n\n220-a\n220 b\n250\n";
    char got[256];
    int codes[4], n;
    collect(in, sizeof in - 1, 3, 0, got, sizeof got, codes, &n);
    ASSERT_STR_EQ(got, "220-a | 220 b;250;");
    ASSERT_EQ(codes[1], 250);
}

TEST_IMPL(reply_limits)
{
    struct reply_reader rr;
    reply_reader_init(&rr, smtp_classify, NULL);
    char big[4096];
    memset(big, 'x', sizeof big);
    size_t used;
    ASSERT_EQ(reply_feed(&rr, "220 ", 4, &used), REPLY_NEED_MORE);
    ASSERT_EQ(reply_feed(&rr, big, sizeof big, &used), REPLY_ERROR);
    ASSERT_STR_EQ(rr.error, "line too long");
    reply_reader_free(&rr);

    reply_reader_init(&rr, smtp_classify, NULL);
    enum reply_status st = REPLY_NEED_MORE;
    for (int i = 0; i < 1000 && st == REPLY_NEED_MORE; i++) st = reply_feed(&rr, "250-x\r\n", 7, &used);
    ASSERT_EQ(st, REPLY_ERROR);
    ASSERT_STR_EQ(rr.error, "too many lines in one reply");
    reply_reader_free(&rr);
}

TEST_IMPL(reply_malformed)
{
    const char *bad[] = {"hello\r\n", "22 x\r\n", "220_x\r\n", "2a0 x\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct reply_reader rr;
        reply_reader_init(&rr, smtp_classify, NULL);
        size_t used;
        ASSERT_EQ(reply_feed(&rr, bad[i], strlen(bad[i]), &used), REPLY_ERROR);
        reply_reader_free(&rr);
    }
}

TEST_IMPL(reply_leaves_bytes_after_reply)
{
    /* The STARTTLS injection case: the reader must stop at the reply's end. */
    const char in[] = "220 go ahead\r\nEVIL";
    struct reply_reader rr;
    reply_reader_init(&rr, smtp_classify, NULL);
    size_t used;
    ASSERT_EQ(reply_feed(&rr, in, sizeof in - 1, &used), REPLY_DONE);
    ASSERT_EQ(used, 14);
    ASSERT_EQ(rr.reply.code, 220);
    reply_reader_free(&rr);
}

TEST_IMPL(reply_ftp_continuations)
{
    const char in[] = "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n211-not the end\r\n211 End\r\n220 x\r\n";
    struct reply_reader rr;
    for (size_t split = 1; split < sizeof in - 1; split++) {
        reply_reader_init(&rr, ftp_classify, NULL);
        size_t used, pos = 0;
        enum reply_status st = reply_feed(&rr, in, split, &used);
        pos = used;
        if (st != REPLY_DONE) {
            ASSERT_EQ(st, REPLY_NEED_MORE);
            st = reply_feed(&rr, in + pos, sizeof in - 1 - pos, &used);
        }
        ASSERT_EQ(st, REPLY_DONE);
        ASSERT_EQ(rr.reply.code, 211);
        ASSERT_EQ(rr.reply.nlines, 5);
        size_t n;
        const char *last = reply_last_line(&rr.reply, &n);
        ASSERT(n == 7 && memcmp(last, "211 End", 7) == 0);
        reply_reader_free(&rr);
    }
}
