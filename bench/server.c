/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-server: a fast STARTTLS responder for the benchmarks.
 *
 * Listens on one port on every address of its network namespace (the
 * driver runs it in a namespace of its own, so that is 127.0.0.0/8 only),
 * speaks just enough of a protocol for a STARTTLS client (SMTP, LMTP, IMAP,
 * POP3, ManageSieve, NNTP, PostgreSQL, MySQL, LDAP, XMPP: bench/server_dialogs.c), and answers
 * the handshake with OpenSSL. The certificate is picked by the address the
 * client connected to (address mod N), so a scan of many addresses meets N
 * distinct certificates. Every reply, TLS flights included, is held back
 * for D ms after the client's bytes arrive, and the greeting for G ms:
 * the latency of a far-away server, without netem.
 *
 * --mix makes a population instead of identical hosts: each address (by a
 * hash of it, bench/mix.py computes the same) has a reply latency from 20 to
 * 300 ms, and 5 % never greet, 2 % are tarpits that greet after 20 s, 3 %
 * greet with 421 and hang up. --certs may be given more than once (chains
 * of several sizes: the certificate is picked over all of them).
 *
 * One libuv loop per thread, each with its own SO_REUSEPORT listener. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "bench/server.h"

struct bench_options opt = {P_SMTP, 25, 0, 0, 1, NULL, 0, false};

static void on_handle_closed(uv_handle_t *h)
{
    struct sconn *c = h->data;
    if (--c->handles > 0) return;
    if (c->ssl) SSL_free(c->ssl);
    free(c->pending);
    free(c);
}

void sconn_close(struct sconn *c)
{
    if (c->closing) return;
    c->closing = true;
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void on_written(uv_write_t *req, int status)
{
    struct sconn *c = req->data;
    free(req);
    if (status < 0) sconn_close(c);
}

/* One write request owning a copy of the bytes, so callers can reuse theirs. */
void send_raw(struct sconn *c, const char *data, size_t len)
{
    if (c->closing || len == 0) return;
    uv_write_t *req = malloc(sizeof *req + len);
    if (!req) {
        sconn_close(c);
        return;
    }
    char *copy = (char *)(req + 1);
    memcpy(copy, data, len);
    uv_buf_t b = uv_buf_init(copy, (unsigned)len);
    req->data = c;
    if (uv_write(req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        free(req);
        sconn_close(c);
    }
}

void flush_tls(struct sconn *c)
{
    char out[16384];
    int n;
    BIO *wbio = SSL_get_wbio(c->ssl);
    while ((n = BIO_read(wbio, out, sizeof out)) > 0) send_raw(c, out, (size_t)n);
}

void reply_bytes(struct sconn *c, const char *data, size_t len)
{
    if (c->ssl) {
        SSL_write(c->ssl, data, (int)len);
        flush_tls(c);
    } else {
        send_raw(c, data, len);
    }
}

void reply(struct sconn *c, const char *text)
{
    reply_bytes(c, text, strlen(text));
}

void start_tls(struct sconn *c)
{
    SSL_CTX *ctx = opt.ctx[c->addr % (uint32_t)opt.nctx];
    c->ssl = SSL_new(ctx);
    if (!c->ssl) {
        sconn_close(c);
        return;
    }
    SSL_set_bio(c->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_accept_state(c->ssl);
}

static void tls_input(struct sconn *c)
{
    if (!SSL_is_init_finished(c->ssl)) {
        int rc = SSL_do_handshake(c->ssl);
        flush_tls(c);
        if (rc != 1) {
            int e = SSL_get_error(c->ssl, rc);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) sconn_close(c);
            return;
        }
        tls_ready(c);
    }
    char plain[4096];
    int n;
    while (!c->closing && (n = SSL_read(c->ssl, plain, sizeof plain)) > 0)
        plain_input(c, plain, (size_t)n);
    if (!c->closing) flush_tls(c);
}

static void answer(struct sconn *c)
{
    size_t n = c->npending;
    c->npending = 0;
    if (c->ssl) {
        BIO_write(SSL_get_rbio(c->ssl), c->pending, (int)n);
        tls_input(c);
    } else {
        plain_input(c, c->pending, n);
        /* A ClientHello sent right behind STARTTLS is already in the BIO. */
        if (c->ssl && BIO_ctrl_pending(SSL_get_rbio(c->ssl)) > 0) tls_input(c);
    }
    if (c->quitting) sconn_close(c);
}

static void on_timer(uv_timer_t *t)
{
    struct sconn *c = t->data;
    if (!c->greeted) {
        c->greeted = true;
        if (c->kind == K_REFUSE) {
            static const char busy[] = "421 4.7.0 bench: too busy, try again later\r\n";
            send_raw(c, busy, sizeof busy - 1);
            sconn_close(c);
            return;
        }
        size_t n;
        const char *g = greeting(&n);
        send_raw(c, g, n);
    }
    if (c->npending) answer(c);
}

/* The mix: the same function of the address as bench/mix.py's. */
static uint32_t mix_hash(uint32_t a)
{
    a ^= a >> 16;
    a *= 0x7feb352dU;
    a ^= a >> 15;
    a *= 0x846ca68bU;
    a ^= a >> 16;
    return a;
}

static void mix_assign(struct sconn *c)
{
    uint32_t h = mix_hash(c->addr);
    unsigned latency = 20 + (h >> 8) % 281, pick = h % 100;
    c->kind = pick < 5 ? K_SILENT : pick < 7 ? K_TARPIT : pick < 10 ? K_REFUSE : K_NORMAL;
    c->delay_ms = latency;
    c->greeting_ms = c->kind == K_TARPIT ? 20000 : latency;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    static __thread char slab[16384];
    (void)h;
    (void)suggested;
    *b = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct sconn *c = s->data;
    if (n < 0) {
        sconn_close(c);
        return;
    }
    if (n == 0) return;
    if (c->npending + (size_t)n > 1 << 20) { /* a client that floods: drop it */
        sconn_close(c);
        return;
    }
    if (c->npending + (size_t)n > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        while (cap < c->npending + (size_t)n) cap *= 2;
        char *p = realloc(c->pending, cap);
        if (!p) {
            sconn_close(c);
            return;
        }
        c->pending = p;
        c->cap = cap;
    }
    memcpy(c->pending + c->npending, b->base, (size_t)n);
    c->npending += (size_t)n;
    /* The reply waits D ms from the first byte of the client's flight. */
    if (!c->greeted || uv_is_active((uv_handle_t *)&c->timer)) return;
    if (c->delay_ms == 0) answer(c);
    else uv_timer_start(&c->timer, on_timer, c->delay_ms, 0);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) return;
    struct sconn *c = calloc(1, sizeof *c);
    if (!c) return;
    uv_tcp_init(server->loop, &c->tcp);
    uv_timer_init(server->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->handles = 2;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        sconn_close(c);
        return;
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_INET)
        c->addr = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);
    uv_tcp_nodelay(&c->tcp, 1);
    c->delay_ms = opt.delay_ms;
    c->greeting_ms = opt.greeting_ms;
    if (opt.mix) mix_assign(c);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (c->kind == K_SILENT) return; /* reads and says nothing until the client gives up */
    if (c->greeting_ms == 0) on_timer(&c->timer);
    else uv_timer_start(&c->timer, on_timer, c->greeting_ms, 0);
}

static void serve(void *arg)
{
    (void)arg;
    uv_loop_t loop;
    uv_tcp_t server;
    uv_loop_init(&loop);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        fprintf(stderr, "bench-server: bind port %d: %s\n", opt.port, strerror(errno));
        exit(1);
    }
    uv_tcp_init(&loop, &server);
    uv_tcp_open(&server, fd);
    if (uv_listen((uv_stream_t *)&server, 65535, on_connection) != 0) {
        fprintf(stderr, "bench-server: listen failed\n");
        exit(1);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
}

static SSL_CTX *load_ctx(const char *chain, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, chain) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "bench-server: cannot load %s with %s\n", chain, key);
        ERR_print_errors_fp(stderr);
        exit(1);
    }
    /* Full handshakes only, nothing after them: a scanner never resumes. */
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    return ctx;
}

static void usage(void)
{
    fputs("Usage: bench-server --certs DIR [--certs DIR2 ...] --ncerts N [--port P]\n"
          "                    [--protocol smtp|lmtp|imap|pop3|sieve|nntp|postgres|mysql|ldap|xmpp]\n"
          "                    [--delay MS] [--greeting-delay MS]\n"
          "                    [--mix] [--threads T]\n"
          "DIR holds key.pem and chain-0.pem .. chain-(N-1).pem (leaf first).\n"
          "Listens on 0.0.0.0:P: run it in a network namespace of its own.\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"certs", required_argument, 0, 'C'},  {"ncerts", required_argument, 0, 'n'},
        {"port", required_argument, 0, 'p'},   {"protocol", required_argument, 0, 'P'},
        {"delay", required_argument, 0, 'd'},  {"greeting-delay", required_argument, 0, 'g'},
        {"threads", required_argument, 0, 't'}, {"mix", no_argument, 0, 'm'},
        {0, 0, 0, 0}};
    const char *dirs[8];
    int ndirs = 0, ncerts = 1, ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            if (ndirs == 8) usage();
            dirs[ndirs++] = optarg;
            break;
        case 'm': opt.mix = true; break;
        case 'n': ncerts = atoi(optarg); break;
        case 'p': opt.port = atoi(optarg); break;
        case 'P':
            if (proto_of(optarg) < 0) usage();
            opt.proto = (enum proto)proto_of(optarg);
            break;
        case 'd': opt.delay_ms = (unsigned)atoi(optarg); break;
        case 'g': opt.greeting_ms = (unsigned)atoi(optarg); break;
        case 't': opt.threads = atoi(optarg); break;
        default: usage();
        }
    }
    if (!ndirs || ncerts < 1 || opt.threads < 1 || opt.threads > 64) usage();
    signal(SIGPIPE, SIG_IGN);
    opt.ctx = calloc((size_t)(ncerts * ndirs), sizeof *opt.ctx);
    opt.nctx = ncerts * ndirs;
    char chain[4096], key[4096];
    for (int d = 0; d < ndirs; d++) {
        snprintf(key, sizeof key, "%s/key.pem", dirs[d]);
        for (int i = 0; i < ncerts; i++) {
            snprintf(chain, sizeof chain, "%s/chain-%d.pem", dirs[d], i);
            opt.ctx[d * ncerts + i] = load_ctx(chain, key);
        }
    }
    uv_thread_t tids[64];
    for (int i = 0; i < opt.threads; i++) uv_thread_create(&tids[i], serve, NULL);
    fprintf(stderr, "bench-server: listening on port %d, %d certificate(s), delay %u ms, "
                    "greeting %u ms, %d thread(s)%s\n",
            opt.port, opt.nctx, opt.delay_ms, opt.greeting_ms, opt.threads, opt.mix ? ", the mix" : "");
    for (int i = 0; i < opt.threads; i++) uv_thread_join(&tids[i]);
    return 0;
}
