/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An HTTP/1.1 response reader for the MTA-STS policy fetch: fed the bytes as they arrive, it reads the status line,
 * the headers (16 KiB at most), and a body delimited by Content-Length, by
 * chunked transfer coding, or by the end of the connection, capped at
 * HTTP_BODY_MAX (RFC 8461 3.3 lets a sender stop past 64 KiB). A 3xx is
 * reported, never followed (RFC 8461 3.3); 1xx interim responses are
 * skipped (RFC 9110 15.2), 8 at most. Every byte is hostile input. */
#ifndef STS_HTTP_H
#define STS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/base/buf.h"

#define HTTP_BODY_MAX 65536
#define HTTP_HEAD_MAX 16384

enum http_state { HTTP_MORE, HTTP_DONE, HTTP_ERROR };

struct http_reader {
    int status;            /* 200, 301, ... */
    bool text_plain;       /* Content-Type: text/plain (parameters aside) */
    char content_type[64]; /* as sent, cut; "" when none */
    int interim;           /* 1xx responses skipped (RFC 9110 15.2) */
    struct buf body;       /* the body, dechunked */
    const char *error;     /* HTTP_ERROR: why */
    bool too_large;        /* ...the body is larger than HTTP_BODY_MAX */
    /* the reader's own */
    enum { H_HEAD, H_BODY_LEN, H_BODY_CLOSE, H_CHUNK_SIZE, H_CHUNK_DATA, H_CHUNK_CRLF, H_TRAILER, H_DONE } phase;
    struct buf head;
    int64_t content_length; /* -1: none */
    bool chunked;
    uint64_t chunk_left;
    enum http_state state;
};

/* The MTA-STS fetch's dialog state (scanner/dialog/https.c): the request
 * to send once the handshake is done, and the reader of the answer. */
struct https_exchange {
    char request[640];
    struct http_reader http;
};

void http_reader_init(struct http_reader *r);
void http_reader_free(struct http_reader *r);
/* More bytes: HTTP_MORE, HTTP_DONE (the whole response is read), or
 * HTTP_ERROR (r->error says why). Bytes after the response are ignored. */
enum http_state http_feed(struct http_reader *r, const char *p, size_t n);
/* The connection ended: a body delimited by the end is done; anything
 * else still unfinished is an error ("the response was cut"). */
enum http_state http_eof(struct http_reader *r);

#endif
