/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTTP/1.1 response reader, fed whole and a byte at a time. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/dialog/http.h"
#include "scanner/result/reason.h"
#include "tests/unit/test.h"

/* Feeds text in pieces of `step` bytes (0: whole), then the end if eof. */
static enum http_state read_all(struct http_reader *r, const char *text, size_t len, size_t step, int eof)
{
    http_reader_init(r);
    enum http_state st = HTTP_MORE;
    for (size_t at = 0; at < len && st == HTTP_MORE;) {
        size_t n = step && step < len - at ? step : len - at;
        st = http_feed(r, text + at, n);
        at += n;
    }
    if (st == HTTP_MORE && eof) st = http_eof(r);
    return st;
}

static const char POLICY[] = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n";

TEST_IMPL(http_reads_bodies_at_every_split)
{
    ASSERT_EQ(strlen(POLICY), 69);
    for (size_t f = 0; f < 3; f++) {
        char text[1024];
        if (f == 0)
            snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 69\r\n\r\n%s",
                     POLICY);
        else if (f == 1)
            snprintf(text, sizeof text,
                     "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "10;ext=1\r\n%.16s\r\n35\r\n%s\r\n0\r\nX-Trailer: y\r\n\r\n",
                     POLICY, POLICY + 16);
        else
            snprintf(text, sizeof text, "HTTP/1.0 200 OK\nContent-Type: text/plain\n\n%s", POLICY);
        size_t len = strlen(text);
        for (size_t step = 0; step <= 7; step++) {
            struct http_reader r;
            enum http_state st = read_all(&r, text, len, step, f == 2);
            if (st != HTTP_DONE || r.status != 200 || !r.text_plain || r.body.len != 69 ||
                memcmp(r.body.data, POLICY, 69) != 0)
                FAIL_AT("form %zu, step %zu: state %d, %s", f, step, st, r.error ? r.error : "");
            http_reader_free(&r);
        }
    }
}

TEST_IMPL(http_refusals)
{
    static const struct {
        const char *text;
        int eof;
        enum http_state want;
        int status;
        const char *why;
    } cases[] = {
        {"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n", 0, HTTP_DONE, 301, NULL},
        {"HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n", 0, HTTP_ERROR, 200, "larger than 64 KiB"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 0, HTTP_ERROR, 200, "Content-Length"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, HTTP_ERROR, 200, "Transfer-Encoding"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 0, HTTP_ERROR, 200, "both"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, HTTP_ERROR, 200, "chunk size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 0, HTTP_ERROR, 200, "CRLF"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20000\r\n", 0, HTTP_ERROR, 200, "64 KiB"},
        {"SMTP/1.1 200 OK\r\n\r\n", 0, HTTP_ERROR, 0, "status line"},
        {"HTTP/1.1 20 OK\r\n\r\n", 0, HTTP_ERROR, 0, "status line"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 1, HTTP_ERROR, 200, "before the body ended"},
        {"HTTP/1.1 200 OK\r\nContent-Le", 1, HTTP_ERROR, 0, "before the headers ended"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_reader r;
        enum http_state st = read_all(&r, cases[i].text, strlen(cases[i].text), 0, cases[i].eof);
        if (st != cases[i].want || r.status != cases[i].status ||
            (cases[i].why && (!r.error || !strstr(r.error, cases[i].why))))
            FAIL_AT("case %zu: state %d status %d error %s", i, st, r.status, r.error ? r.error : "");
        /* A body too large is a reason of its own, and its words say so
         * when a row is read back (scanner/result/reason.h). */
        bool large = cases[i].why && strstr(cases[i].why, "64 KiB");
        if (r.too_large != large ||
            (large && policy_reason_read(RG_STS_ERROR, r.error) != REASON_STS_TOO_LARGE))
            FAIL_AT("case %zu: too_large %d, error %s", i, r.too_large, r.error ? r.error : "");
        http_reader_free(&r);
    }
    /* A close-delimited body past 64 KiB, and headers past 16 KiB. */
    size_t big = 70000 + 64;
    char *text = malloc(big);
    ASSERT(text != NULL);
    memset(text, 'a', big);
    memcpy(text, "HTTP/1.1 200 OK\r\n\r\n", 19);
    struct http_reader r;
    ASSERT_EQ(read_all(&r, text, big, 4096, 1), HTTP_ERROR);
    ASSERT(r.too_large);
    http_reader_free(&r);
    memcpy(text, "HTTP/1.1 200 OK\r\nX: ", 20);
    ASSERT_EQ(read_all(&r, text, 20000, 100, 0), HTTP_ERROR);
    ASSERT(strstr(r.error, "16 KiB") != NULL && !r.too_large);
    http_reader_free(&r);
    free(text);
}

/* 1xx interim responses are skipped (RFC 9110 15.2), at every split; 101
 * and endless interim responses are errors; the media type is kept. */
TEST_IMPL(http_interim_responses_and_media_type)
{
    char text[1024];
    snprintf(text, sizeof text,
             "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\nContent-Length: 5\r\n\r\n"
             "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 69\r\n\r\n%s",
             POLICY);
    size_t len = strlen(text);
    for (size_t step = 0; step < 40; step++) {
        struct http_reader r;
        if (read_all(&r, text, len, step, 0) != HTTP_DONE || r.status != 200 || r.interim != 2 || r.text_plain ||
            strcmp(r.content_type, "text/html") != 0 || r.body.len != 69)
            FAIL_AT("step %zu: status %d, interim %d, type '%s', body %zu", step, r.status, r.interim,
                    r.content_type, r.body.len);
        http_reader_free(&r);
    }
    struct http_reader r;
    const char *up = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
    ASSERT_EQ(read_all(&r, up, strlen(up), 0, 0), HTTP_ERROR);
    http_reader_free(&r);
    char many[512] = "";
    for (int i = 0; i < 9; i++) strcat(many, "HTTP/1.1 100 Continue\r\n\r\n");
    ASSERT_EQ(read_all(&r, many, strlen(many), 0, 0), HTTP_ERROR);
    ASSERT(strstr(r.error, "interim") != NULL);
    http_reader_free(&r);
    /* A body cut short, or stalled: never done. */
    snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 69\r\n\r\n%.30s",
             POLICY);
    ASSERT_EQ(read_all(&r, text, strlen(text), 0, 0), HTTP_MORE);
    ASSERT_EQ(http_eof(&r), HTTP_ERROR);
    http_reader_free(&r);
}
