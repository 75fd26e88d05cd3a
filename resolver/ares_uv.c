/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resolver/ares_uv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct ares_poll {
    uv_poll_t poll;
    ares_socket_t fd;
    struct ares_uv *au;
    struct ares_poll *next;
};

/* c-ares checks its timeouts only when asked; ten times a second is finer
 * than any DNS timeout we use. */
#define ARES_TICK_MS 100

static void handle_closed(struct ares_uv *au)
{
    if (--au->open_handles == 0 && au->on_closed) au->on_closed(au);
}

static void poll_closed(uv_handle_t *h)
{
    struct ares_poll *p = h->data;
    struct ares_uv *au = p->au;
    free(p);
    handle_closed(au);
}

static void timer_closed(uv_handle_t *h)
{
    handle_closed(h->data);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct ares_poll *p = h->data;
    ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
    if (status < 0) {
        rfd = wfd = p->fd; /* let c-ares see the error on its socket */
    } else {
        if (events & UV_READABLE) rfd = p->fd;
        if (events & UV_WRITABLE) wfd = p->fd;
    }
    ares_process_fd(p->au->channel, rfd, wfd);
}

static void on_tick(uv_timer_t *t)
{
    struct ares_uv *au = t->data;
    ares_process_fd(au->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct ares_uv *au = data;
    struct ares_poll **pp = &au->polls, *p;
    while ((p = *pp) != NULL && p->fd != fd) pp = &p->next;
    if (!readable && !writable) {
        if (p) {
            *pp = p->next;
            uv_close((uv_handle_t *)&p->poll, poll_closed);
        }
        return;
    }
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p) return; /* the query then times out */
        if (uv_poll_init_socket(au->loop, &p->poll, fd) != 0) {
            free(p);
            return;
        }
        p->fd = fd;
        p->au = au;
        p->poll.data = p;
        p->next = au->polls;
        au->polls = p;
        au->open_handles++;
    }
    uv_poll_start(&p->poll, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0), on_poll);
}

struct ares_uv_query {
    struct ares_uv *au;
    ares_callback cb;
    void *arg;
    int qtype;
    bool ad; /* ask for the AD bit (RFC 6840 5.7) */
    struct ares_uv_query *next;
    char name[];
};

static void on_query_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen);

/* A query with the AD bit set: c-ares 1.18's ares_query cannot set it, so
 * the message is made here and sent as it is. */
static void send_ad(struct ares_uv *au, struct ares_uv_query *q)
{
    unsigned char *buf = NULL;
    int len = 0;
    int rc = ares_create_query(q->name, 1 /* C_IN */, q->qtype, 0, 1 /* RD */, &buf, &len, 0);
    if (rc != ARES_SUCCESS || len < 12) {
        if (buf) ares_free_string(buf);
        on_query_answer(q, rc != ARES_SUCCESS ? rc : ARES_EBADQUERY, 0, NULL, 0);
        return;
    }
    buf[3] |= 0x20; /* AD */
    ares_send(au->channel, buf, len, on_query_answer, q);
    ares_free_string(buf);
}

/* An answer takes at most 2 KiB of receive buffer here (c-ares 1.18 sends
 * no EDNS: UDP answers stay within 512 bytes; the rest is the kernel's
 * per-datagram overhead), so the buffer's size bounds the queries on the
 * wire. Until the first socket exists, a cautious 64. */
#define ANSWER_BUDGET 2048
#define RCVBUF_WANTED (8 << 20)

static int sock_config(ares_socket_t fd, int type, void *data)
{
    struct ares_uv *au = data;
    if (type != SOCK_DGRAM) return 0;
    int want = RCVBUF_WANTED, got = 0;
    socklen_t len = sizeof got;
    /* Past net.core.rmem_max when we may (root); else as much as allowed. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got > 0) {
        int cap = got / ANSWER_BUDGET;
        au->max_inflight = cap < 16 ? 16 : cap > 4096 ? 4096 : cap;
    }
    return 0;
}

static void drain(struct ares_uv *au);

/* ares_send hands over any answer as a success; ares_query reads its rcode
 * and answer count first. An AD query's answer is read the same way. */
static int rcode_status(const unsigned char *abuf, int alen)
{
    if (!abuf || alen < 12) return ARES_EBADRESP;
    switch (abuf[3] & 0x0f) {
    case 0: return (abuf[6] | abuf[7]) ? ARES_SUCCESS : ARES_ENODATA;
    case 1: return ARES_EFORMERR;
    case 2: return ARES_ESERVFAIL;
    case 3: return ARES_ENOTFOUND;
    case 4: return ARES_ENOTIMP;
    case 5: return ARES_EREFUSED;
    default: return ARES_EBADRESP;
    }
}

static void on_query_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct ares_uv_query *q = arg;
    struct ares_uv *au = q->au;
    au->inflight--;
    if (q->ad && status == ARES_SUCCESS) status = rcode_status(abuf, alen);
    q->cb(q->arg, status, timeouts, abuf, alen);
    free(q);
    drain(au);
}

static void drain(struct ares_uv *au)
{
    if (au->draining) return; /* an outer call is sending them */
    au->draining = true;
    while (au->channel && au->queue_head && au->inflight < au->max_inflight) {
        struct ares_uv_query *q = au->queue_head;
        au->queue_head = q->next;
        if (!au->queue_head) au->queue_tail = NULL;
        au->inflight++;
        if (au->sent) atomic_fetch_add(au->sent, 1);
        if (q->ad) send_ad(au, q);
        else ares_query(au->channel, q->name, 1 /* C_IN */, q->qtype, on_query_answer, q);
    }
    au->draining = false;
}

void ares_uv_query(struct ares_uv *au, const char *name, int qtype, ares_callback cb, void *arg)
{
    ares_uv_query_ad(au, name, qtype, false, cb, arg);
}

void ares_uv_query_ad(struct ares_uv *au, const char *name, int qtype, bool ad, ares_callback cb,
                      void *arg)
{
    size_t n = strlen(name) + 1;
    struct ares_uv_query *q = malloc(sizeof *q + n);
    if (!q) {
        cb(arg, ARES_ENOMEM, 0, NULL, 0);
        return;
    }
    q->au = au;
    q->cb = cb;
    q->arg = arg;
    q->qtype = qtype;
    q->ad = ad;
    q->next = NULL;
    memcpy(q->name, name, n);
    if (au->queue_tail) au->queue_tail->next = q;
    else au->queue_head = q;
    au->queue_tail = q;
    drain(au);
}

int ares_uv_init(struct ares_uv *au, uv_loop_t *loop, const struct ares_uv_options *opt,
                 char *err, size_t errlen)
{
    memset(au, 0, sizeof *au);
    au->sent = opt->sent;
    au->loop = loop;
    struct ares_options o;
    memset(&o, 0, sizeof o);
    o.sock_state_cb = sock_state;
    o.sock_state_cb_data = au;
    /* NOCHECKRESP: a SERVFAIL, REFUSED or NOTIMP answer is handed to us as
     * such (c-ares 1.18 would try the next server and then report every one
     * of them as ARES_ECONNREFUSED, like an unreachable server). Timeouts and
     * unreachable servers still move on to the next --resolver. */
    o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_NOCHECKRESP;
    o.lookups = (char *)"b"; /* DNS only, never /etc/hosts */
    o.timeout = opt->timeout_ms;
    o.tries = opt->tries;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS | ARES_OPT_LOOKUPS | ARES_OPT_TIMEOUTMS |
               ARES_OPT_TRIES;
    int rc = ares_init_options(&au->channel, &o, mask);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "cannot start the DNS resolver: %s", ares_strerror(rc));
        return rc;
    }
    if (opt->nservers > 0) {
        char csv[1024] = "";
        size_t used = 0;
        for (int i = 0; i < opt->nservers; i++)
            used += (size_t)snprintf(csv + used, sizeof csv - used, "%s%s", i ? "," : "",
                                     opt->servers[i]);
        rc = used < sizeof csv ? ares_set_servers_ports_csv(au->channel, csv) : ARES_EBADSTR;
        if (rc != ARES_SUCCESS) {
            snprintf(err, errlen, "--resolver: '%s' is not IP[:PORT] or [IPv6]:PORT (%s)", csv,
                     ares_strerror(rc));
            ares_destroy(au->channel);
            return rc;
        }
    }
    au->max_inflight = 64;
    ares_set_socket_configure_callback(au->channel, sock_config, au);
    uv_timer_init(loop, &au->timer);
    au->timer.data = au;
    au->open_handles = 1;
    uv_timer_start(&au->timer, on_tick, ARES_TICK_MS, ARES_TICK_MS);
    return ARES_SUCCESS;
}

void ares_uv_close(struct ares_uv *au, void (*on_closed)(struct ares_uv *))
{
    au->on_closed = on_closed;
    ares_channel channel = au->channel;
    au->channel = NULL; /* what the answers' callbacks queue now is never sent */
    ares_destroy(channel); /* closes its sockets through sock_state */
    while (au->queue_head) { /* never sent: they fail as the sent ones did */
        struct ares_uv_query *q = au->queue_head;
        au->queue_head = q->next;
        q->cb(q->arg, ARES_EDESTRUCTION, 0, NULL, 0);
        free(q);
    }
    au->queue_tail = NULL;
    uv_timer_stop(&au->timer);
    uv_close((uv_handle_t *)&au->timer, timer_closed);
}
