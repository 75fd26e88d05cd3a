/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-floor: the client's CPU for one TLS handshake, with no sockets and
 * no SMTP: the physical limit of this build.
 *
 * A wolfSSL client (the scanner's own context: cipher list, groups, CA
 * store, verify callback, memory I/O) and a wolfSSL server run in one
 * thread over memory buffers; only the time spent in client calls is
 * counted, with the thread's CPU clock. The server rotates over the same
 * N chains the bench server presents. wolfSSL verifies the whole chain
 * inside every handshake (VERIFY_PEER): no cache.
 *
 * Prints: handshakes, client CPU µs per handshake (median of 5 rounds),
 * and the same with the scanner's certificate facts and (cached) chain
 * verdict extracted after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/tls/tlslink.h"

/* Under callgrind (--collect-atstart=no), only the client's calls count. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#endif

struct pipe_end {
    struct tls_link link;
    struct pipe_end *peer;
};

static int deliver(void *owner, const char *data, size_t len)
{
    struct pipe_end *self = owner;
    return tls_link_input(&self->peer->link, data, len);
}

static double thread_cpu_us(void)
{
    CALLGRIND_TOGGLE_COLLECT;
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One handshake; returns the client's CPU µs, or -1 on failure. */
static double one(WOLFSSL_CTX *cctx, WOLFSSL_CTX *sctx, bool facts)
{
    struct pipe_end client = {0}, server = {0};
    client.peer = &server;
    server.peer = &client;
    char err[256] = "";
    tls_link_adopt(&server.link, wolfSSL_new(sctx), deliver, &server);
    double spent = 0, t0 = thread_cpu_us();
    if (tls_link_start(&client.link, cctx, NULL, deliver, &client) != 0) return -1;
    enum tls_step cs = tls_link_handshake(&client.link, true, err, sizeof err);
    spent += thread_cpu_us() - t0;
    enum tls_step ss = TLS_WANT_MORE;
    for (int round = 0; round < 10 && (cs != TLS_DONE || ss != TLS_DONE); round++) {
        if (cs == TLS_ERROR || ss == TLS_ERROR) break;
        if (ss != TLS_DONE) ss = tls_link_handshake(&server.link, false, err, sizeof err);
        t0 = thread_cpu_us();
        if (cs != TLS_DONE) cs = tls_link_handshake(&client.link, true, err, sizeof err);
        spent += thread_cpu_us() - t0;
    }
    int ok = cs == TLS_DONE && ss == TLS_DONE;
    t0 = thread_cpu_us();
    if (ok && facts) {
        struct probe_result r;
        probe_result_init(&r);
        tls_link_facts(&client.link, &r, NULL);
        ok = r.chain_valid == TRI_YES && r.cert.present;
        probe_result_free(&r);
    }
    tls_link_free(&client.link);
    spent += thread_cpu_us() - t0;
    tls_link_free(&server.link);
    if (!ok)
        fprintf(stderr, "bench-floor: handshake failed (client %d, server %d): %s\n", cs, ss, err);
    return ok ? spent : -1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double round_median(WOLFSSL_CTX *cctx, WOLFSSL_CTX **sctx, int nctx, int n, bool facts)
{
    double per[5];
    for (int r = 0; r < 5; r++) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double us = one(cctx, sctx[i % nctx], facts);
            if (us < 0) exit(1);
            total += us;
        }
        per[r] = total / n;
    }
    qsort(per, 5, sizeof per[0], cmp);
    return per[2];
}

/* wolfSSL's verdict, with the chain kept as the scanner keeps it (its facts
 * read the chain from there). */
static int floor_verify(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    tls_verify_keep_chain(preverify, store);
    return preverify;
}

int main(int argc, char **argv)
{
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "--once") == 0)) {
        fputs("Usage: bench-floor CERTDIR NCERTS CA_FILE HANDSHAKES_PER_ROUND [--once]\n"
              "--once: one round of handshakes, no facts (for callgrind --collect-atstart=no:\n"
              "        the instructions counted are the client's, for HANDSHAKES + 1)\n",
              stderr);
        return 2;
    }
    const char *dir = argv[1];
    int ncerts = atoi(argv[2]), n = atoi(argv[4]);
    if (ncerts < 1 || n < 1) return 2;
    wolfSSL_Init();
    char err[256];
    WOLFSSL_CTX *cctx = tls_client_ctx_new(argv[3], err, sizeof err);
    /* The scanner's context, but with wolfSSL's own verification inside
     * the handshake, every time: the floor pays for the whole chain. */
    if (!cctx || wolfSSL_CTX_load_verify_locations(cctx, argv[3], NULL) != WOLFSSL_SUCCESS) {
        fprintf(stderr, "bench-floor: %s\n", cctx ? "cannot load the CA file" : err);
        return 1;
    }
    wolfSSL_CTX_set_verify(cctx, WOLFSSL_VERIFY_PEER, floor_verify);
    WOLFSSL_CTX **sctx = calloc((size_t)ncerts, sizeof *sctx);
    char chain[4096], key[4096];
    snprintf(key, sizeof key, "%s/key.pem", dir);
    for (int i = 0; i < ncerts; i++) {
        snprintf(chain, sizeof chain, "%s/chain-%d.pem", dir, i);
        sctx[i] = wolfSSL_CTX_new(wolfSSLv23_server_method());
        if (!sctx[i] || wolfSSL_CTX_use_certificate_chain_file(sctx[i], chain) != WOLFSSL_SUCCESS ||
            wolfSSL_CTX_use_PrivateKey_file(sctx[i], key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
            fprintf(stderr, "bench-floor: cannot load %s\n", chain);
            return 1;
        }
        tls_ctx_use_memory_io(sctx[i]);
    }
    one(cctx, sctx[0], false); /* warm-up: tables, first chain */
    if (argc == 6) {
        for (int i = 0; i < n; i++)
            if (one(cctx, sctx[i % ncerts], false) < 0) return 1;
        printf("handshakes=%d\n", n + 1);
        return 0;
    }
    double hs = round_median(cctx, sctx, ncerts, n, false);
    double hf = round_median(cctx, sctx, ncerts, n, true);
    printf("handshakes=%d cpu_us_handshake=%.1f cpu_us_handshake_facts=%.1f\n", n * 5, hs, hf);
    for (int i = 0; i < ncerts; i++) wolfSSL_CTX_free(sctx[i]);
    free(sctx);
    tls_client_ctx_free(cctx);
    wolfSSL_Cleanup();
    return 0;
}
