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
#include "scanner/dialog/sasl.h"

enum smtp_state {
    SMTP_GREETING,
    SMTP_EHLO,
    SMTP_HELO,
    SMTP_STARTTLS,
    SMTP_EHLO_TLS,
    /* check --auth-user only, inside TLS */
    SMTP_AUTH,
    SMTP_AUTH_LOGIN_USER,
    SMTP_AUTH_LOGIN_PASS,
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

/* check --auth-user: AUTH PLAIN (one line) or AUTH LOGIN (two prompts),
 * only when the server offers that mechanism inside TLS. */
static void auth_start(struct dialog_session *s)
{
    const struct dialog_params *cfg = s->params;
    const char *mech = cfg->auth_mech ? cfg->auth_mech : "PLAIN";
    char blob[1200], line[1300];
    if (!sasl_offered(&s->result->auth_mechs, mech)) {
        char why[300];
        snprintf(why, sizeof why, "the server does not offer AUTH %s inside TLS (it offers: %s)", mech,
                 s->result->auth_mechs.len ? s->result->auth_mechs.p : "none");
        dialog_auth_skipped(s, why);
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    if (strcmp(mech, "LOGIN") == 0) {
        dialog_command(s, SMTP_AUTH_LOGIN_USER, "AUTH LOGIN", "AUTH reply");
        return;
    }
    if (sasl_plain(cfg->auth_user, cfg->password, blob, sizeof blob) != 0) {
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    snprintf(line, sizeof line, "AUTH PLAIN %s", blob);
    dialog_command_shown(s, SMTP_AUTH, line, "AUTH PLAIN <credentials, base64, redacted>", "AUTH reply");
    memset(blob, 0, sizeof blob);
    memset(line, 0, sizeof line);
}

/* shown: what the transcript says instead of the blob; NULL: the blob. */
static void auth_login_step(struct dialog_session *s, const struct reply *r, const char *secret,
                            const char *shown, enum smtp_state next)
{
    char blob[1200];
    if (r->code != 334 || sasl_base64(secret, strlen(secret), blob, sizeof blob) != 0) {
        dialog_auth_result(s, false, r);
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    dialog_command_shown(s, next, blob, shown ? shown : blob, "AUTH reply");
    memset(blob, 0, sizeof blob);
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    switch ((enum smtp_state)s->state) {
    case SMTP_GREETING: on_greeting(s, r); break;
    case SMTP_EHLO: on_ehlo(s, r); break;
    case SMTP_HELO: on_helo(s, r); break;
    case SMTP_STARTTLS: on_starttls(s, r); break;
    case SMTP_EHLO_TLS:
        if (class_of(r) == 2) read_ehlo_keywords(s, r);
        if (s->params->auth_user)
            auth_start(s);
        else
            dialog_quit(s, ST_OK, "%s", "");
        break;
    case SMTP_AUTH_LOGIN_USER:
        /* The user name is shown, as in every protocol (IMAP LOGIN, POP3 USER). */
        auth_login_step(s, r, s->params->auth_user, NULL, SMTP_AUTH_LOGIN_PASS);
        break;
    case SMTP_AUTH_LOGIN_PASS:
        auth_login_step(s, r, s->params->password, "<password, base64, redacted>", SMTP_AUTH);
        break;
    case SMTP_AUTH:
        dialog_auth_result(s, class_of(r) == 2, r);
        dialog_quit(s, ST_OK, "%s", "");
        break;
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
