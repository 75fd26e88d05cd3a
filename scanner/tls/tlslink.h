/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One TLS client session over memory buffers (wolfSSL custom I/O).
 *
 * The link never touches a socket: the owner feeds received bytes in with
 * tls_link_input(), and wolfSSL's output leaves through the owner's send
 * function at once. The WOLFSSL object lives only between start and free. */
#ifndef STS_TLS_H
#define STS_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/result/row.h"
#include "scanner/base/buf.h"

typedef int (*tls_send_fn)(void *owner, const char *data, size_t len);

struct tls_link {
    WOLFSSL *ssl;
    struct buf in; /* received, not yet read by wolfSSL */
    size_t in_off;
    bool peer_closed;
    tls_send_fn send;
    void *owner;
    int alert; /* the fatal alert the server sent, 0 if none */
    int error; /* wolfSSL's error code when the handshake failed */
    /* The server's certificates as sent, whole, whatever their size
     * (wolfSSL's session chain drops any of 2,048 octets or more): each a
     * 4-octet length and its DER, copied during the handshake. */
    struct buf peer;
    int npeer;
};

#define TLS_CHAIN_MAX 16

/* The client context's verify callback: keeps the chain as sent (for
 * tls_link_chain) and accepts, the verdict being ours after the handshake.
 * A context that lets wolfSSL verify too (bench-floor) calls it from its own
 * callback and returns preverify. */
int tls_verify_keep_chain(int preverify, WOLFSSL_X509_STORE_CTX *store);
/* The server's chain as sent (certs[0] the leaf), at most max: the count.
 * The pointers are valid until tls_link_free. */
int tls_link_chain(const struct tls_link *t, const unsigned char **certs, size_t *lens, int max);

enum tls_step { TLS_WANT_MORE, TLS_DONE, TLS_ERROR };

/* The shared client context: X25519 first, and the chain verifier with the
 * CA store (system or --ca-file). Freed with tls_client_ctx_free. */
WOLFSSL_CTX *tls_client_ctx_new(const char *ca_file, char *err, size_t errlen);
void tls_client_ctx_free(WOLFSSL_CTX *ctx);
struct chain_verifier *tls_ctx_verifier(WOLFSSL_CTX *ctx);
/* Installs the memory I/O callbacks on any context (the tests' server too). */
void tls_ctx_use_memory_io(WOLFSSL_CTX *ctx);

/* Creates the session and sends the ClientHello. sni may be NULL. 0 or -1. */
int tls_link_start(struct tls_link *t, WOLFSSL_CTX *ctx, const char *sni, tls_send_fn send,
                   void *owner);
/* Adopts an already created WOLFSSL (the tests' server side). */
void tls_link_adopt(struct tls_link *t, WOLFSSL *ssl, tls_send_fn send, void *owner);
int tls_link_input(struct tls_link *t, const char *data, size_t len);
/* Advances the handshake; on TLS_ERROR err says why. */
enum tls_step tls_link_handshake(struct tls_link *t, bool client, char *err, size_t errlen);
/* Decrypted bytes: > 0 read, 0 none yet, -1 closed or failed. */
int tls_link_read(struct tls_link *t, char *out, size_t cap);
int tls_link_write(struct tls_link *t, const char *data, size_t len);
/* Version, cipher, group, certificate facts and verdicts into r. host: the
 * name to match the certificate against (NULL: no name, verdict unknown). */
void tls_link_facts(struct tls_link *t, struct probe_result *r, const char *host);
void tls_link_free(struct tls_link *t);
/* The key exchange's group as the kex_group column names it. */
void tls_kex_group(WOLFSSL *ssl, const char *cipher, char *out, size_t cap);

/* Did we offer this suite in a full handshake? (CVE-2024-5814: wolfSSL 5.5.4
 * accepts a TLS 1.2 ServerHello with a suite it never offered.) */
int tls_client_offers(int suite);
/* Certificate facts, chain verdict and name match for a chain as the server
 * sent it (certs[0] the leaf), whether read by wolfSSL or, for hello_only,
 * by our own reader. ctx: the client context that holds the verifier. */
void tls_chain_verdict_der(WOLFSSL_CTX *ctx, const unsigned char *const *certs, const size_t *lens,
                           int n, struct probe_result *r, const char *host);

#endif
