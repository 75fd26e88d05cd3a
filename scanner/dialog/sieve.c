/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ManageSieve (RFC 5804): the greeting is the capability list, STARTTLS,
 * then the capabilities again inside TLS (RFC 5804 2.2), LOGOUT. Every
 * response ends with a line that starts OK, NO or BYE; the capability
 * lines before it are quoted strings ("SASL" "PLAIN LOGIN"). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/saslflow.h"

enum sieve_state { SIEVE_GREETING, SIEVE_STARTTLS, SIEVE_CAPABILITY_TLS, SIEVE_AUTH };

enum sieve_result { SIEVE_OTHER, SIEVE_OK, SIEVE_NO, SIEVE_BYE };

static enum sieve_result result_of(const char *line, size_t len)
{
    size_t n = 0;
    while (n < len && line[n] != ' ' && line[n] != '(') n++;
    if (n == 2 && strncasecmp(line, "OK", 2) == 0) return SIEVE_OK;
    if (n == 2 && strncasecmp(line, "NO", 2) == 0) return SIEVE_NO;
    if (n == 3 && strncasecmp(line, "BYE", 3) == 0) return SIEVE_BYE;
    return SIEVE_OTHER;
}

/* A response ends at its OK, NO or BYE line. (A literal, {n}, is not
 * followed: capability lists have none, and the reader's bounds hold.)
 * During AUTHENTICATE a challenge is a reply of its own: a quoted string,
 * or a literal's {n} line and the line after it (RFC 5804 2.1). */
static enum reply_line_kind sieve_classify(void *ctx, const struct reply *so_far, const char *line,
                                           size_t len)
{
    const struct dialog_session *s = ctx;
    if (result_of(line, len) != SIEVE_OTHER) return LINE_ENDS_REPLY;
    if (s->state != SIEVE_AUTH || s->quitting) return LINE_CONTINUES;
    if (len > 0 && line[0] == '{' && so_far->nlines == 0) return LINE_CONTINUES;
    return LINE_ENDS_REPLY;
}

/* The next quoted string of [*p, end): its text in *w, *n; 0 when none. */
static int next_quoted(const char **p, const char *end, const char **w, size_t *n)
{
    const char *open = memchr(*p, '"', (size_t)(end - *p));
    const char *close = open ? memchr(open + 1, '"', (size_t)(end - open - 1)) : NULL;
    if (!close) return 0;
    *w = open + 1;
    *n = (size_t)(close - open - 1);
    *p = close + 1;
    return 1;
}

/* Reads the capability lines ("NAME" or "NAME" "VALUE"): the
 * implementation (the banner), SASL mechanisms, whether STARTTLS is there. */
static int read_capabilities(struct dialog_session *s, const struct reply *r)
{
    size_t off = 0, len;
    const char *line;
    int starttls = 0;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        const char *p = line, *end = line + len, *name, *value;
        size_t n, vn;
        if (len == 0 || line[0] != '"' || !next_quoted(&p, end, &name, &n)) continue;
        if (n == 8 && strncasecmp(name, "STARTTLS", 8) == 0) starttls = 1;
        if (!next_quoted(&p, end, &value, &vn)) continue;
        if (n == 4 && strncasecmp(name, "SASL", 4) == 0) dialog_add_auth_mechs(s, value, vn);
        if (n == 14 && strncasecmp(name, "IMPLEMENTATION", 14) == 0 && !s->tls_ready && !s->result->banner.len)
            text_set(&s->result->banner, value, vn);
    }
    return starttls;
}

static void on_greeting(struct dialog_session *s, const struct reply *r)
{
    size_t n;
    const char *last = reply_last_line(r, &n);
    enum sieve_result res = result_of(last, n);
    struct text t = {0};
    dialog_reply_text(r, &t);
    if (res == SIEVE_OK) {
        int offered = read_capabilities(s, r);
        if (!s->result->banner.len) text_set(&s->result->banner, last, n);
        if (s->tls_ready) { /* implicit TLS: nothing more to learn */
            dialog_quit(s, ST_OK, "%s", "");
        } else {
            /* Not advertised may still work: the column says what was. */
            s->result->starttls = offered ? TRI_YES : TRI_NO;
            dialog_command(s, SIEVE_STARTTLS, "STARTTLS", "STARTTLS reply");
        }
    } else if (res == SIEVE_NO || res == SIEVE_BYE) {
        text_set(&s->result->banner, last, n);
        dialog_quit(s, ST_SERVER_REFUSED, "greeting: %s", t.p);
    } else {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected greeting: %s", t.p);
    }
    text_free(&t);
}

static void on_starttls(struct dialog_session *s, const struct reply *r)
{
    size_t n;
    const char *last = reply_last_line(r, &n);
    enum sieve_result res = result_of(last, n);
    if (res == SIEVE_OK) {
        dialog_start_tls(s);
        return;
    }
    struct text t = {0};
    dialog_reply_text(r, &t);
    if (s->result->starttls == TRI_NO)
        dialog_quit(s, ST_NO_STARTTLS, "STARTTLS not in the capabilities; tried anyway: %s", t.p);
    else if (res == SIEVE_NO || res == SIEVE_BYE)
        dialog_quit(s, ST_STARTTLS_REFUSED, "STARTTLS: %s", t.p);
    else
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected reply to STARTTLS: %s", t.p);
    text_free(&t);
}

/* check --auth-user: AUTHENTICATE "MECH" "initial" (PLAIN by default). */
static void auth_start(struct dialog_session *s)
{
    int m = saslflow_choose(s, "PLAIN");
    if (m < 0 || saslflow_begin(s, (enum sasl_mech)m) != 0)
        dialog_quit(s, ST_OK, "%s", "");
    else
        saslflow_start_line(s, SIEVE_AUTH, "AUTHENTICATE", SASL_QUOTED, "AUTHENTICATE reply");
}

/* A challenge is a string (quoted, or a literal's line); OK ends it, with
 * the server's last data in its (SASL "...") code; NO or BYE refuses. */
static void on_auth_reply(struct dialog_session *s, const struct reply *r)
{
    size_t n, vn = 0;
    const char *last = reply_last_line(r, &n), *p = last, *value = "";
    enum sieve_result res = result_of(last, n);
    enum sasl_turn turn = res == SIEVE_OK ? SASL_SUCCESS : res == SIEVE_OTHER ? SASL_CHALLENGE : SASL_FAILURE;
    if (turn == SASL_CHALLENGE && n > 0 && last[0] != '"') {
        value = last; /* a literal's text */
        vn = n;
    } else if (turn == SASL_CHALLENGE && !next_quoted(&p, last + n, &value, &vn)) {
        value = "";
    } else if (turn == SASL_SUCCESS) {
        const char *code = memmem(last, n, "(SASL ", 6);
        p = code ? code + 6 : last + n;
        if (!code || !next_quoted(&p, last + n, &value, &vn)) value = "", vn = 0;
    }
    if (saslflow_line_turn(s, SIEVE_AUTH, turn, value, vn, r, "AUTHENTICATE reply")) dialog_quit(s, ST_OK, "%s", "");
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    switch ((enum sieve_state)s->state) {
    case SIEVE_GREETING: /* the greeting is the capability list (RFC 5804 1.7) */
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        on_greeting(s, r);
        break;
    case SIEVE_STARTTLS:
        dialog_keep_raw(s, RAW_STARTTLS, r);
        on_starttls(s, r);
        break;
    case SIEVE_CAPABILITY_TLS:
        dialog_keep_raw(s, RAW_CAPABILITIES, r);
        read_capabilities(s, r);
        if (s->params->auth_user)
            auth_start(s);
        else
            dialog_quit(s, ST_OK, "%s", "");
        break;
    case SIEVE_AUTH: on_auth_reply(s, r); break;
    }
}

/* RFC 5804 2.2: the server sends its capabilities again, unasked. */
static void on_tls_ready(struct dialog_session *s)
{
    s->state = SIEVE_CAPABILITY_TLS;
    dialog_expect(s, "capabilities inside TLS", s->params->reply_ms);
}

const struct dialog sieve_dialog = {
    .classify = sieve_classify,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = "LOGOUT",
    .authenticates = true,
};
