/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A query with the AD bit, on a real c-ares channel and libuv loop, to a
 * scripted DNS server on a loopback UDP port: the bit is on the wire, and
 * the answer's AD bit and TLSA RDATA come back. */
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

struct dns_peer {
    int fd;
    int query_ad, query_type; /* what the query asked */
};

static void *dns_peer_main(void *arg)
{
    struct dns_peer *p = arg;
    unsigned char q[512], a[600];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(p->fd, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
    if (n < 17) return NULL;
    p->query_ad = (q[3] & 0x20) != 0;
    size_t qend = 12;
    while (qend < (size_t)n && q[qend]) qend += q[qend] + 1u;
    qend += 5; /* the root label, type, class */
    p->query_type = (q[qend - 4] << 8) | q[qend - 3];
    memcpy(a, q, qend);
    a[2] = 0x81; /* QR, RD */
    a[3] = 0xa0; /* RA, AD */
    a[6] = 0;
    a[7] = 1; /* one answer */
    a[8] = a[9] = a[10] = a[11] = 0;
    static const unsigned char rr[] = {0xc0, 0x0c, 0, 52, 0, 1, 0, 0, 0, 60, 0, 7, 3, 1, 1, 0xde, 0xad, 0xbe, 0xef};
    memcpy(a + qend, rr, sizeof rr);
    sendto(p->fd, a, qend + sizeof rr, 0, (struct sockaddr *)&from, flen);
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
    struct got g = {0};
    ares_uv_query_ad(&au, "_25._tcp.mx.example", DNS_TYPE_TLSA, true, on_answer, &g);
    for (int i = 0; i < 600 && !g.done; i++) uv_run(&loop, UV_RUN_ONCE);
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
}
