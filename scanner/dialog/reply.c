/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/reply.h"

#include <ctype.h>
#include <string.h>

void reply_reader_init(struct reply_reader *rr, reply_classify_fn classify, void *ctx)
{
    memset(rr, 0, sizeof *rr);
    rr->classify = classify;
    rr->ctx = ctx;
    rr->max_line = 2048;
    rr->max_reply = 64 * 1024;
    rr->max_lines = 200;
}

void reply_reader_init_framed(struct reply_reader *rr, reply_frame_fn frame, void *ctx)
{
    reply_reader_init(rr, NULL, ctx);
    rr->frame = frame;
}

void reply_reader_free(struct reply_reader *rr)
{
    buf_free(&rr->line);
    buf_free(&rr->reply.text);
}

int reply_pending(const struct reply_reader *rr)
{
    if (rr->handed_out) return rr->line.len > 0;
    return rr->line.len > 0 || rr->reply.nlines > 0 || (rr->frame && rr->reply.text.len > 0);
}

static enum reply_status fail(struct reply_reader *rr, const char *why)
{
    rr->error = why;
    return REPLY_ERROR;
}

/* One complete line (without its end) is in rr->line. */
static enum reply_status take_line(struct reply_reader *rr)
{
    const char *l = rr->line.data;
    size_t n = rr->line.len;
    if (n > 0 && l[n - 1] == '\r') n--;
    if (n == 0) {
        if (++rr->blank_lines + rr->reply.nlines > rr->max_lines) return fail(rr, "too many lines in one reply");
        return REPLY_NEED_MORE;
    }
    enum reply_line_kind kind = rr->classify(rr->ctx, &rr->reply, l, n);
    if (kind == LINE_MALFORMED) return fail(rr, "malformed reply line");
    if (rr->reply.nlines + rr->blank_lines >= rr->max_lines) return fail(rr, "too many lines in one reply");
    if (rr->reply.text.len + n + 1 > rr->max_reply) return fail(rr, "reply too long");
    if (buf_append(&rr->reply.text, l, n) != 0 || buf_append(&rr->reply.text, "\n", 1) != 0)
        return fail(rr, "out of memory");
    rr->reply.nlines++;
    if (kind == LINE_CONTINUES) return REPLY_NEED_MORE;
    rr->reply.code = 0;
    if (n >= 3 && isdigit((unsigned char)l[0]) && isdigit((unsigned char)l[1]) &&
        isdigit((unsigned char)l[2]))
        rr->reply.code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
    return REPLY_DONE;
}

/* A framed message: the bytes gather in reply.text (never past max_reply)
 * until the frame function says where the message ends; what came after
 * that end is not used. */
static enum reply_status feed_framed(struct reply_reader *rr, const char *data, size_t len,
                                     size_t *used)
{
    size_t had = rr->reply.text.len;
    size_t take = len < rr->max_reply - had ? len : rr->max_reply - had;
    *used = 0;
    if (buf_append(&rr->reply.text, data, take) != 0) return fail(rr, "out of memory");
    *used = take;
    const char *why = "malformed message";
    long n = rr->frame(rr->ctx, rr->reply.text.data, rr->reply.text.len, &why);
    if (n < 0) return fail(rr, why);
    if (n == 0) return rr->reply.text.len >= rr->max_reply ? fail(rr, "reply too long") : REPLY_NEED_MORE;
    if ((size_t)n <= had || (size_t)n > rr->reply.text.len) return fail(rr, "message framing went backwards");
    rr->reply.text.len = (size_t)n;
    rr->reply.nlines = 1;
    rr->handed_out = 1;
    *used = (size_t)n - had;
    return REPLY_DONE;
}

enum reply_status reply_feed(struct reply_reader *rr, const char *data, size_t len, size_t *used)
{
    size_t pos = 0;
    if (rr->error) return REPLY_ERROR;
    if (rr->handed_out) {
        /* The reply returned by the previous DONE is over now. */
        buf_reset(&rr->reply.text);
        rr->reply.nlines = 0;
        rr->reply.code = 0;
        rr->blank_lines = 0;
        rr->handed_out = 0;
    }
    if (rr->frame && len > 0) return feed_framed(rr, data, len, used);
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (data + pos)) : len - pos;
        if (rr->line.len + chunk > rr->max_line + 1) { /* +1: room for the CR */
            *used = pos;
            return fail(rr, "line too long");
        }
        if (buf_append(&rr->line, data + pos, chunk) != 0) return fail(rr, "out of memory");
        pos += chunk;
        if (!nl) break;
        pos++; /* the LF */
        enum reply_status st = take_line(rr);
        buf_reset(&rr->line);
        if (st != REPLY_NEED_MORE) {
            rr->handed_out = (st == REPLY_DONE);
            *used = pos;
            return st;
        }
    }
    *used = pos;
    return REPLY_NEED_MORE;
}

const char *reply_next_line(const struct reply *r, size_t *off, size_t *len)
{
    if (*off >= r->text.len) return NULL;
    const char *start = r->text.data + *off;
    const char *nl = memchr(start, '\n', r->text.len - *off);
    size_t n = nl ? (size_t)(nl - start) : r->text.len - *off;
    *len = n;
    *off += n + 1;
    return start;
}

int reply_join(const struct reply *r, struct text *out)
{
    struct buf b = {0};
    size_t off = 0, n;
    const char *line;
    int rc = 0;
    while (rc == 0 && (line = reply_next_line(r, &off, &n)) != NULL) {
        if (b.len) rc = buf_append(&b, " | ", 3);
        if (rc == 0) rc = buf_append(&b, line, n);
    }
    if (rc == 0) rc = text_set(out, b.data ? b.data : "", b.len);
    buf_free(&b);
    return rc;
}

const char *reply_last_line(const struct reply *r, size_t *len)
{
    size_t off = 0, n = 0;
    const char *line, *last = NULL;
    while ((line = reply_next_line(r, &off, &n)) != NULL) {
        last = line;
        *len = n;
    }
    if (!last) *len = 0;
    return last ? last : "";
}

static int three_digits(const char *line, size_t len)
{
    return len >= 3 && isdigit((unsigned char)line[0]) && isdigit((unsigned char)line[1]) &&
           isdigit((unsigned char)line[2]);
}

enum reply_line_kind ftp_classify(void *ctx, const struct reply *so_far, const char *line,
                                  size_t len)
{
    if (so_far->nlines == 0) return smtp_classify(ctx, so_far, line, len);
    const char *first = so_far->text.data;
    if (len >= 4 && memcmp(line, first, 3) == 0 && line[3] == ' ' && three_digits(line, len))
        return LINE_ENDS_REPLY;
    if (len == 3 && memcmp(line, first, 3) == 0) return LINE_ENDS_REPLY;
    return LINE_CONTINUES;
}

enum reply_line_kind smtp_classify(void *ctx, const struct reply *so_far, const char *line,
                                   size_t len)
{
    (void)ctx;
    (void)so_far;
    if (len < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
        !isdigit((unsigned char)line[2]))
        return LINE_MALFORMED;
    if (len == 3 || line[3] == ' ') return LINE_ENDS_REPLY;
    if (line[3] == '-') return LINE_CONTINUES;
    return LINE_MALFORMED;
}
