/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FTP (RFC 959, RFC 2389, RFC 4217): greeting, FEAT, AUTH TLS, QUIT inside TLS. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/dialog.h"

enum ftp_state { FTP_GREETING, FTP_FEAT, FTP_AUTH };

/* Does FEAT list "AUTH TLS" (or "AUTH TLS;SSL", "AUTH SSL TLS", ...)? */
static int feat_offers_auth_tls(const struct reply *r)
{
    size_t off = 0, len;
    const char *line;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        while (len > 0 && line[0] == ' ') {
            line++;
            len--;
        }
        if (len < 8 || strncasecmp(line, "AUTH ", 5) != 0) continue;
        for (size_t i = 5; i + 3 <= len; i++)
            if (strncasecmp(line + i, "TLS", 3) == 0) return 1;
    }
    return 0;
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    int cls = r->code / 100;
    switch ((enum ftp_state)s->state) {
    case FTP_GREETING:
        if (cls == 1) break; /* 120: ready in a few minutes; the 220 follows */
        text_copy(&s->result->banner, &t);
        if (r->code == 220) {
            dialog_command(s, FTP_FEAT, "FEAT", "FEAT reply");
        } else {
            s->result->transient = cls == 4; /* 421: service not available now */
            dialog_quit(s, (cls == 4 || cls == 5) ? ST_SERVER_REFUSED : ST_PROTOCOL_ERROR,
                      "greeting: %s", t.p);
        }
        break;
    case FTP_FEAT:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        /* Offered, not offered, or no FEAT (older servers): ask anyway.
         * vsftpd with ssl_tlsv1=NO leaves AUTH TLS out of FEAT yet speaks
         * TLS 1.3 after it, as openssl s_client -starttls ftp shows. */
        s->result->starttls = cls != 2 ? TRI_UNKNOWN : feat_offers_auth_tls(r) ? TRI_YES : TRI_NO;
        dialog_command(s, FTP_AUTH, "AUTH TLS", "AUTH TLS reply");
        break;
    case FTP_AUTH:
        dialog_keep_raw(s, RAW_STARTTLS, r);
        if (r->code == 234) {
            dialog_start_tls(s);
        } else if (s->result->starttls == TRI_YES) {
            dialog_quit(s, ST_STARTTLS_REFUSED, "AUTH TLS: %s", t.p);
        } else {
            dialog_quit(s, ST_NO_STARTTLS, "%s, and AUTH TLS refused: %s",
                      s->result->starttls == TRI_NO ? "AUTH TLS not offered in the FEAT reply" : "no FEAT",
                      t.p);
            s->result->starttls = TRI_NO;
        }
        break;
    }
    text_free(&t);
}

static void on_tls_ready(struct dialog_session *s)
{
    dialog_quit(s, ST_OK, "%s", "");
}

const struct dialog ftp_dialog = {
    .classify = ftp_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "QUIT",
};
