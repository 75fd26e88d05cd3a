/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IMAP (RFC 3501, RFC 2595): greeting, CAPABILITY, STARTTLS, CAPABILITY
 * inside TLS, LOGOUT. IMAPS: the same inside implicit TLS. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/saslflow.h"

/* c->flags */
#define IMAP_LOGINDISABLED 1u

enum imap_state {
    IMAP_GREETING,
    IMAP_CAPABILITY,
    IMAP_STARTTLS,
    IMAP_CAPABILITY_TLS,
    IMAP_AUTH,          /* check --auth-user, inside TLS */
    IMAP_AUTH_SASL,     /* AUTHENTICATE: the SASL exchange (scanner/dialog/saslflow.h) */
};

/* The greeting is one untagged line; a command's reply ends at its tagged
 * line ("A1 OK ..."), after any untagged ("* ...") lines. */
static enum reply_line_kind imap_classify(void *ctx, const struct reply *so_far, const char *line,
                                          size_t len)
{
    const struct dialog_session *s = ctx;
    (void)so_far;
    if (s->state == IMAP_GREETING && !s->quitting) return LINE_ENDS_REPLY;
    return (len >= 2 && line[0] == '*' && line[1] == ' ') ? LINE_CONTINUES : LINE_ENDS_REPLY;
}

/* Is the tagged line "TAG OK ..."? */
static int tagged_ok(const struct reply *r, const char *tag)
{
    size_t n, tl = strlen(tag);
    const char *last = reply_last_line(r, &n);
    return n > tl + 3 && strncmp(last, tag, tl) == 0 && last[tl] == ' ' &&
           strncasecmp(last + tl + 1, "OK", 2) == 0;
}

/* Reads "* CAPABILITY ..." lines: records AUTH=, says whether STARTTLS is there. */
static int read_capabilities(struct dialog_session *s, const struct reply *r)
{
    size_t off = 0, len;
    const char *line;
    int starttls = 0;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        if (len < 13 || strncasecmp(line, "* CAPABILITY ", 13) != 0) continue;
        size_t i = 13;
        while (i < len) {
            size_t start = i;
            while (i < len && line[i] != ' ') i++;
            size_t n = i - start;
            if (n == 8 && strncasecmp(line + start, "STARTTLS", 8) == 0) starttls = 1;
            if (n == 13 && strncasecmp(line + start, "LOGINDISABLED", 13) == 0 && s->tls_ready)
                s->flags |= IMAP_LOGINDISABLED;
            if (n > 5 && strncasecmp(line + start, "AUTH=", 5) == 0)
                dialog_add_auth_mechs(s, line + start + 5, n - 5);
            i++;
        }
    }
    return starttls;
}

static void on_greeting(struct dialog_session *s, const struct reply *r)
{
    dialog_reply_text(r, &s->result->banner);
    const char *g = s->result->banner.p;
    if (strncasecmp(g, "* OK", 4) == 0) {
        if (s->tls_ready)
            dialog_command(s, IMAP_CAPABILITY_TLS, "A3 CAPABILITY", "CAPABILITY reply inside TLS");
        else
            dialog_command(s, IMAP_CAPABILITY, "A1 CAPABILITY", "CAPABILITY reply");
    } else if (strncasecmp(g, "* PREAUTH", 9) == 0) {
        dialog_quit(s, ST_PREAUTH,
                  "the server greeted with PREAUTH (already authenticated), so STARTTLS cannot be used");
    } else if (strncasecmp(g, "* BYE", 5) == 0) {
        dialog_quit(s, ST_SERVER_REFUSED, "greeting: %s", g);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected greeting: %s", g);
    }
}

/* A quoted IMAP string (RFC 3501 4.3): backslash before " and \. */
static void quote(char *out, size_t len, const char *text)
{
    size_t o = 0;
    out[o++] = '"';
    for (; *text && o + 3 < len; text++) {
        if (*text == '"' || *text == '\\') out[o++] = '\\';
        out[o++] = *text;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* check --auth-user: the LOGIN command (the default, and --auth-mech LOGIN;
 * unless the server says LOGINDISABLED inside TLS), or AUTHENTICATE with
 * another mechanism the server offers inside TLS (RFC 3501 6.2.2). */
static void auth_start(struct dialog_session *s)
{
    const struct dialog_params *cfg = s->params;
    if (cfg->auth_mech && strcmp(cfg->auth_mech, "LOGIN") != 0) {
        int m = saslflow_choose(s, NULL);
        if (m < 0 || saslflow_begin(s, (enum sasl_mech)m) != 0)
            dialog_quit(s, ST_OK, "%s", "");
        else
            saslflow_start_line(s, IMAP_AUTH_SASL, "A4 AUTHENTICATE", SASL_INITIAL_AFTER_PLUS, "AUTHENTICATE reply");
        return;
    }
    if (s->flags & IMAP_LOGINDISABLED) {
        dialog_auth_skipped(s, "the server says LOGINDISABLED inside TLS");
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    char user[300], pass[300], line[700], shown[400];
    quote(user, sizeof user, cfg->auth_user);
    quote(pass, sizeof pass, cfg->password);
    snprintf(line, sizeof line, "A4 LOGIN %s %s", user, pass);
    snprintf(shown, sizeof shown, "A4 LOGIN %s <password redacted>", user);
    dialog_command_shown(s, IMAP_AUTH, line, shown, "LOGIN reply");
    memset(line, 0, sizeof line);
    memset(pass, 0, sizeof pass);
}

/* "+ BASE64" is a challenge, the tagged OK success, anything else a refusal. */
static void on_sasl_reply(struct dialog_session *s, const struct reply *r)
{
    size_t n;
    const char *last = reply_last_line(r, &n);
    bool plus = n >= 1 && last[0] == '+';
    enum sasl_turn turn = plus ? SASL_CHALLENGE : tagged_ok(r, "A4") ? SASL_SUCCESS : SASL_FAILURE;
    size_t skip = plus ? (n >= 2 && last[1] == ' ' ? 2 : 1) : n;
    if (saslflow_line_turn(s, IMAP_AUTH_SASL, turn, last + skip, n - skip, r, "AUTHENTICATE reply"))
        dialog_quit(s, ST_OK, "%s", "");
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    struct text t = {0};
    switch ((enum imap_state)s->state) {
    case IMAP_GREETING: on_greeting(s, r); break;
    case IMAP_CAPABILITY:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        dialog_reply_text(r, &t);
        /* No CAPABILITY, or one without STARTTLS: ask anyway (as openssl
         * s_client does); the column says what was advertised. */
        s->result->starttls = !tagged_ok(r, "A1") ? TRI_UNKNOWN : read_capabilities(s, r) ? TRI_YES : TRI_NO;
        dialog_command(s, IMAP_STARTTLS, "A2 STARTTLS", "STARTTLS reply");
        break;
    case IMAP_STARTTLS:
        dialog_keep_raw(s, RAW_STARTTLS, r);
        if (tagged_ok(r, "A2")) {
            dialog_start_tls(s);
        } else {
            dialog_reply_text(r, &t);
            if (s->result->starttls == TRI_YES)
                dialog_quit(s, ST_STARTTLS_REFUSED, "STARTTLS: %s", t.p);
            else
                dialog_quit(s, ST_NO_STARTTLS, "STARTTLS not offered in the CAPABILITY reply; tried "
                                             "anyway: %s", t.p);
        }
        break;
    case IMAP_CAPABILITY_TLS:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        if (tagged_ok(r, "A3")) read_capabilities(s, r);
        if (s->params->auth_user)
            auth_start(s);
        else
            dialog_quit(s, ST_OK, "%s", "");
        break;
    case IMAP_AUTH_SASL: on_sasl_reply(s, r); break;
    case IMAP_AUTH:
        dialog_auth_result(s, tagged_ok(r, "A4"), r);
        dialog_quit(s, ST_OK, "%s", "");
        break;
    }
    text_free(&t);
}

static void on_tls_ready(struct dialog_session *s)
{
    dialog_command(s, IMAP_CAPABILITY_TLS, "A3 CAPABILITY", "CAPABILITY reply inside TLS");
}

/* IMAP and IMAPS share it (scanner/dialog/services.c). */
const struct dialog imap_dialog = {
    .classify = imap_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "A9 LOGOUT",
    .authenticates = true,
};
