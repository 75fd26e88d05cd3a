/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP: greeting, EHLO (HELO when refused), STARTTLS, TLS, EHLO, QUIT.
 * LMTP (RFC 2033) is the same with LHLO, which has no HELO to fall back
 * to. Never pipelines; never sends AUTH, MAIL or data. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/saslflow.h"

enum smtp_state {
    SMTP_GREETING,
    SMTP_EHLO,
    SMTP_HELO,
    SMTP_STARTTLS,
    SMTP_EHLO_TLS,
    /* check --auth-user only, inside TLS */
    SMTP_AUTH, /* the SASL exchange (scanner/dialog/saslflow.h) */
};

/* s->flags */
#define SMTP_LMTP 1u

/* "EHLO", or LMTP's "LHLO". */
static const char *hello(const struct dialog_session *s)
{
    return (s->flags & SMTP_LMTP) ? "LHLO" : "EHLO";
}

static int class_of(const struct reply *r)
{
    return r->code / 100;
}

/* Reads the EHLO keywords (the first line names the server): records the
 * AUTH mechanisms, and says whether STARTTLS is among them. */
static int read_ehlo_keywords(struct dialog_session *s, const struct reply *r)
{
    size_t off = 0, len;
    const char *line;
    int index = 0, starttls = 0;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        if (index++ == 0 || len < 4) continue;
        const char *kw = line + 4;
        size_t n = len - 4;
        while (n > 0 && kw[n - 1] == ' ') n--;
        if (n == 8 && strncasecmp(kw, "STARTTLS", 8) == 0) starttls = 1;
        /* "AUTH PLAIN LOGIN", or the pre-standard "AUTH=PLAIN LOGIN". */
        if (n > 5 && strncasecmp(kw, "AUTH", 4) == 0 && (kw[4] == ' ' || kw[4] == '='))
            dialog_add_auth_mechs(s, kw + 5, n - 5);
    }
    return starttls;
}

static void send_ehlo(struct dialog_session *s, enum smtp_state next, bool inside_tls)
{
    char line[300];
    snprintf(line, sizeof line, "%s %s", hello(s), s->params->ehlo);
    dialog_command(s, next, line, (s->flags & SMTP_LMTP) ? (inside_tls ? "LHLO reply inside TLS" : "LHLO reply")
                                                         : (inside_tls ? "EHLO reply inside TLS" : "EHLO reply"));
}

static void on_greeting(struct dialog_session *s, const struct reply *r)
{
    dialog_reply_text(r, &s->result->banner);
    if (r->code == 220) {
        send_ehlo(s, s->tls_ready ? SMTP_EHLO_TLS : SMTP_EHLO, s->tls_ready); /* implicit TLS: inside */
    } else if (class_of(r) == 4 || class_of(r) == 5) {
        s->result->transient = class_of(r) == 4; /* greylisting, postscreen: try again later */
        dialog_quit(s, ST_SERVER_REFUSED, "greeting: %s", s->result->banner.p);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected greeting: %s", s->result->banner.p);
    }
}

static void on_ehlo(struct dialog_session *s, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    if (class_of(r) == 2) {
        /* Not advertised may still work (openssl s_client tries it too):
         * the column says what was advertised, the status what happened. */
        s->result->starttls = read_ehlo_keywords(s, r) ? TRI_YES : TRI_NO;
        dialog_command(s, SMTP_STARTTLS, "STARTTLS", "STARTTLS reply");
    } else if (class_of(r) == 5 && r->code != 554 && !(s->flags & SMTP_LMTP)) {
        /* An old server that knows no EHLO: HELO, and no extensions at all. */
        char line[300];
        text_copy(&s->result->error, &t);
        snprintf(line, sizeof line, "HELO %s", s->params->ehlo);
        dialog_command(s, SMTP_HELO, line, "HELO reply");
    } else if (class_of(r) == 4 || class_of(r) == 5) {
        /* 4xx: try later (rate limits, greylisting); 554: this client is refused. */
        s->result->transient = class_of(r) == 4;
        dialog_quit(s, ST_SERVER_REFUSED, "%s: %s", hello(s), t.p);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected reply to %s: %s", hello(s), t.p);
    }
    text_free(&t);
}

static void on_helo(struct dialog_session *s, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    const char *ehlo = s->result->error.p ? s->result->error.p : "";
    if (class_of(r) == 2) {
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_NO_STARTTLS, "EHLO refused (%s); HELO accepted, so no STARTTLS", ehlo);
    } else {
        char *saved = strdup(ehlo);
        s->result->transient = class_of(r) == 4;
        dialog_quit(s, ST_SERVER_REFUSED, "EHLO: %s; HELO: %s", saved ? saved : "", t.p);
        free(saved);
    }
    text_free(&t);
}

static void on_starttls(struct dialog_session *s, const struct reply *r)
{
    if (r->code == 220) {
        dialog_start_tls(s);
        return;
    }
    struct text t = {0};
    dialog_reply_text(r, &t);
    if (s->result->starttls == TRI_NO)
        dialog_quit(s, ST_NO_STARTTLS, "STARTTLS not offered in the %s reply; tried anyway: %s", hello(s), t.p);
    else if (class_of(r) == 4 || class_of(r) == 5)
        dialog_quit(s, ST_STARTTLS_REFUSED, "STARTTLS: %s", t.p);
    else
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected reply to STARTTLS: %s", t.p);
    text_free(&t);
}

/* check --auth-user: AUTH with --auth-mech (PLAIN by default, "auto" the
 * strongest), only when the server offers it inside TLS (RFC 4954). */
static void auth_start(struct dialog_session *s)
{
    int m = saslflow_choose(s, "PLAIN");
    if (m < 0 || saslflow_begin(s, (enum sasl_mech)m) != 0) {
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    saslflow_start_line(s, SMTP_AUTH, "AUTH", SASL_INITIAL_INLINE, "AUTH reply");
}

/* 334 is a challenge (its text base64), 2xx success, anything else a refusal. */
static void on_auth_reply(struct dialog_session *s, const struct reply *r)
{
    size_t n;
    const char *last = reply_last_line(r, &n);
    enum sasl_turn turn = r->code == 334 ? SASL_CHALLENGE : class_of(r) == 2 ? SASL_SUCCESS : SASL_FAILURE;
    const char *b64 = turn == SASL_CHALLENGE && n >= 4 ? last + 4 : "";
    size_t len = turn == SASL_CHALLENGE && n >= 4 ? n - 4 : 0;
    if (saslflow_line_turn(s, SMTP_AUTH, turn, b64, len, r, "AUTH reply")) dialog_quit(s, ST_OK, "%s", "");
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    switch ((enum smtp_state)s->state) {
    case SMTP_GREETING: on_greeting(s, r); break;
    case SMTP_EHLO:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        on_ehlo(s, r);
        break;
    case SMTP_HELO: on_helo(s, r); break;
    case SMTP_STARTTLS:
        dialog_keep_raw(s, RAW_STARTTLS, r);
        on_starttls(s, r);
        break;
    case SMTP_EHLO_TLS:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        if (class_of(r) == 2) read_ehlo_keywords(s, r);
        if (s->params->auth_user)
            auth_start(s);
        else
            dialog_quit(s, ST_OK, "%s", "");
        break;
    case SMTP_AUTH: on_auth_reply(s, r); break;
    }
}

static void on_tls_ready(struct dialog_session *s)
{
    send_ehlo(s, SMTP_EHLO_TLS, true);
}

static void lmtp_start(struct dialog_session *s)
{
    s->flags |= SMTP_LMTP;
    dialog_wait_greeting(s);
}

/* SMTP, submission and SMTPS share it (scanner/dialog/services.c). */
const struct dialog smtp_dialog = {
    .classify = smtp_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "QUIT",
    .hello_verb = "EHLO",
    .authenticates = true,
};

/* LMTP (scanner/dialog/services.c): SMTP's dialog with LHLO. */
const struct dialog lmtp_dialog = {
    .classify = smtp_classify,
    .on_start = lmtp_start,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "QUIT",
    .hello_verb = "LHLO",
    .authenticates = true, /* as SMTP: only a mechanism LHLO offers inside TLS */
};
