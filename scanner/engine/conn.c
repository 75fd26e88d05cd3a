#include "scanner/engine/conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/cli/check.h"
#include "scanner/cli/config.h"
#include "scanner/engine/conn_internal.h"
#include "scanner/engine/probe.h"
#include "scanner/engine/scan.h"
#include "scanner/engine/worker.h"

struct write_req {
    uv_write_t req;
    struct conn *c;
    char data[];
};

const struct config *conn_config(const struct conn *c)
{
    return c->w->scan->cfg;
}

struct conn *conn_new(struct worker *w, const char *key, const struct sockaddr *addr, int port,
                      const char *sni)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c || !(c->key = strdup(key))) {
        free(c);
        return NULL;
    }
    c->w = w;
    c->dialog = w->scan->dialog;
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
    reply_reader_init(&c->rr, c->dialog->classify, c);
    return c;
}

static void conn_free(struct conn *c)
{
    if (c->hello) {
        hello_reader_free(c->hello);
        free(c->hello);
    }
    if (c->successor) conn_free(c->successor); /* never started */
    reply_reader_free(&c->rr);
    buf_free(&c->out);
    tls_link_free(&c->tls);
    probe_result_free(&c->result);
    free(c->key);
    free(c);
}

void conn_discard(struct conn *c)
{
    conn_free(c);
}

static void on_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->open_handles > 0) return;
    struct worker *w = c->w;
    struct conn *next = c->successor;
    struct conn *heir = c->host_slot ? hostlimit_release(&w->scan->hosts, c->ip) : NULL;
    c->successor = NULL;
    conn_free(c);
    if (heir) worker_adopt(heir); /* the address's slot passes to a waiting probe */
    if (next) worker_enqueue(w, next); /* starts when this slot is counted free */
    worker_conn_closed(w);
}

static void uncork(struct conn *c);

static void finish_now(struct conn *c)
{
    check_finished(c);
    /* Say goodbye inside TLS too: close_notify, written before we stop. */
    if (c->tls_ready && c->tls.ssl) wolfSSL_shutdown(c->tls.ssl);
    uncork(c);
    c->finished = true;
    uv_timer_stop(&c->timer);
    uv_read_stop((uv_stream_t *)&c->tcp);
    /* The WOLFSSL object is the largest part of a probe: free it first. */
    tls_link_free(&c->tls);
    conn_tls_release(c);
    probe_conn_finished(c);
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

void conn_finish(struct conn *c, enum scan_status st, const char *fmt, ...)
{
    if (c->finished) return;
    c->result.status = st;
    va_list ap;
    va_start(ap, fmt);
    set_error(c, fmt, ap);
    va_end(ap);
    finish_now(c);
}

/* Once the verdict is known, whatever happens next finishes with it. */
void conn_finish_with_verdict(struct conn *c)
{
    if (c->finished) return;
    c->result.status = c->verdict;
    finish_now(c);
}

void conn_done(struct conn *c)
{
    conn_finish_with_verdict(c);
}

void conn_add_auth_mechs(struct conn *c, const char *list, size_t len)
{
    struct text *t = c->tls_ready ? &c->result.auth_mechs : &c->result.auth_mechs_plain;
    struct buf b = {0};
    if (t->p) buf_append(&b, t->p, t->len);
    size_t i = 0;
    while (i < len) {
        while (i < len && (list[i] == ' ' || list[i] == '\t' || list[i] == '=')) i++;
        size_t start = i;
        while (i < len && list[i] != ' ' && list[i] != '\t') i++;
        size_t n = i - start;
        if (n == 0 || n > 40) continue;
        char mech[41];
        for (size_t k = 0; k < n; k++) {
            char ch = list[start + k];
            mech[k] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
        }
        mech[n] = '\0';
        /* Each mechanism once, in the order first offered. */
        int dup = 0;
        for (const char *p = b.data; p && !dup && (p = strstr(p, mech)) != NULL; p += n)
            dup = (p == b.data || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0');
        if (dup) continue;
        if (b.len) buf_append(&b, " ", 1);
        buf_append(&b, mech, n);
    }
    text_set(t, b.data ? b.data : "", b.len);
    buf_free(&b);
}

bool conn_decided(const struct conn *c)
{
    return c->quitting || c->tls_ready;
}

void conn_reply_text(const struct reply *r, struct text *out)
{
    reply_join(r, out);
}

static void on_write(uv_write_t *req, int status)
{
    struct write_req *wr = (struct write_req *)req;
    struct conn *c = wr->c;
    free(wr);
    if (status < 0 && !c->finished) {
        if (conn_decided(c))
            conn_finish_with_verdict(c);
        else
            conn_finish(c, c->tls_started ? ST_TLS_FAILED : ST_PROTOCOL_ERROR,
                        "sending to the server failed during %s: %s", c->phase, uv_strerror(status));
    }
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
static void uncork(struct conn *c)
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

void conn_send_shown(struct conn *c, const char *line, const char *shown)
{
    check_sent(c, shown);
    char out[1100];
    int n = snprintf(out, sizeof out, "%s\r\n", line);
    if (c->finished || n < 0 || (size_t)n >= sizeof out) return;
    int rc = c->tls_ready ? tls_link_write(&c->tls, out, (size_t)n) : conn_write_raw(c, out, (size_t)n);
    if (rc != 0 && !c->finished) {
        if (conn_decided(c))
            conn_finish_with_verdict(c);
        else
            conn_finish(c, ST_PROTOCOL_ERROR, "cannot send to the server during %s", c->phase);
    }
}

void conn_send(struct conn *c, const char *line)
{
    conn_send_shown(c, line, line);
}

void conn_command_shown(struct conn *c, int next_state, const char *line, const char *shown,
                        const char *phase)
{
    conn_send_shown(c, line, shown);
    c->state = next_state;
    conn_expect(c, phase, conn_config(c)->reply_ms);
}

void conn_command(struct conn *c, int next_state, const char *line, const char *phase)
{
    conn_command_shown(c, next_state, line, line, phase);
}


static void on_timer(uv_timer_t *t)
{
    struct conn *c = t->data;
    if (c->finished) return;
    uint64_t now = uv_now(c->w->loop);
    if (now < c->due) { /* bytes came since it was armed: silence ends later */
        uv_timer_start(&c->timer, on_timer, c->due - now, 0);
        return;
    }
    if (conn_decided(c)) {
        conn_finish_with_verdict(c);
        return;
    }
    const struct config *cfg = conn_config(c);
    /* No greeting in time: a tarpit or postscreen's greet pause, maybe. */
    if (strcmp(c->phase, "greeting") == 0) c->result.transient = true;
    if (uv_now(c->w->loop) >= c->deadline)
        conn_finish(c, ST_TIMEOUT, "overall deadline of %.3gs reached during %s",
                    (double)cfg->timeout_ms / 1000.0, c->phase);
    else
        conn_finish(c, ST_TIMEOUT, "%s: nothing for %.3gs", c->phase, (double)c->phase_ms / 1000.0);
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
    uint64_t now = uv_now(c->w->loop);
    uint64_t due = now + timeout_ms;
    if (due > c->deadline) due = c->deadline;
    c->due = due;
    if (!uv_is_active((uv_handle_t *)&c->timer) || now + uv_timer_get_due_in(&c->timer) > due)
        uv_timer_start(&c->timer, on_timer, due > now ? due - now : 0, 0);
}

void conn_quit(struct conn *c, enum scan_status st, const char *fmt, ...)
{
    if (c->finished) return;
    c->verdict = st;
    va_list ap;
    va_start(ap, fmt);
    set_error(c, fmt, ap);
    va_end(ap);
    c->quitting = true;
    if (!c->dialog->quit_command) {
        conn_finish_with_verdict(c);
        return;
    }
    conn_send(c, c->dialog->quit_command);
    conn_expect(c, "goodbye", conn_config(c)->reply_ms);
}

/* Feeds bytes to the reply reader and the dialog. In plaintext, stops as
 * soon as the dialog switches to TLS; *used says how far it got. */
void conn_feed_replies(struct conn *c, const char *data, size_t len, size_t *used)
{
    size_t pos = 0;
    bool plaintext = !c->tls_started;
    while (pos < len && !c->finished && !(plaintext && c->tls_started)) {
        size_t n = 0;
        enum reply_status st = reply_feed(&c->rr, data + pos, len - pos, &n);
        pos += n;
        if (st == REPLY_ERROR) {
            if (conn_decided(c))
                conn_finish_with_verdict(c);
            else
                conn_finish(c, ST_PROTOCOL_ERROR, "%s during %s", c->rr.error, c->phase);
        } else if (st == REPLY_DONE) {
            check_received(c, &c->rr.reply);
            if (c->quitting)
                conn_finish_with_verdict(c);
            else
                c->dialog->on_reply(c, &c->rr.reply);
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
    conn_feed_replies(c, data, len, &used);
    if (!c->finished && c->tls_started && used < len) finish_injected(c, len - used);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct conn *c = h->data;
    (void)suggested;
    *b = uv_buf_init(c->w->readbuf, sizeof c->w->readbuf);
}

static void on_eof_or_error(struct conn *c, ssize_t nread)
{
    if (conn_decided(c)) {
        conn_finish_with_verdict(c);
        return;
    }
    const char *what = nread == UV_EOF ? "closed" : "reset";
    if (c->tls_waiting) {
        conn_finish(c, ST_PROTOCOL_ERROR, "connection %s by the server after its reply to STARTTLS",
                    what);
        return;
    }
    if (c->hello) {
        conn_finish(c, ST_TLS_FAILED, "connection %s by the server after a ClientHello up to %s",
                    what, tls_version_name(c->hello_version));
        return;
    }
    if (c->tls_started) {
        char err[256];
        c->tls.peer_closed = true;
        if (tls_link_handshake(&c->tls, true, err, sizeof err) == TLS_ERROR && nread == UV_EOF)
            conn_finish(c, ST_TLS_FAILED, "%s", err);
        else
            conn_finish(c, ST_TLS_FAILED, "connection %s by the server during the TLS handshake",
                        what);
        return;
    }
    if (nread == UV_EOF)
        conn_finish(c, ST_PROTOCOL_ERROR, "connection closed by the server during %s", c->phase);
    else
        conn_finish(c, ST_PROTOCOL_ERROR, "connection error during %s: %s", c->phase,
                    uv_strerror((int)nread));
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
    if (!c->finished) uncork(c);
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
    uv_tcp_nodelay(&c->tcp, 1);
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc != 0) {
        conn_finish(c, ST_CONNECT_FAILED, "%s", uv_strerror(rc));
        return;
    }
    if (c->dialog->implicit_tls)
        conn_start_tls(c);
    else
        c->dialog->on_connected(c);
}

void conn_start(struct conn *c)
{
    const struct config *cfg = conn_config(c);
    uv_loop_t *loop = c->w->loop;
    c->result.scanned_at = (int64_t)time(NULL);
    c->started = uv_now(loop);
    c->deadline = c->started + cfg->timeout_ms;
    c->phase = "connect";
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->timer);
    c->tcp.data = c->timer.data = c->connect_req.data = c;
    c->open_handles = 2;
    c->connect_ns = uv_hrtime();
    check_connecting(c);
    conn_expect(c, "connect", cfg->connect_ms);
    int rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&c->addr, on_connect);
    if (rc != 0) conn_finish(c, ST_CONNECT_FAILED, "%s", uv_strerror(rc));
}
