/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --raw: a reply kept line by line, the first of its kind only, inside TLS
 * apart, bounded by RAW_LINES and RAW_BYTES (whole lines, the cut said),
 * and nothing at all without --raw. */
#include <stdio.h>
#include <string.h>

#include "scanner/base/wordlist.h"
#include "scanner/dialog/dialog.h"
#include "tests/unit/test.h"

static void make_reply(struct reply *r, int lines, size_t width)
{
    memset(r, 0, sizeof *r);
    char line[RAW_BYTES + 16];
    for (int i = 0; i < lines; i++) {
        snprintf(line, sizeof line, "250-line %d ", i);
        size_t n = strlen(line);
        while (n < width) line[n++] = 'x';
        line[n++] = '\n';
        buf_append(&r->text, line, n);
        r->nlines++;
    }
}

static int items(const struct text *t)
{
    size_t pos = 0;
    int n = 0;
    struct buf item = {0};
    while (wordlist_next(t->p ? t->p : "", t->len, &pos, &item)) n++;
    buf_free(&item);
    return n;
}

TEST_IMPL(raw_replies_kept_and_bounded)
{
    struct probe_result res;
    probe_result_init(&res);
    struct dialog_params p = {.raw = true};
    struct dialog_session s = {.result = &res, .params = &p};
    struct reply r;
    make_reply(&r, 3, 0);
    dialog_keep_raw(&s, RAW_CAPABILITIES, &r);
    ASSERT_EQ(items(&res.raw[RAW_CAPABILITIES]), 3);
    ASSERT(strstr(res.raw[RAW_CAPABILITIES].p, "250-line\\s0") != NULL); /* a line's space kept as \s */
    buf_free(&r.text);
    /* The first reply of its kind only; inside TLS it is another. */
    make_reply(&r, 5, 0);
    dialog_keep_raw(&s, RAW_CAPABILITIES, &r);
    ASSERT_EQ(items(&res.raw[RAW_CAPABILITIES]), 3);
    s.tls_ready = true;
    dialog_keep_raw(&s, RAW_CAPABILITIES, &r);
    ASSERT_EQ(items(&res.raw[RAW_CAPABILITIES_TLS]), 5);
    ASSERT(!res.raw_truncated);
    buf_free(&r.text);
    /* Too many lines: RAW_LINES of them, the cut said. */
    make_reply(&r, RAW_LINES + 50, 0);
    dialog_keep_raw(&s, RAW_STARTTLS, &r);
    ASSERT_EQ(items(&res.raw[RAW_STARTTLS]), RAW_LINES);
    ASSERT(res.raw_truncated);
    buf_free(&r.text);
    probe_result_free(&res);
    /* Too many bytes: whole lines up to RAW_BYTES. */
    probe_result_init(&res);
    make_reply(&r, 10, 3000);
    dialog_keep_raw(&s, RAW_STARTTLS, &r);
    ASSERT_EQ(items(&res.raw[RAW_STARTTLS]), 2);
    ASSERT(res.raw_truncated);
    buf_free(&r.text);
    probe_result_free(&res);
    /* Without --raw: nothing. */
    probe_result_init(&res);
    p.raw = false;
    make_reply(&r, 3, 0);
    dialog_keep_raw(&s, RAW_CAPABILITIES, &r);
    ASSERT(res.raw[RAW_CAPABILITIES_TLS].len == 0 && !res.raw_truncated);
    buf_free(&r.text);
    probe_result_free(&res);
}
