/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NNTP (RFC 3977, RFC 4642): greeting (200 or 201), CAPABILITIES, STARTTLS
 * (382), CAPABILITIES inside TLS, QUIT. NNTPS: the same inside implicit
 * TLS. Replies have SMTP's three-digit codes on one line; the 101 answer
 * to CAPABILITIES goes on to a lone "." (RFC 3977 3.1.1). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/dialog.h"

enum nntp_state { NNTP_GREETING, NNTP_CAPABILITIES, NNTP_STARTTLS, NNTP_CAPABILITIES_TLS };

static int code_of(const char *line, size_t len)
{
    if (len < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' ||
        line[2] > '9' || (len > 3 && line[3] != ' '))
        return 0;
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* The first line is the status; a 101 goes on to the lone ".". */
static enum reply_line_kind nntp_classify(void *ctx, const struct reply *so_far, const char *line, size_t len)
{
    (void)ctx;
    if (so_far->nlines == 0) {
        int code = code_of(line, len);
        if (!code) return LINE_MALFORMED;
        return code == 101 ? LINE_CONTINUES : LINE_ENDS_REPLY;
    }
    return (len == 1 && line[0] == '.') ? LINE_ENDS_REPLY : LINE_CONTINUES;
}

static int status_of(const struct reply *r)
{
    size_t off = 0, len;
    const char *line = reply_next_line(r, &off, &len);
    return line ? code_of(line, len) : 0;
}

/* Reads the capability lines: STARTTLS, and "AUTHINFO ... SASL" with
 * "SASL PLAIN ..." (RFC 4643 2.1). */
static int read_capabilities(struct dialog_session *s, const struct reply *r)
{
    size_t off = 0, len;
    const char *line;
    int starttls = 0, index = 0;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        if (index++ == 0) continue;
        if (len == 8 && strncasecmp(line, "STARTTLS", 8) == 0) starttls = 1;
        if (len > 5 && strncasecmp(line, "SASL ", 5) == 0) dialog_add_auth_mechs(s, line + 5, len - 5);
    }
    return starttls;
}

static void on_greeting(struct dialog_session *s, const struct reply *r, const struct text *t)
{
    int code = status_of(r);
    text_copy(&s->result->banner, t);
    if (code == 200 || code == 201) {
        if (s->tls_ready)
            dialog_command(s, NNTP_CAPABILITIES_TLS, "CAPABILITIES", "CAPABILITIES reply inside TLS");
        else
            dialog_command(s, NNTP_CAPABILITIES, "CAPABILITIES", "CAPABILITIES reply");
    } else if (code == 400 || code == 502) {
        s->result->transient = code == 400; /* 400: service temporarily unavailable */
        dialog_quit(s, ST_SERVER_REFUSED, "greeting: %s", t->p);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected greeting: %s", t->p);
    }
}

static void on_starttls(struct dialog_session *s, const struct reply *r, const struct text *t)
{
    int code = status_of(r);
    if (code == 382) {
        dialog_start_tls(s);
    } else if (s->result->starttls == TRI_YES && (code / 100 == 4 || code / 100 == 5)) {
        dialog_quit(s, ST_STARTTLS_REFUSED, "STARTTLS: %s", t->p);
    } else if (code / 100 == 4 || code / 100 == 5) {
        const char *why = s->result->starttls == TRI_NO ? "STARTTLS not in the capabilities" : "no capabilities";
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_NO_STARTTLS, "%s, and STARTTLS refused: %s", why, t->p);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected reply to STARTTLS: %s", t->p);
    }
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    switch ((enum nntp_state)s->state) {
    case NNTP_GREETING: on_greeting(s, r, &t); break;
    case NNTP_CAPABILITIES:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        /* Not listed, or no CAPABILITIES (an RFC 977 server): ask anyway;
         * the column says what was advertised. */
        s->result->starttls = status_of(r) != 101 ? TRI_UNKNOWN : read_capabilities(s, r) ? TRI_YES : TRI_NO;
        dialog_command(s, NNTP_STARTTLS, "STARTTLS", "STARTTLS reply");
        break;
    case NNTP_STARTTLS:
        dialog_keep_raw(s, RAW_STARTTLS, r);
        on_starttls(s, r, &t);
        break;
    case NNTP_CAPABILITIES_TLS:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        if (status_of(r) == 101) read_capabilities(s, r);
        dialog_quit(s, ST_OK, "%s", "");
        break;
    }
    text_free(&t);
}

static void on_tls_ready(struct dialog_session *s)
{
    dialog_command(s, NNTP_CAPABILITIES_TLS, "CAPABILITIES", "CAPABILITIES reply inside TLS");
}

/* NNTP and NNTPS share it (scanner/dialog/services.c). */
const struct dialog nntp_dialog = {
    .classify = nntp_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "QUIT",
};
