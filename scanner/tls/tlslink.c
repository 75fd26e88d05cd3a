/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/tlslink.h"

#include <stdio.h>
#include <string.h>

#include "scanner/tls/certfacts.h"
#include "scanner/tls/chainverify.h"

/* OpenSSL's default order, so that a server that follows the client's
 * preference picks what `openssl s_client` would be given. */
#define CLIENT_CIPHERS                                                                             \
    "TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256:"              \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:"         \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-CHACHA20-POLY1305:"         \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:"         \
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA256:"                     \
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:"                     \
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA:"       \
    "ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA"

/* The suites the client context really offers, by number, for the
 * CVE-2024-5814 check: read back from wolfSSL once, before any worker runs. */
static int client_suites[64];
static int nclient_suites;

static void learn_offered_suites(WOLFSSL_CTX *ctx)
{
    WOLFSSL *ssl = wolfSSL_new(ctx);
    WOLF_STACK_OF(WOLFSSL_CIPHER) *list = ssl ? wolfSSL_get_ciphers_compat(ssl) : NULL;
    int n = list ? wolfSSL_sk_SSL_CIPHER_num(list) : 0;
    nclient_suites = 0;
    for (int i = 0; i < n && nclient_suites < 64; i++) {
        const WOLFSSL_CIPHER *cipher = wolfSSL_sk_SSL_CIPHER_value(list, i);
        const char *name = cipher ? wolfSSL_CIPHER_get_name(cipher) : NULL;
        unsigned char b0, b1;
        int flags;
        if (name && wolfSSL_get_cipher_suite_from_name(name, &b0, &b1, &flags) == 0)
            client_suites[nclient_suites++] = (b0 << 8) | b1;
    }
    if (ssl) wolfSSL_free(ssl);
}

int tls_client_offers(int suite)
{
    for (int i = 0; i < nclient_suites; i++)
        if (client_suites[i] == suite) return 1;
    return 0;
}

static int io_recv(WOLFSSL *ssl, char *out, int sz, void *ctx)
{
    struct tls_link *t = ctx;
    (void)ssl;
    size_t avail = t->in.len - t->in_off;
    if (avail == 0) {
        return t->peer_closed ? WOLFSSL_CBIO_ERR_CONN_CLOSE : WOLFSSL_CBIO_ERR_WANT_READ;
    }
    size_t n = avail < (size_t)sz ? avail : (size_t)sz;
    memcpy(out, t->in.data + t->in_off, n);
    t->in_off += n;
    if (t->in_off == t->in.len) {
        buf_reset(&t->in);
        t->in_off = 0;
    }
    return (int)n;
}

static int io_send(WOLFSSL *ssl, char *data, int sz, void *ctx)
{
    struct tls_link *t = ctx;
    (void)ssl;
    if (t->send(t->owner, data, (size_t)sz) != 0) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    return sz;
}

void tls_ctx_use_memory_io(WOLFSSL_CTX *ctx)
{
    wolfSSL_CTX_SetIORecv(ctx, io_recv);
    wolfSSL_CTX_SetIOSend(ctx, io_send);
}

/* The chain verifier rides on the context, so that whoever holds the
 * context (a worker, check, the tests) reaches the one shared cache. */
#define VERIFIER_SLOT 0

struct chain_verifier *tls_ctx_verifier(WOLFSSL_CTX *ctx)
{
    return ctx ? wolfSSL_CTX_get_ex_data(ctx, VERIFIER_SLOT) : NULL;
}

static WOLFSSL_CTX *fail(WOLFSSL_CTX *ctx, char *err, size_t errlen, const char *why)
{
    if (why) snprintf(err, errlen, "%s", why);
    tls_client_ctx_free(ctx);
    return NULL;
}

/* wolfSSL's verify callback, called during the handshake with every
 * certificate the server sent, whole (this build calls it always: Debian's
 * WOLFSSL_ALWAYS_VERIFY_CB). It keeps a copy and accepts: the verdict is
 * ours, later. wolfSSL's own session chain cannot serve, since it drops a
 * certificate of 2,048 octets or more (MAX_X509_SIZE). The first call sees
 * them all, so it takes itself off the session: each further call would
 * cost wolfSSL an X509 copy of a certificate (bench/README.md). */
int tls_verify_keep_chain(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    (void)preverify;
    struct tls_link *t = store ? store->userCtx : NULL;
    if (!t || !store->certs || store->totalCerts <= t->npeer) return 1;
    if (t->ssl) wolfSSL_set_verify(t->ssl, wolfSSL_get_verify_mode(t->ssl), NULL);
    buf_reset(&t->peer);
    t->npeer = 0;
    for (int i = 0; i < store->totalCerts && i < TLS_CHAIN_MAX; i++) {
        unsigned int len = store->certs[i].length;
        unsigned char l[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                              (unsigned char)len};
        if (buf_append(&t->peer, l, 4) != 0 || buf_append(&t->peer, store->certs[i].buffer, len) != 0) {
            buf_free(&t->peer); /* no copy: the facts say no certificate */
            t->npeer = 0;
            return 1;
        }
        t->npeer++;
    }
    return 1;
}

WOLFSSL_CTX *tls_client_ctx_new(const char *ca_file, char *err, size_t errlen)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    if (!ctx) return fail(NULL, err, errlen, "cannot create the TLS context");
    struct chain_verifier *v = chain_verifier_new(ca_file, err, errlen);
    if (!v) return fail(ctx, err, errlen, NULL);
    if (wolfSSL_CTX_set_ex_data(ctx, VERIFIER_SLOT, v) != WOLFSSL_SUCCESS) {
        chain_verifier_free(v);
        return fail(ctx, err, errlen, "cannot attach the chain verifier");
    }
    /* X25519 first: the cheapest key share on this build (DESIGN.md). */
    int groups[] = {WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_SECP384R1,
                    WOLFSSL_ECC_SECP521R1, WOLFSSL_FFDHE_2048};
    if (wolfSSL_CTX_set_groups(ctx, groups, (int)(sizeof groups / sizeof groups[0])) !=
        WOLFSSL_SUCCESS)
        return fail(ctx, err, errlen, "cannot set the TLS key exchange groups");
    /* Broad, so that old servers still meet us (CBC and DHE included), but
     * never anonymous or null suites: those would hide the certificate. */
    if (wolfSSL_CTX_set_cipher_list(ctx, CLIENT_CIPHERS) != WOLFSSL_SUCCESS)
        return fail(ctx, err, errlen, "cannot set the TLS cipher list");
    /* The chain is judged after the handshake, by the verifier and its
     * cache (chainverify.h); the server's signature over the handshake is
     * checked by wolfSSL whatever this says. The callback only keeps the
     * certificates as sent. */
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, tls_verify_keep_chain);
    tls_ctx_use_memory_io(ctx);
    learn_offered_suites(ctx);
    return ctx;
}

int tls_link_chain(const struct tls_link *t, const unsigned char **certs, size_t *lens, int max)
{
    int n = 0;
    for (size_t at = 0; n < max && n < t->npeer && at + 4 <= t->peer.len; n++) {
        const unsigned char *p = (const unsigned char *)t->peer.data + at;
        lens[n] = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        certs[n] = p + 4;
        at += 4 + lens[n];
    }
    return n;
}

void tls_client_ctx_free(WOLFSSL_CTX *ctx)
{
    if (!ctx) return;
    chain_verifier_free(tls_ctx_verifier(ctx));
    wolfSSL_CTX_free(ctx);
}

void tls_link_adopt(struct tls_link *t, WOLFSSL *ssl, tls_send_fn send, void *owner)
{
    memset(t, 0, sizeof *t);
    t->ssl = ssl;
    t->send = send;
    t->owner = owner;
    wolfSSL_SetIOReadCtx(ssl, t);
    wolfSSL_SetIOWriteCtx(ssl, t);
    wolfSSL_SetCertCbCtx(ssl, t);
}

int tls_link_start(struct tls_link *t, WOLFSSL_CTX *ctx, const char *sni, tls_send_fn send,
                   void *owner)
{
    WOLFSSL *ssl = wolfSSL_new(ctx);
    if (!ssl) return -1;
    tls_link_adopt(t, ssl, send, owner);
    if (sni && sni[0] &&
        wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, sni, (unsigned short)strlen(sni)) !=
            WOLFSSL_SUCCESS) {
        tls_link_free(t);
        return -1;
    }
    wolfSSL_UseKeyShare(ssl, WOLFSSL_ECC_X25519);
    return 0;
}

int tls_link_input(struct tls_link *t, const char *data, size_t len)
{
    return buf_append(&t->in, data, len);
}

static void describe_error(struct tls_link *t, int ret, char *err, size_t errlen)
{
    int code = wolfSSL_get_error(t->ssl, ret);
    t->error = code;
    char reason[WOLFSSL_MAX_ERROR_SZ];
    wolfSSL_ERR_error_string_n((unsigned long)code, reason, sizeof reason);
    WOLFSSL_ALERT_HISTORY h;
    memset(&h, 0, sizeof h);
    wolfSSL_get_alert_history(t->ssl, &h);
    if (h.last_rx.level == alert_fatal) {
        t->alert = h.last_rx.code;
        const char *alert = wolfSSL_alert_desc_string_long(h.last_rx.code);
        snprintf(err, errlen, "server sent alert %s (%d): %s", alert ? alert : "?", h.last_rx.code,
                 reason);
    } else if (t->peer_closed && t->in.len == t->in_off) {
        snprintf(err, errlen, "connection closed by the server during the handshake (%s)", reason);
    } else {
        snprintf(err, errlen, "%s (%d)", reason, code);
    }
}

enum tls_step tls_link_handshake(struct tls_link *t, bool client, char *err, size_t errlen)
{
    int ret = client ? wolfSSL_connect(t->ssl) : wolfSSL_accept(t->ssl);
    if (ret == WOLFSSL_SUCCESS) return TLS_DONE;
    int code = wolfSSL_get_error(t->ssl, ret);
    if (code == WOLFSSL_ERROR_WANT_READ || code == WOLFSSL_ERROR_WANT_WRITE) {
        if (!t->peer_closed) return TLS_WANT_MORE;
    }
    describe_error(t, ret, err, errlen);
    return TLS_ERROR;
}

int tls_link_read(struct tls_link *t, char *out, size_t cap)
{
    int n = wolfSSL_read(t->ssl, out, (int)cap);
    if (n > 0) return n;
    int code = wolfSSL_get_error(t->ssl, n);
    if ((code == WOLFSSL_ERROR_WANT_READ || code == WOLFSSL_ERROR_WANT_WRITE) && !t->peer_closed)
        return 0;
    return -1;
}

int tls_link_write(struct tls_link *t, const char *data, size_t len)
{
    return wolfSSL_write(t->ssl, data, (int)len) == (int)len ? 0 : -1;
}

/* x25519, secp256r1, ffdhe2048 (a named group, TLS 1.3 or RFC 7919), or
 * DH-<bits> for a TLS 1.2 DHE suite with the server's own group: a survey
 * can find 1024-bit groups. Empty for static RSA. */
void tls_kex_group(WOLFSSL *ssl, const char *cipher, char *out, size_t cap)
{
    const char *group = wolfSSL_get_curve_name(ssl);
    out[0] = '\0';
    if (strstr(cipher, "_DHE_") && (!group || strncmp(group, "FFDHE", 5) != 0)) {
        int bits = wolfSSL_GetDhKey_Sz(ssl);
        if (bits > 0) snprintf(out, cap, "DH-%d", bits);
        return;
    }
    size_t o = 0;
    for (size_t i = 0; group && group[i] && o + 1 < cap; i++) {
        if (group[i] == '_') continue; /* wolfSSL's FFDHE_2048 is ffdhe2048 */
        out[o++] = (char)((group[i] >= 'A' && group[i] <= 'Z') ? group[i] + 32 : group[i]);
    }
    out[o] = '\0';
}

void tls_link_facts(struct tls_link *t, struct probe_result *r, const char *host)
{
    WOLFSSL *ssl = t->ssl;
    const char *v = wolfSSL_get_version(ssl);
    snprintf(r->tls_version, sizeof r->tls_version, "%s", v ? v : "");
    int suite = wolfSSL_get_current_cipher_suite(ssl);
    const char *iana = wolfSSL_get_cipher_name_iana_from_suite((unsigned char)(suite >> 8),
                                                               (unsigned char)suite);
    snprintf(r->cipher, sizeof r->cipher, "%s", iana ? iana : "");
    tls_kex_group(ssl, r->cipher, r->kex_group, sizeof r->kex_group);

    const unsigned char *certs[TLS_CHAIN_MAX];
    size_t lens[TLS_CHAIN_MAX];
    int n = tls_link_chain(t, certs, lens, TLS_CHAIN_MAX);
    if (n < 1) {
        r->chain_valid = TRI_NO;
        text_set_str(&r->chain_error, "no certificate received");
        return;
    }
    tls_chain_verdict_der(wolfSSL_get_SSL_CTX(ssl), certs, lens, n, r, host);
}

void tls_chain_verdict_der(WOLFSSL_CTX *ctx, const unsigned char *const *certs, const size_t *lens,
                           int n, struct probe_result *r, const char *host)
{
    r->hostname_match = TRI_UNKNOWN;
    if (n < 1 || certfacts_read(certs[0], lens[0], &r->cert, host && host[0] ? host : NULL,
                                &r->hostname_match) != 0) {
        r->chain_valid = TRI_NO;
        text_set_str(&r->chain_error, "the server's certificate does not parse");
        return;
    }
    if (r->cert.long_serial) {
        /* wolfSSL's verifier cannot parse it: no verdict, and why. */
        text_printf(&r->chain_error, "not checked: the leaf's serial number is longer than the %d "
                    "octets this TLS library reads (RFC 5280 allows 20)", WOLFSSL_SERIAL_MAX);
        return;
    }
    struct chain_verifier *v = tls_ctx_verifier(ctx);
    if (v) chain_verify(v, certs, lens, n, r); /* else the verdict stays unknown */
}

void tls_link_free(struct tls_link *t)
{
    if (t->ssl) wolfSSL_free(t->ssl);
    t->ssl = NULL;
    buf_free(&t->in);
    t->in_off = 0;
    buf_free(&t->peer);
    t->npeer = 0;
}
