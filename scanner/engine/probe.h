/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One probe of an (address, port, SNI): a sequence of connections, one at a
 * time, whose results make one published result.
 *
 *   1. the dialog and a full wolfSSL handshake;
 *   2. when the server refused it for its version or ciphers (alert
 *      protocol_version, handshake_failure, insufficient_security), or sent
 *      what wolfSSL cannot read: the dialog again, then our own TLS 1.0-1.2
 *      ClientHello, reading the server's plaintext ServerHello and
 *      Certificate (handshake=hello_only);
 *   3. with --versions: one hello per remaining version, lowest answer
 *      first, so each connection settles as many versions as it can;
 *   4. with --ciphers, once the server took TLS: the suites it accepts,
 *      version by version (scanner/tls/cipherenum.h).
 *
 * The probe owns its connections (it is their conn_owner) and frees itself
 * once its last one is closed. It publishes through env->publish. */
#ifndef STS_PROBE_H
#define STS_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "scanner/result/row.h"

struct admission;
struct conn_params;
struct dedup_waiter;

/* The same for every probe of a worker. */
struct probe_env {
    const struct conn_params *conn;
    struct admission *admission;
    bool versions; /* --versions */
    bool ciphers;  /* --ciphers */
    bool retry;    /* a "try again later" outcome waits for the retry pass */
    /* The probe's result, final: the callee takes what res holds. */
    void (*publish)(void *arg, const char *key, struct probe_result *res);
    void *publish_arg;
    /* DANE: the TLSA lookup of (host, port), delivered to the waiter. */
    bool dane;
    void (*tlsa)(void *arg, struct dedup_waiter *waiter, const char *host, int port);
    void *tlsa_arg;
    /* --ciphers: the suites of a server address and port are enumerated
     * once, whatever the names it is reached by: 1 when the caller is to
     * enumerate them and publish the result under key; 0 when another probe
     * does, and the waiter is delivered its result (perhaps at once). */
    int (*ciphers_claim)(void *arg, struct dedup_waiter *waiter, const char *key);
};

/* Queues the first connection. dane: the TLSA records at _PORT._tcp.SNI
 * apply. not_before_ms: 0, or (a retry, the endpoint's second attempt) not
 * before that uv_hrtime() in ms. */
void probe_start(const struct probe_env *env, const char *key, const struct sockaddr *addr, int port,
                 const char *sni, bool dane, uint64_t not_before_ms);

/* scanner/engine/probe_dane.c: r's DANE verdict from the TLSA lookup of
 * its (host, port) (scanner/engine/tlsa.h) and the chain r kept, which
 * goes. */
void probe_dane_verdict(struct probe_result *r, const struct probe_result *tlsa, const char *host);

#endif
