/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MTA-STS policy fetch (RFC 8461 3.3): after the handshake, one
 * HTTP/1.1 GET of /.well-known/mta-sts.txt, and the response read by the
 * bounded reader of scanner/dialog/http.c (the session's ctx). No
 * redirect is followed, nothing else is sent. */
#include <stdio.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/http.h"
#include "scanner/dialog/services.h"

void https_policy_request(const char *host, char *out, size_t len)
{
    /* The last CRLF comes with the command. */
    snprintf(out, len,
             "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: %s\r\nUser-Agent: starttls-scan\r\n"
             "Accept: text/plain\r\nConnection: close\r\n",
             host);
}

static void outcome(struct dialog_session *s, enum http_state st)
{
    const struct http_reader *r = &((struct https_exchange *)s->ctx)->http;
    if (st == HTTP_DONE)
        dialog_done(s);
    else if (st == HTTP_ERROR)
        dialog_quit(s, ST_PROTOCOL_ERROR, "HTTP: %s", r->error ? r->error : "malformed response");
}

static void on_data(struct dialog_session *s, const char *data, size_t len)
{
    outcome(s, http_feed(&((struct https_exchange *)s->ctx)->http, data, len));
}

static void on_close(struct dialog_session *s)
{
    enum http_state st = http_eof(&((struct https_exchange *)s->ctx)->http);
    if (st == HTTP_MORE) st = HTTP_ERROR;
    outcome(s, st);
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    (void)r;
    dialog_done(s); /* not reached: the bytes go to on_data */
}

/* Implicit TLS: this runs once the handshake is done. */
static void on_connected(struct dialog_session *s)
{
    const struct https_exchange *x = s->ctx;
    dialog_command(s, 1, x->request, "fetching the MTA-STS policy");
}

static const struct dialog https_dialog = {
    .classify = smtp_classify,
    .on_start = on_connected,
    .on_reply = on_reply,
    .on_tls_ready = on_connected,
    .quit_command = NULL,
    .on_data = on_data,
    .on_close = on_close,
};

const struct service mta_sts_service = {"https", 443, true, false, &https_dialog, ", the MTA-STS policy", NULL, false};
