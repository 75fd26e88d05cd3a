/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A connection's writes, its reply feed, and the actions it offers its
 * dialog (struct dialog_ops). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/engine/conn_internal.h"

struct write_req {
    uv_write_t req;
    struct conn *c;
    char data[];
};

static void on_write(uv_write_t *req, int status)
{
    struct write_req *wr = (struct write_req *)req;
    struct conn *c = wr->c;
    free(wr);
    if (status < 0)
        conn_fail(c, c->tls_started ? ST_TLS_FAILED : ST_PROTOCOL_ERROR,
                  "sending to the server failed during %s: %s", c->phase, uv_strerror(status));
}

/* Straight into the socket when it takes it all (the usual case: a few
 * hundred bytes); what it does not take waits in a write request, and so
 * does everything after it, in order. A failure is reported by the request,
 * later, as before. */
static int send_now(struct conn *c, const char *data, size_t len)
{
    uv_buf_t direct = uv_buf_init((char *)data, (unsigned int)len);
    int sent = uv_try_write((uv_stream_t *)&c->tcp, &direct, 1);
    if (sent > 0) {
        data += sent;
        len -= (size_t)sent;
        if (len == 0) return 0;
    }
    struct write_req *wr = malloc(sizeof *wr + len);
    if (!wr) return -1;
    wr->c = c;
    memcpy(wr->data, data, len);
    uv_buf_t b = uv_buf_init(wr->data, (unsigned int)len);
    if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
        free(wr);
        return -1;
    }
    return 0;
}

/* What a read's answer wrote (a TLS Finished and the next command, say)
 * leaves in one send: fewer packets for both ends. */
void conn_uncork(struct conn *c)
{
    c->corked = false;
    if (c->out.len == 0) return;
    send_now(c, c->out.data, c->out.len);
    buf_reset(&c->out);
}

int conn_write_raw(void *owner, const char *data, size_t len)
{
    struct conn *c = owner;
    if (c->finished) return -1;
    if (c->corked) return buf_append(&c->out, data, len);
    return send_now(c, data, len);
}

/* A line with CRLF, in TLS when it is up; the transcript shows `shown`. */
static void send_line(struct conn *c, const char *line, const char *shown)
{
    CONN_TELL(c, sent, shown);
    char out[1100];
    int n = snprintf(out, sizeof out, "%s\r\n", line);
    if (c->finished || n < 0 || (size_t)n >= sizeof out) return;
    int rc = c->sess.tls_ready ? tls_link_write(&c->tls, out, (size_t)n)
                               : conn_write_raw(c, out, (size_t)n);
    if (rc != 0) conn_fail(c, ST_PROTOCOL_ERROR, "cannot send to the server during %s", c->phase);
}

void conn_feed_replies(struct conn *c, const char *data, size_t len, size_t *used)
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

/* Bytes after the 220 to STARTTLS were sent before our ClientHello, so
 * they are not TLS. Never feed them on. */
void conn_finish_injected(struct conn *c, size_t n)
{
    conn_finish(c, ST_PROTOCOL_ERROR,
                "%zu bytes of plaintext came after the server's reply to STARTTLS "
                "(response injection); not fed to TLS",
                n);
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
    send_line(c, line, shown);
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
    const char *quit = c->params->service->dialog->quit_command;
    if (!quit) {
        conn_finish_with_verdict(c);
        return;
    }
    send_line(c, quit, quit);
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

const struct dialog_ops conn_dialog_ops = {
    .command = op_command,
    .expect = op_expect,
    .start_tls = op_start_tls,
    .quit = op_quit,
    .done = op_done,
    .auth_result = op_auth_result,
    .auth_skipped = op_auth_skipped,
};
