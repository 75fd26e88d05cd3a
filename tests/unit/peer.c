/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A scripted peer on a loopback listener for the connection tests: the
 * real conn, reply reader and dialog code against a server that says what
 * the script says, split where the test asks. */
#include "tests/unit/peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scanner/dialog/services.h"
#include "scanner/tls/tlslink.h"

struct peer {
    int listen_fd;
    const struct step *steps;
    size_t split;
    int failed_step; /* -1: the client said what was expected */
};

static void peer_send(int fd, const char *text, size_t len, size_t split)
{
    size_t n = len ? len : strlen(text);
    /* MSG_NOSIGNAL: a client that closed in the middle is no SIGPIPE. */
    if (split > 0 && split < n) {
        if (send(fd, text, split, MSG_NOSIGNAL) < 0) return;
        usleep(3000); /* two reads on the client's side */
        text += split;
        n -= split;
    }
    while (n > 0) {
        ssize_t sent = send(fd, text, n, MSG_NOSIGNAL);
        if (sent <= 0) return;
        text += sent;
        n -= (size_t)sent;
    }
}

/* One line from the client, without CRLF; 0, or -1 at the end. */
static int peer_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    char ch;
    while (read(fd, &ch, 1) == 1) {
        if (ch == '\n') {
            if (n && line[n - 1] == '\r') n--;
            line[n] = '\0';
            return 0;
        }
        if (n + 1 < cap) line[n++] = ch;
    }
    return -1;
}

/* Are the client's next len bytes these? */
static bool peer_bytes(int fd, const char *want, size_t len)
{
    char got[256];
    size_t n = 0;
    while (n < len && n < sizeof got) {
        ssize_t r = read(fd, got + n, len - n);
        if (r <= 0) return false;
        n += (size_t)r;
    }
    return n == len && memcmp(got, want, len) == 0;
}

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    int fd = accept(p->listen_fd, NULL, NULL);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char line[512];
    for (int i = 0; fd >= 0 && p->steps[i].kind; i++) {
        const struct step *s = &p->steps[i];
        if (s->kind == 'S') peer_send(fd, s->text, s->len, p->split);
        if (s->kind == 'B' && !peer_bytes(fd, s->text, s->len)) {
            p->failed_step = i;
            break;
        }
        if (s->kind == 'C' && (peer_line(fd, line, sizeof line) != 0 ||
                               strncmp(line, s->text, strlen(s->text)) != 0)) {
            p->failed_step = i;
            break;
        }
        if (s->kind == 'X') break;
        if (s->kind == 'W') usleep(400 * 1000); /* silence */
    }
    if (fd >= 0) {
        usleep(20000);
        close(fd);
    }
    return NULL;
}

static void on_finished(void *arg, struct conn *c)
{
    struct outcome *o = arg;
    o->result = c->result;
    probe_result_init(&c->result);
    o->finished = true;
}

static void on_closed(void *arg, struct conn *c)
{
    (void)c;
    ((struct outcome *)arg)->closed = true;
}

static bool admit(void *arg, struct conn *c)
{
    (void)arg;
    (void)c;
    return true;
}

static void done(void *arg, struct conn *c)
{
    (void)arg;
    (void)c;
}

static const struct conn_owner owner = {on_finished, on_closed};

/* Runs one connection of service against the script; the result in *o. */
void run(const char *service, const struct step *steps, size_t split, struct outcome *o)
{
    static char readbuf[65536];
    char err[256], ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", STS_TEST_DATA);
    WOLFSSL_CTX *tls = tls_client_ctx_new(ca, err, sizeof err);
    if (!tls) FAIL_AT("%s", err);
    struct peer p = {socket(AF_INET, SOCK_STREAM, 0), steps, split, -1};
    struct sockaddr_in sin = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    socklen_t slen = sizeof sin;
    ASSERT(bind(p.listen_fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    ASSERT(listen(p.listen_fd, 1) == 0);
    ASSERT(getsockname(p.listen_fd, (struct sockaddr *)&sin, &slen) == 0);
    pthread_t t;
    ASSERT(pthread_create(&t, NULL, peer_main, &p) == 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct dialog_params dp = {"client.test.example", 200, 300, NULL, NULL, NULL, false, false};
    struct conn_params cp = {.loop = &loop, .readbuf = readbuf, .readbuf_len = sizeof readbuf,
                             .tls = tls, .service = service_find(service), .dialog = &dp,
                             .timeout_ms = 3000, .connect_ms = 1000, .handshake_ms = 1000,
                             .tls_admit = admit, .tls_done = done};
    memset(o, 0, sizeof *o);
    struct conn *c = conn_new(&cp, &owner, o, (struct sockaddr *)&sin, ntohs(sin.sin_port), "mx.test.example");
    ASSERT(c != NULL);
    conn_start(c);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT(o->finished && o->closed);
    ASSERT_EQ(uv_loop_close(&loop), 0); /* every handle closed */
    pthread_join(t, NULL);
    close(p.listen_fd);
    tls_client_ctx_free(tls);
    if (p.failed_step >= 0) FAIL_AT("the client did not send '%s' (split %zu)", steps[p.failed_step].text, split);
}

void expect(struct outcome *o, enum scan_status st, enum tri starttls, const char *error_part)
{
    if (o->result.status != st)
        FAIL_AT("status %s, expected %s (%s)", status_name(o->result.status), status_name(st),
                o->result.error.p ? o->result.error.p : "");
    ASSERT_EQ(o->result.starttls, starttls);
    if (error_part && (!o->result.error.p || !strstr(o->result.error.p, error_part)))
        FAIL_AT("error '%s' lacks '%s'", o->result.error.p ? o->result.error.p : "", error_part);
}
