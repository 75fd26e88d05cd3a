/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XMPP (RFC 6120 5): our stream header to the server's domain, the
 * server's header and stream features, <starttls/>, <proceed/> (a
 * <failure/> is a refusal); inside TLS a new stream, its features (the SASL
 * mechanisms go to auth_mechs), then </stream:stream>. Client to server
 * (jabber:client) or server to server (jabber:server); XEP-0368's direct
 * TLS is the same inside implicit TLS. The XML is read by expat
 * (scanner/dialog/xmppxml.c); the transcript shows it as it came. */
#include <stdio.h>
#include <string.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/saslflow.h"
#include "scanner/dialog/xmppxml.h"

enum xmpp_state { XMPP_STREAM, XMPP_FEATURES, XMPP_PROCEED, XMPP_STREAM_TLS, XMPP_FEATURES_TLS, XMPP_AUTH };

/* s->flags */
#define XMPP_SERVER 1u /* jabber:server */

static const char close_stream[] = "</stream:stream>";

static long frame(void *ctx, const char *data, size_t len, const char **why)
{
    struct dialog_session *s = ctx;
    if (!s->data) {
        *why = "out of memory";
        return -1;
    }
    return xmpp_xml_frame(s->data, data, len, why);
}

static void send_header(struct dialog_session *s, int next_state)
{
    char header[600], to[300] = "";
    const char *name = s->server_name ? s->server_name : "";
    /* The name is ours (a DNS name or nothing); one with a quote is left out. */
    if (name[0] && !strpbrk(name, "'<>&\"")) snprintf(to, sizeof to, " to='%s'", name);
    snprintf(header, sizeof header,
             "<?xml version='1.0'?><stream:stream xmlns='jabber:%s' "
             "xmlns:stream='http://etherx.jabber.org/streams'%s version='1.0'>",
             (s->flags & XMPP_SERVER) ? "server" : "client", to);
    dialog_send(s, next_state, header, strlen(header), header, "stream header");
}

static void start(struct dialog_session *s)
{
    if (!s->data) s->data = xmpp_xml_new();
    if (!s->data) {
        dialog_quit(s, ST_PROTOCOL_ERROR, "out of memory");
        return;
    }
    send_header(s, s->tls_ready ? XMPP_STREAM_TLS : XMPP_STREAM);
}

static void start_client(struct dialog_session *s)
{
    start(s);
}

static void start_server(struct dialog_session *s)
{
    s->flags |= XMPP_SERVER;
    start(s);
}

static void on_tls_ready(struct dialog_session *s)
{
    /* RFC 6120 5.4.3.3: a new stream, the old one forgotten. */
    if (xmpp_xml_restart(s->data) != 0) {
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    send_header(s, XMPP_STREAM_TLS);
}

static void on_stream(struct dialog_session *s, const struct xmpp_facts *f)
{
    if (!s->tls_ready && strcmp(f->version, "1.0") < 0) {
        /* RFC 6120 4.7.5: no version, or one below 1.0: no features, so no STARTTLS. */
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_NO_STARTTLS, "the stream's version is '%s', not 1.0: no STARTTLS", f->version);
        return;
    }
    s->state = s->tls_ready ? XMPP_FEATURES_TLS : XMPP_FEATURES;
    dialog_expect(s, "stream features", s->params->reply_ms);
}

/* check --auth-user: SASL inside TLS (RFC 6120 6), PLAIN by default. */
static void auth_start(struct dialog_session *s)
{
    int m = saslflow_choose(s, "PLAIN");
    if (m < 0 || saslflow_begin(s, (enum sasl_mech)m) != 0)
        dialog_quit(s, ST_OK, "%s", "");
    else
        saslflow_start_line(s, XMPP_AUTH, NULL, SASL_XMPP, "SASL reply");
}

static void on_auth(struct dialog_session *s, const struct xmpp_facts *f, const struct reply *r)
{
    enum sasl_turn turn = f->unit == XU_SASL_CHALLENGE ? SASL_CHALLENGE
                          : f->unit == XU_SASL_SUCCESS ? SASL_SUCCESS
                                                       : SASL_FAILURE;
    /* "=" is an empty message (RFC 6120 6.4.2). */
    const char *text = f->sasl_text.data ? f->sasl_text.data : "";
    size_t len = f->sasl_text.len == 1 && text[0] == '=' ? 0 : f->sasl_text.len;
    if (saslflow_line_turn(s, XMPP_AUTH, turn, text, len, r, "SASL reply")) dialog_quit(s, ST_OK, "%s", "");
}

static void on_features(struct dialog_session *s, const struct xmpp_facts *f)
{
    if (f->mechanisms.len) dialog_add_auth_mechs(s, f->mechanisms.data, f->mechanisms.len);
    if (s->tls_ready && s->params->auth_user && !(s->flags & XMPP_SERVER)) {
        auth_start(s);
        return;
    }
    if (s->tls_ready) {
        dialog_quit(s, ST_OK, "%s", "");
        return;
    }
    /* Not advertised may still work: the column says what was. */
    s->result->starttls = f->starttls ? TRI_YES : TRI_NO;
    static const char req[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    dialog_send(s, XMPP_PROCEED, req, sizeof req - 1, req, "STARTTLS reply");
}

static void on_proceed(struct dialog_session *s, const struct xmpp_facts *f)
{
    if (f->unit == XU_PROCEED)
        dialog_start_tls(s);
    else if (f->unit != XU_FAILURE)
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected <%s> in answer to <starttls/>", f->other);
    else if (s->result->starttls == TRI_NO)
        dialog_quit(s, ST_NO_STARTTLS, "STARTTLS not in the stream features; tried anyway: <failure/>");
    else
        dialog_quit(s, ST_STARTTLS_REFUSED, "STARTTLS: <failure/>");
}

/* What the unit was expected to be in each state. */
static bool expected(int state, enum xmpp_unit unit)
{
    switch ((enum xmpp_state)state) {
    case XMPP_STREAM:
    case XMPP_STREAM_TLS: return unit == XU_STREAM_OPEN;
    case XMPP_FEATURES:
    case XMPP_FEATURES_TLS: return unit == XU_FEATURES;
    case XMPP_PROCEED: return unit == XU_PROCEED || unit == XU_FAILURE || unit == XU_OTHER;
    case XMPP_AUTH: return unit == XU_SASL_CHALLENGE || unit == XU_SASL_SUCCESS || unit == XU_SASL_FAILURE;
    }
    return false;
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    const struct xmpp_facts *f = xmpp_xml_facts(s->data);
    /* Inside TLS the verdict is in: what goes wrong then is no failure. */
    enum scan_status failed = s->tls_ready ? ST_OK : ST_PROTOCOL_ERROR;
    if (f->unit == XU_STREAM_ERROR) {
        dialog_quit(s, s->tls_ready ? ST_OK : ST_SERVER_REFUSED, "stream error: %s",
                    f->condition[0] ? f->condition : "(no condition)");
    } else if (f->unit == XU_STREAM_CLOSE) {
        dialog_quit(s, failed, "the server closed the stream");
    } else if (!expected(s->state, f->unit)) {
        dialog_quit(s, failed, "unexpected <%s> in the stream",
                    f->unit == XU_STREAM_OPEN ? "stream:stream" : f->other);
    } else if (f->unit == XU_STREAM_OPEN) {
        on_stream(s, f);
    } else if (f->unit == XU_FEATURES) {
        dialog_keep_raw(s, RAW_CAPABILITIES, r); /* the stream features, as sent */
        on_features(s, f);
    } else if (s->state == XMPP_AUTH) {
        on_auth(s, f, r);
    } else {
        dialog_keep_raw(s, RAW_STARTTLS, r);
        on_proceed(s, f);
    }
}

static void free_data(struct dialog_session *s)
{
    xmpp_xml_free(s->data);
    s->data = NULL;
}

const struct dialog xmpp_dialog = {
    .frame = frame,
    .on_start = start_client,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = close_stream,
    .quit_len = sizeof close_stream - 1,
    .quit_shown = close_stream,
    .free_data = free_data,
    .authenticates = true,
};

const struct dialog xmpp_server_dialog = {
    .frame = frame,
    .on_start = start_server,
    .on_reply = on_reply,
    .on_tls_ready = on_tls_ready,
    .quit_command = close_stream,
    .quit_len = sizeof close_stream - 1,
    .quit_shown = close_stream,
    .free_data = free_data,
};
