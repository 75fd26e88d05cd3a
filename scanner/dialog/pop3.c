/* SPDX-License-Identifier: GPL-2.0-or-later */
/* POP3 (RFC 1939, RFC 2449, RFC 2595): greeting, CAPA, STLS, CAPA inside
 * TLS, QUIT. POP3S: the same inside implicit TLS. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/saslflow.h"

/* c->flags */
#define POP3_USER_OK 1u

enum pop3_state { POP3_GREETING, POP3_CAPA, POP3_STLS, POP3_CAPA_TLS, POP3_USER, POP3_PASS, POP3_AUTH };

/* CAPA answers "+OK" and lines up to a lone "."; everything else is one line. */
static enum reply_line_kind pop3_classify(void *ctx, const struct reply *so_far, const char *line,
                                          size_t len)
{
    const struct dialog_session *s = ctx;
    int multiline = !s->quitting && (s->state == POP3_CAPA || s->state == POP3_CAPA_TLS);
    if (!multiline) return LINE_ENDS_REPLY;
    if (so_far->nlines == 0) return (len >= 4 && strncmp(line, "-ERR", 4) == 0) ? LINE_ENDS_REPLY
                                                                                  : LINE_CONTINUES;
    return (len == 1 && line[0] == '.') ? LINE_ENDS_REPLY : LINE_CONTINUES;
}

static int is_ok(const struct reply *r)
{
    return r->text.len >= 3 && strncmp(r->text.data, "+OK", 3) == 0;
}

/* Reads CAPA lines: records SASL mechanisms, says whether STLS is there. */
static int read_capa(struct dialog_session *s, const struct reply *r)
{
    size_t off = 0, len;
    const char *line;
    int stls = 0;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        if (len == 4 && strncasecmp(line, "STLS", 4) == 0) stls = 1;
        if (len == 4 && strncasecmp(line, "USER", 4) == 0 && s->tls_ready) s->flags |= POP3_USER_OK;
        if (len > 5 && strncasecmp(line, "SASL ", 5) == 0) dialog_add_auth_mechs(s, line + 5, len - 5);
    }
    return stls;
}

/* check --auth-user --auth-mech: AUTH with a SASL mechanism (RFC 5034). */
static void sasl_start(struct dialog_session *s)
{
    int m = saslflow_choose(s, NULL);
    if (m < 0 || saslflow_begin(s, (enum sasl_mech)m) != 0)
        dialog_quit(s, ST_OK, "%s", "");
    else
        saslflow_start_line(s, POP3_AUTH, "AUTH", SASL_INITIAL_AFTER_PLUS, "AUTH reply");
}

/* "+ BASE64" is a challenge, "+OK" success, "-ERR" a refusal. */
static void on_sasl_reply(struct dialog_session *s, const struct reply *r)
{
    const char *t = r->text.data ? r->text.data : "";
    size_t n = r->text.len;
    while (n > 0 && (t[n - 1] == '\r' || t[n - 1] == '\n')) n--;
    bool plus = n >= 1 && t[0] == '+' && !is_ok(r);
    enum sasl_turn turn = plus ? SASL_CHALLENGE : is_ok(r) ? SASL_SUCCESS : SASL_FAILURE;
    size_t skip = plus ? (n >= 2 && t[1] == ' ' ? 2 : 1) : n;
    if (saslflow_line_turn(s, POP3_AUTH, turn, t + skip, n - skip, r, "AUTH reply")) dialog_quit(s, ST_OK, "%s", "");
}

/* check --auth-user, inside TLS: USER, then PASS (without --auth-mech). */
static void on_auth_reply(struct dialog_session *s, const struct reply *r)
{
    if (s->state == POP3_CAPA_TLS && s->params->auth_mech) {
        sasl_start(s);
    } else if (s->state == POP3_CAPA_TLS && !(s->flags & POP3_USER_OK)) {
        /* USER/PASS only when CAPA inside TLS lists USER (RFC 2449). */
        dialog_auth_skipped(s, "the server does not list USER in its CAPA reply inside TLS");
        dialog_quit(s, ST_OK, "%s", "");
    } else if (s->state == POP3_CAPA_TLS) {
        char line[300];
        snprintf(line, sizeof line, "USER %s", s->params->auth_user);
        dialog_command(s, POP3_USER, line, "USER reply");
    } else if (s->state == POP3_USER && is_ok(r)) {
        char line[300];
        snprintf(line, sizeof line, "PASS %s", s->params->password);
        dialog_command_shown(s, POP3_PASS, line, "PASS <password redacted>", "PASS reply");
        memset(line, 0, sizeof line);
    } else {
        dialog_auth_result(s, is_ok(r) && s->state == POP3_PASS, r); /* USER or PASS refused */
        dialog_quit(s, ST_OK, "%s", "");
    }
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    switch ((enum pop3_state)s->state) {
    case POP3_GREETING:
        text_copy(&s->result->banner, &t);
        if (!is_ok(r))
            dialog_quit(s, strncmp(t.p, "-ERR", 4) == 0 ? ST_SERVER_REFUSED : ST_PROTOCOL_ERROR,
                      "greeting: %s", t.p);
        else if (s->tls_ready)
            dialog_command(s, POP3_CAPA_TLS, "CAPA", "CAPA reply inside TLS");
        else
            dialog_command(s, POP3_CAPA, "CAPA", "CAPA reply");
        break;
    case POP3_CAPA:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        /* STLS offered, not offered, or no CAPA at all (RFC 1939 servers):
         * ask anyway; the column says what was advertised. */
        s->result->starttls = !is_ok(r) ? TRI_UNKNOWN : read_capa(s, r) ? TRI_YES : TRI_NO;
        dialog_command(s, POP3_STLS, "STLS", "STLS reply");
        break;
    case POP3_STLS:
        dialog_keep_raw(s, RAW_STARTTLS, r);
        if (is_ok(r)) {
            dialog_start_tls(s);
        } else if (s->result->starttls == TRI_YES) {
            dialog_quit(s, ST_STARTTLS_REFUSED, "STLS: %s", t.p);
        } else {
            dialog_quit(s, ST_NO_STARTTLS, "%s, and STLS refused: %s",
                      s->result->starttls == TRI_NO ? "STLS not offered in the CAPA reply" : "no CAPA",
                      t.p);
            s->result->starttls = TRI_NO;
        }
        break;
    case POP3_CAPA_TLS:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        if (is_ok(r)) read_capa(s, r);
        if (s->params->auth_user)
            on_auth_reply(s, r);
        else
            dialog_quit(s, ST_OK, "%s", "");
        break;
    case POP3_USER:
    case POP3_PASS: on_auth_reply(s, r); break;
    case POP3_AUTH: on_sasl_reply(s, r); break;
    }
    text_free(&t);
}

static void on_tls_ready(struct dialog_session *s)
{
    dialog_command(s, POP3_CAPA_TLS, "CAPA", "CAPA reply inside TLS");
}

/* POP3 and POP3S share it (scanner/dialog/services.c). */
const struct dialog pop3_dialog = {
    .classify = pop3_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "QUIT",
    .authenticates = true,
};
