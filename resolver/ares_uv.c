#include "resolver/ares_uv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ares_uv_init(struct ares_uv *au, uv_loop_t *loop, const struct ares_uv_options *opt,
                 char *err, size_t errlen)
{
    memset(au, 0, sizeof *au);
    au->loop = loop;
    struct ares_options o;
    memset(&o, 0, sizeof o);
    o.sock_state_cb = sock_state;
    o.sock_state_cb_data = au;
    o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    o.lookups = (char *)"b"; /* DNS only, never /etc/hosts */
    o.timeout = opt->timeout_ms;
    o.tries = opt->tries;
    o.socket_receive_buffer_size = 1 << 20;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS | ARES_OPT_LOOKUPS | ARES_OPT_TIMEOUTMS |
               ARES_OPT_TRIES | ARES_OPT_SOCK_RCVBUF;
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
    uv_timer_init(loop, &au->timer);
    au->timer.data = au;
    au->open_handles = 1;
    uv_timer_start(&au->timer, on_tick, ARES_TICK_MS, ARES_TICK_MS);
    return ARES_SUCCESS;
}

void ares_uv_close(struct ares_uv *au, void (*on_closed)(struct ares_uv *))
{
    au->on_closed = on_closed;
    ares_destroy(au->channel); /* closes its sockets through sock_state */
    au->channel = NULL;
    uv_timer_stop(&au->timer);
    uv_close((uv_handle_t *)&au->timer, timer_closed);
}
