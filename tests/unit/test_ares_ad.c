/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A query with the AD bit, on a real c-ares channel and libuv loop, to a
 * scripted DNS server on a loopback UDP port: the bit is on the wire, and
 * the answer's AD bit and TLSA RDATA come back; and the answer's rcode
 * arrives as ares_query would give it (NXDOMAIN, SERVFAIL, no data). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include "resolver/ares_uv.h"
#include "resolver/dnsmsg.h"
#include "tests/unit/test.h"

/* The answers, in turn: rcode, and whether the one record comes. */
static const struct {
    int rcode, record;
} script[] = {{0, 1}, {3, 0}, {2, 0}, {0, 0}};
#define NSCRIPT (sizeof script / sizeof script[0])

struct dns_peer {
    int fd;
    int query_ad, query_type; /* what the first query asked */
};

static void answer_one(struct dns_peer *p, size_t turn)
{
    unsigned char q[512], a[600];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(p->fd, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
    if (n < 17) return;
    if (turn == 0) p->query_ad = (q[3] & 0x20) != 0;
    size_t qend = 12;
    while (qend < (size_t)n && q[qend]) qend += q[qend] + 1u;
    qend += 5; /* the root label, type, class */
    if (turn == 0) p->query_type = (q[qend - 4] << 8) | q[qend - 3];
    memcpy(a, q, qend);
    a[2] = 0x81;                                   /* QR, RD */
    a[3] = (unsigned char)(0xa0 | script[turn].rcode); /* RA, AD */
    a[6] = 0;
    a[7] = (unsigned char)script[turn].record;
    a[8] = a[9] = a[10] = a[11] = 0;
    static const unsigned char rr[] = {0xc0, 0x0c, 0, 52, 0, 1, 0, 0, 0, 60, 0, 7, 3, 1, 1, 0xde, 0xad, 0xbe, 0xef};
    size_t len = qend;
    if (script[turn].record) {
        memcpy(a + qend, rr, sizeof rr);
        len += sizeof rr;
    }
    sendto(p->fd, a, len, 0, (struct sockaddr *)&from, flen);
}

static void *dns_peer_main(void *arg)
{
    for (size_t i = 0; i < NSCRIPT; i++) answer_one(arg, i);
    return NULL;
}

struct got {
    int done, status;
    struct dns_answer answer;
    int parsed;
};

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct got *g = arg;
    (void)timeouts;
    g->done = 1;
    g->status = status;
    if (status == ARES_SUCCESS)
        g->parsed = dns_read_answer(abuf, (size_t)alen, "_25._tcp.mx.example", DNS_TYPE_TLSA, &g->answer);
}

static void closed(struct ares_uv *au)
{
    (void)au;
}

TEST_IMPL(ares_query_with_ad_bit)
{
    struct dns_peer peer = {.fd = socket(AF_INET, SOCK_DGRAM, 0), .query_ad = -1};
    ASSERT(peer.fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ASSERT_EQ(bind(peer.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    ASSERT_EQ(getsockname(peer.fd, (struct sockaddr *)&sa, &sl), 0);
    struct timeval tv = {5, 0};
    setsockopt(peer.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    pthread_t th;
    ASSERT_EQ(pthread_create(&th, NULL, dns_peer_main, &peer), 0);
    ASSERT_EQ(ares_library_init(ARES_LIB_INIT_ALL), ARES_SUCCESS);
    uv_loop_t loop;
    uv_loop_init(&loop);
    char server[64], err[256];
    snprintf(server, sizeof server, "127.0.0.1:%d", ntohs(sa.sin_port));
    const char *servers[1] = {server};
    struct ares_uv_options o = {.servers = servers, .nservers = 1, .timeout_ms = 2000, .tries = 1};
    struct ares_uv au;
    ASSERT_EQ(ares_uv_init(&au, &loop, &o, err, sizeof err), ARES_SUCCESS);
    struct got g = {0}, rest[NSCRIPT - 1];
    memset(rest, 0, sizeof rest);
    ares_uv_query_ad(&au, "_25._tcp.mx.example", DNS_TYPE_TLSA, true, on_answer, &g);
    for (int i = 0; i < 600 && !g.done; i++) uv_run(&loop, UV_RUN_ONCE);
    for (size_t k = 0; k < NSCRIPT - 1; k++) {
        ares_uv_query_ad(&au, "_25._tcp.mx.example", DNS_TYPE_TLSA, true, on_answer, &rest[k]);
        for (int i = 0; i < 600 && !rest[k].done; i++) uv_run(&loop, UV_RUN_ONCE);
    }
    ares_uv_close(&au, closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    pthread_join(th, NULL);
    close(peer.fd);
    ares_library_cleanup();
    ASSERT(g.done && g.status == ARES_SUCCESS);
    ASSERT_EQ(peer.query_ad, 1);
    ASSERT_EQ(peer.query_type, DNS_TYPE_TLSA);
    ASSERT_EQ(g.parsed, 0);
    ASSERT(g.answer.authentic == 1 && g.answer.nrecords == 1 && g.answer.records[0].rdlen == 7);
    dns_answer_free(&g.answer);
    ASSERT_EQ(rest[0].status, ARES_ENOTFOUND);
    ASSERT_EQ(rest[1].status, ARES_ESERVFAIL);
    ASSERT_EQ(rest[2].status, ARES_ENODATA);
}
