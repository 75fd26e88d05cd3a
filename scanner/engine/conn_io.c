/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A connection's writes and its silence timer: the bottom of the
 * connection's files (conn_internal.h). A failure goes up through c->ends. */
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
    if (status >= 0 || c->finished) return;
    char why[300];
    snprintf(why, sizeof why, "sending to the server failed during %s: %s", c->phase, uv_strerror(status));
    c->ends->fail(c, c->tls_started ? ST_TLS_FAILED : ST_PROTOCOL_ERROR, why);
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

void conn_send_bytes(struct conn *c, const char *data, size_t len, const char *shown)
{
    CONN_TELL(c, sent, shown);
    if (c->finished) return;
    int rc = c->sess.tls_ready ? tls_link_write(&c->tls, data, len) : conn_write_raw(c, data, len);
    if (rc == 0) return;
    char why[300];
    snprintf(why, sizeof why, "cannot send to the server during %s", c->phase);
    c->ends->fail(c, ST_PROTOCOL_ERROR, why);
}

void conn_send_line(struct conn *c, const char *line, const char *shown)
{
    char out[1100];
    int n = snprintf(out, sizeof out, "%s\r\n", line);
    if (n < 0 || (size_t)n >= sizeof out) {
        CONN_TELL(c, sent, shown);
        return;
    }
    conn_send_bytes(c, out, (size_t)n, shown);
}

static void on_timer(uv_timer_t *t)
{
    struct conn *c = t->data;
    if (c->finished) return;
    uint64_t now = uv_now(c->params->loop);
    if (now < c->due) { /* bytes came since it was armed: silence ends later */
        uv_timer_start(&c->timer, on_timer, c->due - now, 0);
        return;
    }
    c->ends->silence(c);
}

/* The timer is re-armed only when the new end of silence comes sooner than
 * the armed one; otherwise it fires early, sees c->due and waits again.
 * Each byte received moves c->due: with 10,000 connections, a timer-heap
 * update per read was a measurable part of a host (bench/README.md). */
void conn_expect(struct conn *c, const char *phase, uint64_t timeout_ms)
{
    if (c->finished) return;
    c->phase = phase;
    c->phase_ms = timeout_ms;
    uint64_t now = uv_now(c->params->loop);
    uint64_t due = now + timeout_ms;
    if (due > c->deadline) due = c->deadline;
    c->due = due;
    if (!uv_is_active((uv_handle_t *)&c->timer) || now + uv_timer_get_due_in(&c->timer) > due)
        uv_timer_start(&c->timer, on_timer, due > now ? due - now : 0, 0);
}
