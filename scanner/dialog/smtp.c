/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP: greeting, EHLO (HELO when refused), STARTTLS, TLS, EHLO, QUIT.
 * Never pipelines; never sends AUTH, MAIL or data. */
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

static int class_of(const struct reply *r)
{
    return r->code / 100;
}

/* Reads the EHLO keywords (the first line names the server): records the
 * AUTH mechanisms, and says whether STARTTLS is among them. */
static int read_ehlo_keywords(struct dialog_session *c, const struct reply *r)
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
            dialog_add_auth_mechs(c, kw + 5, n - 5);
    }
    return starttls;
}

static void send_ehlo(struct dialog_session *c, enum smtp_state next, const char *phase)
{
    char line[300];
    snprintf(line, sizeof line, "EHLO %s", c->params->ehlo);
    dialog_command(c, next, line, phase);
}

static void on_greeting(struct dialog_session *c, const struct reply *r)
{
    dialog_reply_text(r, &c->result->banner);
    if (r->code == 220) {
        if (c->tls_ready)
            send_ehlo(c, SMTP_EHLO_TLS, "EHLO reply inside TLS"); /* implicit TLS */
        else
            send_ehlo(c, SMTP_EHLO, "EHLO reply");
    } else if (class_of(r) == 4 || class_of(r) == 5) {
        c->result->transient = class_of(r) == 4; /* greylisting, postscreen: try again later */
        dialog_quit(c, ST_SERVER_REFUSED, "greeting: %s", c->result->banner.p);
    } else {
        dialog_quit(c, ST_PROTOCOL_ERROR, "unexpected greeting: %s", c->result->banner.p);
    }
}

static void on_ehlo(struct dialog_session *c, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    if (class_of(r) == 2) {
        /* Not advertised may still work (openssl s_client tries it too):
         * the column says what was advertised, the status what happened. */
        c->result->starttls = read_ehlo_keywords(c, r) ? TRI_YES : TRI_NO;
        dialog_command(c, SMTP_STARTTLS, "STARTTLS", "STARTTLS reply");
    } else if (class_of(r) == 5 && r->code != 554) {
        /* An old server that knows no EHLO: HELO, and no extensions at all. */
        char line[300];
        text_copy(&c->result->error, &t);
        snprintf(line, sizeof line, "HELO %s", c->params->ehlo);
        dialog_command(c, SMTP_HELO, line, "HELO reply");
    } else if (class_of(r) == 4 || class_of(r) == 5) {
        /* 4xx: try later (rate limits, greylisting); 554: this client is refused. */
        c->result->transient = class_of(r) == 4;
        dialog_quit(c, ST_SERVER_REFUSED, "EHLO: %s", t.p);
    } else {
        dialog_quit(c, ST_PROTOCOL_ERROR, "unexpected reply to EHLO: %s", t.p);
    }
    text_free(&t);
}

static void on_helo(struct dialog_session *c, const struct reply *r)
{
    struct text t = {0};
    dialog_reply_text(r, &t);
    const char *ehlo = c->result->error.p ? c->result->error.p : "";
    if (class_of(r) == 2) {
        c->result->starttls = TRI_NO;
        dialog_quit(c, ST_NO_STARTTLS, "EHLO refused (%s); HELO accepted, so no STARTTLS", ehlo);
    } else {
        char *saved = strdup(ehlo);
        c->result->transient = class_of(r) == 4;
        dialog_quit(c, ST_SERVER_REFUSED, "EHLO: %s; HELO: %s", saved ? saved : "", t.p);
        free(saved);
    }
    text_free(&t);
}

static void on_starttls(struct dialog_session *c, const struct reply *r)
{
    if (r->code == 220) {
        dialog_start_tls(c);
        return;
    }
    struct text t = {0};
    dialog_reply_text(r, &t);
    if (c->result->starttls == TRI_NO)
        dialog_quit(c, ST_NO_STARTTLS, "STARTTLS not offered in the EHLO reply; tried anyway: %s", t.p);
    else if (class_of(r) == 4 || class_of(r) == 5)
        dialog_quit(c, ST_STARTTLS_REFUSED, "STARTTLS: %s", t.p);
    else
        dialog_quit(c, ST_PROTOCOL_ERROR, "unexpected reply to STARTTLS: %s", t.p);
    text_free(&t);
}

/* check --auth-user: AUTH PLAIN (one line) or AUTH LOGIN (two prompts),
 * only when the server offers that mechanism inside TLS. */
static void auth_start(struct dialog_session *c)
{
    const struct dialog_params *cfg = c->params;
    const char *mech = cfg->auth_mech ? cfg->auth_mech : "PLAIN";
    char blob[1200], line[1300];
    if (!sasl_offered(&c->result->auth_mechs, mech)) {
        char why[300];
        snprintf(why, sizeof why, "the server does not offer AUTH %s inside TLS (it offers: %s)", mech,
                 c->result->auth_mechs.len ? c->result->auth_mechs.p : "none");
        dialog_auth_skipped(c, why);
        dialog_quit(c, ST_OK, "%s", "");
        return;
    }
    if (strcmp(mech, "LOGIN") == 0) {
        dialog_command(c, SMTP_AUTH_LOGIN_USER, "AUTH LOGIN", "AUTH reply");
        return;
    }
    if (sasl_plain(cfg->auth_user, cfg->password, blob, sizeof blob) != 0) {
        dialog_quit(c, ST_OK, "%s", "");
        return;
    }
    snprintf(line, sizeof line, "AUTH PLAIN %s", blob);
    dialog_command_shown(c, SMTP_AUTH, line, "AUTH PLAIN <credentials, base64, redacted>", "AUTH reply");
    memset(blob, 0, sizeof blob);
    memset(line, 0, sizeof line);
}

/* shown: what the transcript says instead of the blob; NULL: the blob. */
static void auth_login_step(struct dialog_session *c, const struct reply *r, const char *secret,
                            const char *shown, enum smtp_state next)
{
    char blob[1200];
    if (r->code != 334 || sasl_base64(secret, strlen(secret), blob, sizeof blob) != 0) {
        dialog_auth_result(c, false, r);
        dialog_quit(c, ST_OK, "%s", "");
        return;
    }
    dialog_command_shown(c, next, blob, shown ? shown : blob, "AUTH reply");
    memset(blob, 0, sizeof blob);
}

static void on_reply(struct dialog_session *c, const struct reply *r)
{
    switch ((enum smtp_state)c->state) {
    case SMTP_GREETING: on_greeting(c, r); break;
    case SMTP_EHLO: on_ehlo(c, r); break;
    case SMTP_HELO: on_helo(c, r); break;
    case SMTP_STARTTLS: on_starttls(c, r); break;
    case SMTP_EHLO_TLS:
        if (class_of(r) == 2) read_ehlo_keywords(c, r);
        if (c->params->auth_user)
            auth_start(c);
        else
            dialog_quit(c, ST_OK, "%s", "");
        break;
    case SMTP_AUTH_LOGIN_USER:
        /* The user name is shown, as in every protocol (IMAP LOGIN, POP3 USER). */
        auth_login_step(c, r, c->params->auth_user, NULL, SMTP_AUTH_LOGIN_PASS);
        break;
    case SMTP_AUTH_LOGIN_PASS:
        auth_login_step(c, r, c->params->password, "<password, base64, redacted>", SMTP_AUTH);
        break;
    case SMTP_AUTH:
        dialog_auth_result(c, class_of(r) == 2, r);
        dialog_quit(c, ST_OK, "%s", "");
        break;
    }
}

static void on_tls_ready(struct dialog_session *c)
{
    send_ehlo(c, SMTP_EHLO_TLS, "EHLO reply inside TLS");
}

/* SMTP, submission and SMTPS share it (scanner/dialog/services.c). */
const struct dialog smtp_dialog = {
    .classify = smtp_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "QUIT",
    .hello_verb = "EHLO",
};
