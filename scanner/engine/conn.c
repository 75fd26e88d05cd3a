/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A connection's life, the top of its files (conn_internal.h): connect,
 * reads, the dialog's actions and the replies it hears, and the end. */
#include "scanner/engine/conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/dialog/saslflow.h"
#include "scanner/engine/conn_internal.h"
#include "scanner/engine/sources.h"

static const struct conn_ends ends;
static const struct dialog_ops dialog_ops;

struct conn *conn_new(const struct conn_params *params, const struct conn_owner *owner,
                      void *owner_arg, const struct sockaddr *addr, int port, const char *sni)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->params = params;
    c->owner = owner;
    c->owner_arg = owner_arg;
    c->port = port;
    snprintf(c->sni, sizeof c->sni, "%s", sni ? sni : "");
    if (addr->sa_family == AF_INET) {
        memcpy(&c->addr, addr, sizeof(struct sockaddr_in));
        ((struct sockaddr_in *)&c->addr)->sin_port = htons((uint16_t)port);
        uv_ip4_name((const struct sockaddr_in *)addr, c->ip, sizeof c->ip);
    } else {
        memcpy(&c->addr, addr, sizeof(struct sockaddr_in6));
        ((struct sockaddr_in6 *)&c->addr)->sin6_port = htons((uint16_t)port);
        uv_ip6_name((const struct sockaddr_in6 *)addr, c->ip, sizeof c->ip);
    }
    probe_result_init(&c->result);
    c->sess.result = &c->result;
    c->sess.params = params->dialog;
    c->sess.server_name = c->sni;
    c->sess.ops = &dialog_ops;
    c->ends = &ends;
    const struct dialog *d = params->service->dialog;
    if (d->frame)
        reply_reader_init_framed(&c->rr, d->frame, &c->sess);
    else
        reply_reader_init(&c->rr, d->classify, &c->sess);
    return c;
}

void conn_discard(struct conn *c)
{
    if (c->hello) {
        hello_reader_free(c->hello);
        free(c->hello);
    }
    const struct dialog *d = c->params->service->dialog;
    if (d->free_data && c->sess.data) d->free_data(&c->sess);
    saslflow_free(&c->sess);
    reply_reader_free(&c->rr);
    buf_free(&c->out);
    tls_link_free(&c->tls);
    probe_result_free(&c->result);
    free(c);
}

static void on_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->open_handles > 0) return;
    c->owner->closed(c->owner_arg, c);
    conn_discard(c);
}

static void finish_now(struct conn *c)
{
    CONN_TELL0(c, finished);
    /* Say goodbye inside TLS too: close_notify, written before we stop. */
    if (c->sess.tls_ready && c->tls.ssl) wolfSSL_shutdown(c->tls.ssl);
    conn_uncork(c);
    c->finished = true;
    uv_timer_stop(&c->timer);
    uv_read_stop((uv_stream_t *)&c->tcp);
    /* The WOLFSSL object is the largest part of a probe: free it first. */
    tls_link_free(&c->tls);
    conn_tls_release(c);
    c->owner->finished(c->owner_arg, c);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    uv_close((uv_handle_t *)&c->timer, on_closed);
}

static void set_error(struct conn *c, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void set_error(struct conn *c, const char *fmt, va_list ap)
{
    struct buf b = {0};
    if (buf_vprintf(&b, fmt, ap) == 0) text_set(&c->result.error, b.data, b.len);
    buf_free(&b);
}

static void finish_with(struct conn *c, enum scan_status st, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void finish_with(struct conn *c, enum scan_status st, const char *fmt, va_list ap)
{
    c->result.status = st;
    set_error(c, fmt, ap);
    finish_now(c);
}

/* Finishes once: the result's status and error, then close. */
static void conn_finish(struct conn *c, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void conn_finish(struct conn *c, enum scan_status st, const char *fmt, ...)
{
    if (c->finished) return;
    va_list ap;
    va_start(ap, fmt);
    finish_with(c, st, fmt, ap);
    va_end(ap);
}

/* Once the verdict is known, whatever happens next finishes with it. */
static void conn_finish_with_verdict(struct conn *c)
{
    if (c->finished) return;
    c->result.status = c->verdict;
    finish_now(c);
}

/* The server closed (or sent close_notify) after the verdict: a dialog with
 * on_close hears it first (an HTTP body delimited by the close). */
static void conn_closed_by_peer(struct conn *c)
{
    const struct dialog *d = c->params->service->dialog;
    if (d->on_close && c->sess.tls_ready && !c->sess.quitting && !c->finished)
        d->on_close(&c->sess);
    conn_finish_with_verdict(c);
}

/* Is the verdict already known? */
static bool conn_decided(const struct conn *c)
{
    return c->sess.quitting || c->sess.tls_ready;
}

/* Something failed: after the verdict (goodbye sent, or the handshake
 * done) that changes nothing; before it, it is the outcome. */
static void conn_fail(struct conn *c, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void conn_fail(struct conn *c, enum scan_status st, const char *fmt, ...)
{
    if (c->finished) return;
    if (conn_decided(c)) {
        conn_finish_with_verdict(c);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    finish_with(c, st, fmt, ap);
    va_end(ap);
}

/* The phase's silence ran out (conn_io.c's timer). */
static void on_silence(struct conn *c)
{
    /* No greeting in time: a tarpit or postscreen's greet pause, maybe. */
    if (!conn_decided(c) && strcmp(c->phase, "greeting") == 0) c->result.transient = true;
    if (uv_now(c->params->loop) >= c->deadline)
        conn_fail(c, ST_TIMEOUT, "overall deadline of %.3gs reached during %s",
                  (double)c->params->timeout_ms / 1000.0, c->phase);
    else
        conn_fail(c, ST_TIMEOUT, "%s: nothing for %.3gs", c->phase, (double)c->phase_ms / 1000.0);
}

/* Feeds decrypted or plaintext bytes to the reply reader and the dialog.
 * In plaintext it stops once the dialog switches to TLS; *used says how far. */
static void feed_replies(struct conn *c, const char *data, size_t len, size_t *used)
{
    size_t pos = 0;
    bool plaintext = !c->tls_started;
    while (pos < len && !c->finished && !(plaintext && c->tls_started)) {
        size_t n = 0;
        enum reply_status st = reply_feed(&c->rr, data + pos, len - pos, &n);
        pos += n;
        if (st == REPLY_ERROR) {
            conn_fail(c, ST_PROTOCOL_ERROR, "%s during %s", c->rr.error, c->phase);
        } else if (st == REPLY_DONE) {
            CONN_TELL(c, received, &c->rr.reply);
            if (c->sess.quitting)
                conn_finish_with_verdict(c);
            else
                c->params->service->dialog->on_reply(&c->sess, &c->rr.reply);
        }
    }
    *used = pos;
}

/* CVE-2011-0411 class: bytes after the 220 to STARTTLS were sent before
 * our ClientHello, so they are not TLS. Never feed them on. */
static void finish_injected(struct conn *c, size_t n)
{
    conn_finish(c, ST_PROTOCOL_ERROR,
                "%zu bytes of plaintext came after the server's reply to STARTTLS "
                "(response injection); not fed to TLS",
                n);
}

static void plain_input(struct conn *c, const char *data, size_t len)
{
    size_t used = 0;
    feed_replies(c, data, len, &used);
    if (!c->finished && c->tls_started && used < len) finish_injected(c, len - used);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct conn *c = h->data;
    (void)suggested;
    *b = uv_buf_init(c->params->readbuf, (unsigned int)c->params->readbuf_len);
}

/* Why the server's close or reset ends the connection, by phase. */
static void on_eof_or_error(struct conn *c, ssize_t nread)
{
    const char *what = nread == UV_EOF ? "closed" : "reset";
    char why[300];
    if (conn_decided(c)) {
        conn_closed_by_peer(c);
    } else if (c->tls_waiting) {
        conn_finish(c, ST_PROTOCOL_ERROR, "connection %s by the server after its reply to STARTTLS",
                    what);
    } else if (c->tls_started) {
        conn_tls_ended_by_peer(c, nread == UV_EOF, why, sizeof why);
        conn_finish(c, ST_TLS_FAILED, "%s", why);
    } else if (nread == UV_EOF) {
        conn_finish(c, ST_PROTOCOL_ERROR, "connection closed by the server during %s", c->phase);
    } else {
        conn_finish(c, ST_PROTOCOL_ERROR, "connection error during %s: %s", c->phase,
                    uv_strerror((int)nread));
    }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    struct conn *c = s->data;
    if (c->finished || nread == 0) return;
    if (nread < 0) {
        on_eof_or_error(c, nread);
        return;
    }
    if (c->tls_waiting) { /* nothing may come before our ClientHello */
        finish_injected(c, (size_t)nread);
        return;
    }
    /* Timeouts measure silence: any byte re-arms the phase's timer. */
    conn_expect(c, c->phase, c->phase_ms);
    c->corked = true;
    if (c->tls_started)
        conn_tls_input(c, b->base, (size_t)nread);
    else
        plain_input(c, b->base, (size_t)nread);
    if (!c->finished) conn_uncork(c);
}

static void on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    if (c->finished) return;
    if (status < 0) {
        conn_finish(c, ST_CONNECT_FAILED, "%s", uv_strerror(status));
        return;
    }
    c->result.connect_ms = (int64_t)((uv_hrtime() - c->connect_ns) / 1000000);
    if (c->params->sources) sources_note(c->params->sources, &c->tcp);
    uv_tcp_nodelay(&c->tcp, 1);
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc != 0) {
        conn_finish(c, ST_CONNECT_FAILED, "%s", uv_strerror(rc));
        return;
    }
    /* Where the dialog starts: now, or inside TLS (implicit TLS). */
    if (c->params->service->implicit_tls)
        conn_start_tls(c);
    else
        c->params->service->dialog->on_start(&c->sess);
}

void conn_start(struct conn *c)
{
    uv_loop_t *loop = c->params->loop;
    c->result.scanned_at = (int64_t)time(NULL);
    c->started = uv_now(loop);
    c->deadline = c->started + c->params->timeout_ms;
    c->phase = "connect";
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->timer);
    c->tcp.data = c->timer.data = c->connect_req.data = c;
    c->open_handles = 2;
    c->connect_ns = uv_hrtime();
    CONN_TELL0(c, connecting);
    conn_expect(c, "connect", c->params->connect_ms);
    int rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&c->addr, on_connect);
    if (rc != 0) conn_finish(c, ST_CONNECT_FAILED, "%s", uv_strerror(rc));
}

/* The dialog's actions. sess is the first member of struct conn. */
static struct conn *of(struct dialog_session *s)
{
    return (struct conn *)s;
}

static void op_command(struct dialog_session *s, int next_state, const char *line, const char *shown,
                       const char *phase)
{
    struct conn *c = of(s);
    conn_send_line(c, line, shown);
    s->state = next_state;
    conn_expect(c, phase, s->params->reply_ms);
}

static void op_send(struct dialog_session *s, int next_state, const char *data, size_t len,
                    const char *shown, const char *phase)
{
    struct conn *c = of(s);
    conn_send_bytes(c, data, len, shown);
    s->state = next_state;
    conn_expect(c, phase, s->params->reply_ms);
}

static void op_expect(struct dialog_session *s, const char *phase, uint64_t timeout_ms)
{
    conn_expect(of(s), phase, timeout_ms);
}

static void op_start_tls(struct dialog_session *s)
{
    conn_start_tls(of(s));
}

/* Records the verdict, says goodbye, and finishes when the server answers
 * (or closes, or the reply times out). */
static void op_quit(struct dialog_session *s, enum scan_status st, const char *error)
{
    struct conn *c = of(s);
    if (c->finished) return;
    c->verdict = st;
    text_set_str(&c->result.error, error);
    s->quitting = true;
    const struct dialog *d = c->params->service->dialog;
    if (!d->quit_command) {
        conn_finish_with_verdict(c);
        return;
    }
    if (d->quit_len)
        conn_send_bytes(c, d->quit_command, d->quit_len, d->quit_shown);
    else
        conn_send_line(c, d->quit_command, d->quit_command);
    conn_expect(c, "goodbye", s->params->reply_ms);
}

static void op_done(struct dialog_session *s)
{
    conn_finish_with_verdict(of(s));
}

static void op_auth_result(struct dialog_session *s, bool ok, const struct reply *r)
{
    CONN_TELL(of(s), auth_result, ok, r);
}

static void op_auth_skipped(struct dialog_session *s, const char *why)
{
    CONN_TELL(of(s), auth_skipped, why);
}

static void op_auth_failed(struct dialog_session *s, const char *why)
{
    CONN_TELL(of(s), auth_failed, why);
}

static const struct dialog_ops dialog_ops = {
    .command = op_command,
    .send = op_send,
    .expect = op_expect,
    .start_tls = op_start_tls,
    .quit = op_quit,
    .done = op_done,
    .auth_result = op_auth_result,
    .auth_skipped = op_auth_skipped,
    .auth_failed = op_auth_failed,
};

/* What the files below hand up. */
static void end_finish(struct conn *c, enum scan_status st, const char *error)
{
    conn_finish(c, st, "%s", error);
}

static void end_fail(struct conn *c, enum scan_status st, const char *error)
{
    conn_fail(c, st, "%s", error);
}

static void end_plaintext(struct conn *c, const char *data, size_t len)
{
    const struct dialog *d = c->params->service->dialog;
    size_t used;
    if (d->on_data) {
        conn_expect(c, c->phase, c->params->dialog->reply_ms); /* bytes came: silence starts again */
        d->on_data(&c->sess, data, len);
    } else {
        feed_replies(c, data, len, &used);
    }
}

static const struct conn_ends ends = {
    .finish = end_finish,
    .fail = end_fail,
    .silence = on_silence,
    .plaintext = end_plaintext,
    .peer_closed = conn_closed_by_peer,
};
