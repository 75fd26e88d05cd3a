/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/saslflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scanner/dialog/sasl.h"

struct sasl_flow {
    struct sasl_client client;
    bool initial_pending; /* the command went without the initial response: the first "+" asks for it */
    struct buf pending, pending_shown; /* ...which is this (base64), shown so */
    bool cancelled;       /* we sent "*": the next reply ends the exchange, already judged */
    enum sasl_framing framing;
};

#define XMPP_SASL "urn:ietf:params:xml:ns:xmpp-sasl"

int saslflow_choose(struct dialog_session *s, const char *dflt)
{
    const struct dialog_params *p = s->params;
    const struct text *offered = &s->result->auth_mechs;
    const char *want = p->auth_mech ? p->auth_mech : dflt;
    char why[400];
    int m = -1;
    if (want && strcasecmp(want, "auto") == 0) {
        m = sasl_mech_auto(offered->p, offered->len, p->auth_token);
        if (m < 0)
            snprintf(why, sizeof why, "the server offers no %s mechanism we have inside TLS (it offers: %s)",
                     p->auth_token ? "token (OAUTHBEARER, XOAUTH2)" : "password", offered->len ? offered->p : "none");
    } else if (want && (m = sasl_mech_find(want)) >= 0 && !sasl_offered(offered, want)) {
        snprintf(why, sizeof why, "the server does not offer AUTH %s inside TLS (it offers: %s)", sasl_mech_name(m),
                 offered->len ? offered->p : "none");
        m = -1;
    } else if (m < 0) {
        snprintf(why, sizeof why, "no SASL mechanism to use");
    }
    if (m < 0) dialog_auth_skipped(s, why);
    return m;
}

int saslflow_begin(struct dialog_session *s, enum sasl_mech m)
{
    char why[200];
    saslflow_free(s);
    if (!(s->sasl = calloc(1, sizeof *s->sasl)) ||
        sasl_client_init(&s->sasl->client, m, s->params->auth_user, s->params->password, why, sizeof why) != 0) {
        if (!s->sasl) snprintf(why, sizeof why, "out of memory");
        dialog_auth_failed(s, why);
        return -1;
    }
    return 0;
}

/* raw → base64 into out. */
static int encode(const struct buf *raw, struct buf *out)
{
    size_t cap = (raw->len + 2) / 3 * 4 + 1;
    if (buf_reserve(out, cap) != 0) return -1;
    if (raw->len == 0) return 0;
    if (sasl_base64(raw->data, raw->len, out->data + out->len, cap) != 0) return -1;
    out->len += strlen(out->data + out->len);
    return 0;
}

/* shown: the mechanism's words, or (none) the base64 itself. */
static void show(struct buf *shown, const struct buf *words, const struct buf *b64)
{
    if (words->len)
        buf_append(shown, words->data, words->len);
    else
        buf_append(shown, b64->data ? b64->data : "", b64->len);
}

int saslflow_initial(struct dialog_session *s, struct buf *b64, struct buf *shown)
{
    struct buf raw = {0}, words = {0};
    int has = sasl_client_initial(&s->sasl->client, &raw, &words);
    if (has == 1 && encode(&raw, b64) == 0) show(shown, &words, b64);
    if (raw.data) memset(raw.data, 0, raw.len);
    buf_free(&raw);
    buf_free(&words);
    return has;
}

int saslflow_answer(struct dialog_session *s, const char *b64, size_t len, struct buf *resp, struct buf *shown)
{
    struct buf challenge = {0}, raw = {0}, words = {0};
    char why[400] = "";
    int rc = -1;
    /* LOGIN's prompts say nothing the mechanism reads: whatever they are, they are not decoded. */
    bool prompt_only = s->sasl->client.mech == MECH_LOGIN;
    if (!prompt_only && sasl_unbase64(b64, len, &challenge) != 0)
        snprintf(why, sizeof why, "the server's challenge is not base64");
    else if (sasl_client_step(&s->sasl->client, challenge.data ? challenge.data : "", challenge.len, &raw, &words, why,
                              sizeof why) == 0 && encode(&raw, resp) == 0)
        rc = 0;
    if (rc == 0) show(shown, &words, resp);
    if (rc != 0) dialog_auth_failed(s, why[0] ? why : "out of memory");
    if (raw.data) memset(raw.data, 0, raw.len);
    buf_free(&challenge);
    buf_free(&raw);
    buf_free(&words);
    return rc;
}

bool saslflow_success(struct dialog_session *s, const char *b64, size_t len)
{
    struct buf data = {0};
    char why[400] = "";
    bool ok = false;
    if (sasl_unbase64(b64, len, &data) != 0)
        snprintf(why, sizeof why, "the server's success data is not base64");
    else
        ok = sasl_client_success(&s->sasl->client, data.data ? data.data : "", data.len, why, sizeof why) == 0;
    if (!ok) dialog_auth_failed(s, why);
    buf_free(&data);
    return ok;
}

void saslflow_free(struct dialog_session *s)
{
    if (!s->sasl) return;
    sasl_client_free(&s->sasl->client);
    if (s->sasl->pending.data) memset(s->sasl->pending.data, 0, s->sasl->pending.len);
    buf_free(&s->sasl->pending);
    buf_free(&s->sasl->pending_shown);
    free(s->sasl);
    s->sasl = NULL;
}

const char *saslflow_mech(const struct dialog_session *s)
{
    return sasl_mech_name(s->sasl->client.mech);
}

/* Sends a line of the exchange (XMPP: an element, no line end), then waits in state. */
static void send_line(struct dialog_session *s, int state, const struct buf *line, const struct buf *shown,
                      const char *phase)
{
    if (s->sasl->framing == SASL_XMPP) {
        struct buf sh = {0};
        buf_append(&sh, shown->data ? shown->data : "", shown->len);
        buf_append(&sh, "", 1);
        dialog_send(s, state, line->data ? line->data : "", line->len, sh.data, phase);
        buf_free(&sh);
        return;
    }
    struct buf l = {0}, sh = {0};
    buf_append(&l, line->data ? line->data : "", line->len);
    buf_append(&l, "", 1);
    buf_append(&sh, shown->data ? shown->data : "", shown->len);
    buf_append(&sh, "", 1);
    dialog_command_shown(s, state, l.data, sh.data, phase);
    memset(l.data, 0, l.len);
    buf_free(&l);
    buf_free(&sh);
}

/* A message as the protocol writes it: quoted (ManageSieve), or as it is
 * (empty_word for an empty one on the command line: SMTP's "="). */
static void word(struct buf *out, const struct sasl_flow *f, const struct buf *w, const char *empty_word)
{
    if (f->framing == SASL_QUOTED)
        buf_printf(out, "\"%.*s\"", (int)w->len, w->data ? w->data : "");
    else if (w->len)
        buf_append(out, w->data, w->len);
    else
        buf_append_str(out, empty_word);
}

int saslflow_start_line(struct dialog_session *s, int state, const char *command, enum sasl_framing framing,
                        const char *phase)
{
    struct buf b64 = {0}, shown = {0}, line = {0}, shown_line = {0};
    int has = saslflow_initial(s, &b64, &shown);
    bool initial_inline = framing != SASL_INITIAL_AFTER_PLUS;
    s->sasl->framing = framing;
    const char *q = framing == SASL_QUOTED ? "\"" : "";
    if (framing == SASL_XMPP) {
        /* RFC 6120 6.4.2: the initial response as the element's text, "=" when empty. */
        buf_printf(&line, "<auth xmlns='" XMPP_SASL "' mechanism='%s'>%.*s</auth>", saslflow_mech(s),
                   has ? (int)(b64.len ? b64.len : 1) : 0, b64.len ? b64.data : "=");
        buf_printf(&shown_line, "<auth xmlns='" XMPP_SASL "' mechanism='%s'>%.*s</auth>", saslflow_mech(s),
                   has ? (int)(shown.len ? shown.len : 1) : 0, shown.len ? shown.data : "=");
    } else {
        buf_printf(&line, "%s %s%s%s", command, q, saslflow_mech(s), q);
        buf_printf(&shown_line, "%s %s%s%s", command, q, saslflow_mech(s), q);
    }
    if (has && initial_inline && framing != SASL_XMPP) {
        /* RFC 4954 4: "=" is an empty initial response. */
        buf_append_str(&line, " ");
        word(&line, s->sasl, &b64, "=");
        buf_append_str(&shown_line, " ");
        word(&shown_line, s->sasl, &shown, "=");
    }
    send_line(s, state, &line, &shown_line, phase);
    if (has && !initial_inline) {
        /* Made once (SCRAM's nonce and first message are the client's state). */
        s->sasl->initial_pending = true;
        s->sasl->pending = b64;
        s->sasl->pending_shown = shown;
    } else {
        if (b64.data) memset(b64.data, 0, b64.len);
        buf_free(&b64);
        buf_free(&shown);
    }
    buf_free(&line);
    buf_free(&shown_line);
    return 0;
}

/* A response (base64, or "*" after a cancel) framed as the protocol asks, sent. */
static void respond(struct dialog_session *s, int state, const struct buf *resp, const struct buf *shown,
                    const char *phase)
{
    const struct sasl_flow *f = s->sasl;
    struct buf line = {0}, shown_line = {0};
    if (f->framing == SASL_XMPP && f->cancelled) {
        buf_append_str(&line, "<abort xmlns='" XMPP_SASL "'/>");
        buf_append_str(&shown_line, "<abort xmlns='" XMPP_SASL "'/>");
    } else if (f->framing == SASL_XMPP) {
        buf_printf(&line, "<response xmlns='" XMPP_SASL "'>%.*s</response>", (int)resp->len,
                   resp->data ? resp->data : "");
        buf_printf(&shown_line, "<response xmlns='" XMPP_SASL "'>%.*s</response>", (int)shown->len,
                   shown->data ? shown->data : "");
    } else {
        word(&line, f, resp, "");
        word(&shown_line, f, shown, "");
    }
    send_line(s, state, &line, &shown_line, phase);
    if (line.data) memset(line.data, 0, line.len);
    buf_free(&line);
    buf_free(&shown_line);
}

bool saslflow_line_turn(struct dialog_session *s, int state, enum sasl_turn turn, const char *b64, size_t len,
                        const struct reply *r, const char *phase)
{
    struct sasl_flow *f = s->sasl;
    if (f->cancelled) return true; /* the answer to "*": judged already */
    if (turn == SASL_SUCCESS) {
        if (saslflow_success(s, b64, len)) dialog_auth_result(s, true, r);
        return true;
    }
    if (turn == SASL_FAILURE) {
        dialog_auth_result(s, false, r);
        return true;
    }
    struct buf resp = {0}, shown = {0};
    int rc = 0;
    if (f->initial_pending) {
        f->initial_pending = false;
        resp = f->pending;
        shown = f->pending_shown;
        f->pending = (struct buf){0};
        f->pending_shown = (struct buf){0};
    } else {
        rc = saslflow_answer(s, b64, len, &resp, &shown);
    }
    if (rc != 0) {
        /* RFC 4954 4, RFC 3501 6.2.2, RFC 5034 4: "*" cancels; the server's answer ends it. */
        f->cancelled = true;
        buf_reset(&resp);
        buf_reset(&shown);
        buf_append_str(&resp, "*");
        buf_append_str(&shown, "*");
    }
    respond(s, state, &resp, &shown, phase);
    if (resp.data) memset(resp.data, 0, resp.len);
    buf_free(&resp);
    buf_free(&shown);
    return false;
}
