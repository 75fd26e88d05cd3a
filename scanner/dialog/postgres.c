/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PostgreSQL (protocol 3, "SSL Session Encryption"): the client speaks
 * first, an SSLRequest (length 8, code 80877103); the server answers one
 * byte, S to go on with TLS, N for none, or (a server from before 7.0)
 * an ErrorResponse. Inside TLS the server waits for a StartupMessage: we
 * send none and close. No banner: the version comes after authentication. */
#include <stdio.h>
#include <string.h>

#include "scanner/dialog/dialog.h"

enum pg_state { PG_SSLREQUEST };

static const char ssl_request[8] = {0, 0, 0, 8, 0x04, (char)0xd2, 0x16, 0x2f};

/* An ErrorResponse: 'E', a length of at most this, then fields. */
#define PG_ERROR_MAX 16384

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* One byte, or a whole ErrorResponse. */
static long pg_frame(void *ctx, const char *data, size_t len, const char **why)
{
    (void)ctx;
    if (data[0] != 'E') return 1;
    if (len < 5) return 0;
    uint32_t n = be32(data + 1);
    if (n < 4 || n > PG_ERROR_MAX) {
        *why = "an ErrorResponse of an impossible length";
        return -1;
    }
    return len >= (size_t)n + 1 ? (long)n + 1 : 0;
}

/* The ErrorResponse's message field (M), or its first field of any kind. */
static void error_message(const struct reply *r, struct text *out)
{
    const char *p = r->text.data + 5, *end = r->text.data + r->text.len;
    const char *first = NULL;
    while (p < end && *p) {
        char kind = *p++;
        const char *nul = memchr(p, 0, (size_t)(end - p));
        if (!nul) break;
        if (kind == 'M') {
            text_set(out, p, (size_t)(nul - p));
            return;
        }
        if (!first) first = p;
        p = nul + 1;
    }
    text_set_str(out, first ? first : "(no message)");
}

static void on_start(struct dialog_session *s)
{
    dialog_send(s, PG_SSLREQUEST, ssl_request, sizeof ssl_request, "SSLRequest (code 80877103)",
                "SSLRequest reply");
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    unsigned char b = (unsigned char)r->text.data[0];
    if (b == 'S') {
        s->result->starttls = TRI_YES;
        dialog_start_tls(s);
    } else if (b == 'N') {
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_NO_STARTTLS, "the server answered N to SSLRequest: no TLS");
    } else if (b == 'E') {
        struct text m = {0};
        error_message(r, &m);
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_STARTTLS_REFUSED, "SSLRequest: ErrorResponse: %s", m.p ? m.p : "");
        text_free(&m);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected reply to SSLRequest: byte 0x%02x, not S, N or E", b);
    }
}

static void describe(const struct reply *r, struct text *out)
{
    unsigned char b = (unsigned char)r->text.data[0];
    if (b == 'S' || b == 'N') {
        text_printf(out, "%c (%s)", b, b == 'S' ? "TLS follows" : "no TLS");
    } else if (b == 'E') {
        struct text m = {0};
        error_message(r, &m);
        text_printf(out, "ErrorResponse: %s", m.p ? m.p : "");
        text_free(&m);
    } else {
        text_printf(out, "byte 0x%02x", b);
    }
}

const struct dialog postgres_dialog = {
    .frame = pg_frame,
    .describe = describe,
    .on_start = on_start,
    .on_reply = on_reply,
    .on_tls_ready = dialog_done, /* the handshake is the verdict; no goodbye in this protocol */
};
