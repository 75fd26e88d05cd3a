/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/http.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void http_reader_init(struct http_reader *r)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    r->phase = H_HEAD;
    r->state = HTTP_MORE;
}

void http_reader_free(struct http_reader *r)
{
    buf_free(&r->body);
    buf_free(&r->head);
}

static enum http_state fail(struct http_reader *r, const char *why)
{
    r->error = why;
    return r->state = HTTP_ERROR;
}

/* Its words hold REASON_STS_TOO_LARGE's marker (tests/unit/test_http.c). */
static enum http_state too_large(struct http_reader *r)
{
    r->too_large = true;
    return fail(r, "the body is larger than 64 KiB");
}

static enum http_state done(struct http_reader *r)
{
    r->phase = H_DONE;
    return r->state = HTTP_DONE;
}

/* "Name: value" of one header line; the value trimmed. */
static int header_is(const char *line, size_t n, const char *name, const char **v, size_t *vn)
{
    size_t l = strlen(name);
    if (n <= l || line[l] != ':' || strncasecmp(line, name, l) != 0) return 0;
    const char *p = line + l + 1, *e = line + n;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *v = p;
    *vn = (size_t)(e - p);
    return 1;
}

static int one_header(struct http_reader *r, const char *line, size_t n)
{
    const char *v;
    size_t vn;
    if (header_is(line, n, "Content-Length", &v, &vn)) {
        int64_t len = 0;
        if (vn == 0 || vn > 12) return -1;
        for (size_t i = 0; i < vn; i++) {
            if (!isdigit((unsigned char)v[i])) return -1;
            len = len * 10 + (v[i] - '0');
        }
        if (r->content_length >= 0 && r->content_length != len) return -1; /* two lengths */
        r->content_length = len;
    } else if (header_is(line, n, "Transfer-Encoding", &v, &vn)) {
        if (vn != 7 || strncasecmp(v, "chunked", 7) != 0) return -1; /* only chunked is read */
        r->chunked = true;
    } else if (header_is(line, n, "Content-Type", &v, &vn)) {
        size_t keep = vn < sizeof r->content_type - 1 ? vn : sizeof r->content_type - 1;
        for (size_t i = 0; i < keep; i++) r->content_type[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
        r->content_type[keep] = '\0';
        r->text_plain = vn >= 10 && strncasecmp(v, "text/plain", 10) == 0 &&
                        (vn == 10 || v[10] == ';' || v[10] == ' ');
    }
    return 0;
}

/* The status line and headers in r->head (its end found). */
static enum http_state parse_head(struct http_reader *r)
{
    const char *p = r->head.data, *end = p + r->head.len;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)(nl - p);
    if (n && p[n - 1] == '\r') n--;
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
        !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) || !isdigit((unsigned char)p[11]) ||
        (n > 12 && p[12] != ' '))
        return fail(r, "not an HTTP/1.x status line");
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (r->status >= 100 && r->status < 200) {
        /* An interim response (100 Continue, 103 Early Hints): the final one follows. */
        if (r->status == 101) return fail(r, "HTTP 101: the server switches protocols");
        if (++r->interim > 8) return fail(r, "more than 8 interim (1xx) responses");
        buf_reset(&r->head);
        return HTTP_MORE;
    }
    for (p = nl + 1; p < end;) {
        nl = memchr(p, '\n', (size_t)(end - p));
        n = (size_t)(nl - p);
        if (n && p[n - 1] == '\r') n--;
        if (n == 0) break;
        if (one_header(r, p, n) != 0) return fail(r, "a malformed Content-Length or Transfer-Encoding");
        p = nl + 1;
    }
    buf_reset(&r->head);
    if (r->chunked && r->content_length >= 0) return fail(r, "both Content-Length and chunked");
    if (r->content_length > HTTP_BODY_MAX) return too_large(r);
    if (r->chunked) r->phase = H_CHUNK_SIZE;
    else if (r->content_length == 0) return done(r);
    else r->phase = r->content_length > 0 ? H_BODY_LEN : H_BODY_CLOSE;
    return HTTP_MORE;
}

/* Where the head ends in r->head (after "\n\n" or "\n\r\n"), or 0. */
static size_t head_end(const struct http_reader *r)
{
    const char *d = r->head.data;
    for (size_t i = 1; i < r->head.len; i++) {
        if (d[i] != '\n') continue;
        if (d[i - 1] == '\n') return i + 1;
        if (i >= 2 && d[i - 1] == '\r' && d[i - 2] == '\n') return i + 1;
    }
    return 0;
}

static enum http_state body_bytes(struct http_reader *r, const char *p, size_t n)
{
    if (r->body.len + n > HTTP_BODY_MAX) return too_large(r);
    buf_append(&r->body, p, n);
    return HTTP_MORE;
}

/* A chunk-size line or a trailer line, gathered in r->head; 1 when whole. */
static int take_line(struct http_reader *r, const char **p, size_t *n)
{
    const char *nl = memchr(*p, '\n', *n);
    size_t take = nl ? (size_t)(nl - *p) + 1 : *n;
    if (r->head.len + take > 1024) return -1;
    buf_append(&r->head, *p, take);
    *p += take;
    *n -= take;
    return nl != NULL;
}

static enum http_state chunk_step(struct http_reader *r, const char **p, size_t *n)
{
    if (r->phase == H_CHUNK_DATA) {
        size_t take = *n < r->chunk_left ? *n : (size_t)r->chunk_left;
        if (body_bytes(r, *p, take) == HTTP_ERROR) return HTTP_ERROR;
        *p += take;
        *n -= take;
        if ((r->chunk_left -= take) == 0) r->phase = H_CHUNK_CRLF;
        return HTTP_MORE;
    }
    int whole = take_line(r, p, n);
    if (whole < 0) return fail(r, "a chunk line longer than 1 KiB");
    if (!whole) return HTTP_MORE;
    const char *l = r->head.data;
    size_t ln = r->head.len - 1;
    if (ln && l[ln - 1] == '\r') ln--;
    if (r->phase == H_CHUNK_CRLF) {
        if (ln != 0) return fail(r, "a chunk does not end with CRLF");
        r->phase = H_CHUNK_SIZE;
    } else if (r->phase == H_CHUNK_SIZE) {
        uint64_t size = 0;
        size_t i = 0;
        for (; i < ln && isxdigit((unsigned char)l[i]); i++) {
            if (size > HTTP_BODY_MAX) return too_large(r);
            size = size * 16 + (uint64_t)(isdigit((unsigned char)l[i]) ? l[i] - '0' : (tolower((unsigned char)l[i]) - 'a' + 10));
        }
        if (i == 0 || (i < ln && l[i] != ';' && l[i] != ' ')) return fail(r, "a malformed chunk size");
        if (size > HTTP_BODY_MAX - r->body.len) return too_large(r);
        r->chunk_left = size;
        r->phase = size ? H_CHUNK_DATA : H_TRAILER;
    } else if (ln == 0) { /* H_TRAILER: the empty line ends the message */
        buf_reset(&r->head);
        return done(r);
    }
    buf_reset(&r->head);
    return HTTP_MORE;
}

enum http_state http_feed(struct http_reader *r, const char *p, size_t n)
{
    while (r->state == HTTP_MORE && n > 0) {
        if (r->phase == H_HEAD) {
            size_t before = r->head.len;
            size_t take = n < HTTP_HEAD_MAX + 1 - before ? n : HTTP_HEAD_MAX + 1 - before;
            buf_append(&r->head, p, take);
            size_t end = head_end(r);
            if (!end) {
                if (r->head.len > HTTP_HEAD_MAX) return fail(r, "the headers are longer than 16 KiB");
                return HTTP_MORE;
            }
            size_t used = end - before;
            r->head.len = end;
            p += used;
            n -= used;
            if (parse_head(r) != HTTP_MORE) return r->state;
        } else if (r->phase == H_BODY_LEN) {
            size_t take = n < (size_t)(r->content_length - (int64_t)r->body.len)
                              ? n : (size_t)(r->content_length - (int64_t)r->body.len);
            body_bytes(r, p, take);
            p += take;
            n -= take;
            if ((int64_t)r->body.len == r->content_length) return done(r);
        } else if (r->phase == H_BODY_CLOSE) {
            if (body_bytes(r, p, n) == HTTP_ERROR) return HTTP_ERROR;
            n = 0;
        } else if (chunk_step(r, &p, &n) == HTTP_ERROR) {
            return HTTP_ERROR;
        }
    }
    return r->state;
}

enum http_state http_eof(struct http_reader *r)
{
    if (r->state != HTTP_MORE) return r->state;
    if (r->phase == H_BODY_CLOSE) return done(r);
    return fail(r, r->phase == H_HEAD ? "the connection closed before the headers ended"
                                      : "the connection closed before the body ended");
}
