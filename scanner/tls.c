#include "scanner/tls.h"

#include <stdio.h>
#include <string.h>

#include "scanner/certfacts.h"

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

/* Accepts every chain so that the handshake completes and the certificate
 * can be reported; remembers the first error as the chain's verdict. */
static int verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    struct tls_link *t = store ? store->userCtx : NULL;
    if (!preverify && t && t->chain_error == 0) {
        t->chain_error = store->error ? store->error : -1;
        t->chain_error_depth = store->error_depth;
    }
    return 1;
}

void tls_ctx_use_memory_io(WOLFSSL_CTX *ctx)
{
    wolfSSL_CTX_SetIORecv(ctx, io_recv);
    wolfSSL_CTX_SetIOSend(ctx, io_send);
}

WOLFSSL_CTX *tls_client_ctx_new(const char *ca_file, char *err, size_t errlen)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    if (!ctx) {
        snprintf(err, errlen, "cannot create the TLS context");
        return NULL;
    }
    int rc = ca_file ? wolfSSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                     : wolfSSL_CTX_load_system_CA_certs(ctx);
    if (rc != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "cannot load the CA certificates from %s",
                 ca_file ? ca_file : "the system store");
        wolfSSL_CTX_free(ctx);
        return NULL;
    }
    /* X25519 first: the cheapest key share on this build (DESIGN.md). */
    int groups[] = {WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_SECP384R1,
                    WOLFSSL_ECC_SECP521R1, WOLFSSL_FFDHE_2048};
    if (wolfSSL_CTX_set_groups(ctx, groups, (int)(sizeof groups / sizeof groups[0])) !=
        WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "cannot set the TLS key exchange groups");
        wolfSSL_CTX_free(ctx);
        return NULL;
    }
    /* Broad, so that old servers still meet us (CBC and DHE included), but
     * never anonymous or null suites: those would hide the certificate. */
    if (wolfSSL_CTX_set_cipher_list(ctx, CLIENT_CIPHERS) != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "cannot set the TLS cipher list");
        wolfSSL_CTX_free(ctx);
        return NULL;
    }
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, verify_cb);
    tls_ctx_use_memory_io(ctx);
    learn_offered_suites(ctx);
    return ctx;
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

/* The X509_V_ERR_* codes wolfSSL 5.5 reports, in OpenSSL's words; it says
 * 13/14 (bad notBefore/notAfter field) where it means not yet valid/expired. */
static const char *x509_error_text(int code)
{
    switch (code) {
    case 2: return "unable to get issuer certificate";
    case 7: return "certificate signature failure";
    case 9: case 13: return "certificate is not yet valid";
    case 10: case 14: return "certificate has expired";
    case 18: return "self-signed certificate";
    case 19: return "self-signed certificate in certificate chain";
    case 20: return "unable to get local issuer certificate";
    case 21: return "unable to verify the first certificate";
    case 24: return "invalid CA certificate";
    case 25: return "path length constraint exceeded";
    default: {
        const char *s = wolfSSL_X509_verify_cert_error_string(code);
        return s ? s : "verification failed";
    }
    }
}

/* wolfSSL reports OpenSSL's X509_V_ERR_* codes (positive) to the verify
 * callback, and its own negative codes where it has no such mapping. */
static void chain_verdict(struct tls_link *t, struct probe_result *r)
{
    if (t->chain_error == 0) {
        r->chain_valid = TRI_YES;
        return;
    }
    r->chain_valid = TRI_NO;
    char text[WOLFSSL_MAX_ERROR_SZ];
    if (t->chain_error > 0) {
        snprintf(text, sizeof text, "%s", x509_error_text(t->chain_error));
    } else {
        wolfSSL_ERR_error_string_n((unsigned long)t->chain_error, text, sizeof text);
    }
    /* An untrusted leaf that signed itself is the common lab and intranet case. */
    int no_issuer = t->chain_error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                    t->chain_error == ASN_NO_SIGNER_E;
    if (no_issuer && t->chain_error_depth == 0 && r->cert.present &&
        r->cert.subject.len == r->cert.issuer.len &&
        memcmp(r->cert.subject.p, r->cert.issuer.p, r->cert.subject.len) == 0)
        snprintf(text, sizeof text, "self-signed certificate");
    text_printf(&r->chain_error, "%s (depth %d)", text, t->chain_error_depth);
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
    const char *group = wolfSSL_get_curve_name(ssl);
    size_t gi = 0;
    for (; group && group[gi] && gi + 1 < sizeof r->kex_group; gi++)
        r->kex_group[gi] = (char)((group[gi] >= 'A' && group[gi] <= 'Z') ? group[gi] + 32 : group[gi]);
    r->kex_group[gi] = '\0';

    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
    if (!chain || wolfSSL_get_chain_count(chain) < 1) {
        r->chain_valid = TRI_NO;
        text_set_str(&r->chain_error, "no certificate received");
        return;
    }
    const unsigned char *leaf = wolfSSL_get_chain_cert(chain, 0);
    int leaf_len = wolfSSL_get_chain_length(chain, 0);
    if (!leaf || leaf_len <= 0 || certfacts_from_der(leaf, (size_t)leaf_len, &r->cert) != 0) {
        r->chain_valid = TRI_NO;
        text_set_str(&r->chain_error, "the server's certificate does not parse");
        return;
    }
    chain_verdict(t, r);
    r->hostname_match = host && host[0] ? certfacts_name_matches(leaf, (size_t)leaf_len, host)
                                        : TRI_UNKNOWN;
}

void tls_chain_verdict_der(const char *ca_file, const unsigned char *const *certs,
                           const size_t *lens, int n, struct probe_result *r)
{
    /* A manager of our own: the chain's intermediates are loaded into it as
     * CAs, which must not leak into the shared context. */
    WOLFSSL_CERT_MANAGER *cm = wolfSSL_CertManagerNew();
    const char *store = ca_file ? ca_file : "/etc/ssl/certs/ca-certificates.crt";
    if (!cm || wolfSSL_CertManagerLoadCA(cm, store, NULL) != WOLFSSL_SUCCESS) {
        if (cm) wolfSSL_CertManagerFree(cm);
        return; /* verdict unknown */
    }
    for (int i = n - 1; i >= 1; i--)
        wolfSSL_CertManagerLoadCABuffer(cm, certs[i], (long)lens[i], WOLFSSL_FILETYPE_ASN1);
    int rc = wolfSSL_CertManagerVerifyBuffer(cm, certs[0], (long)lens[0], WOLFSSL_FILETYPE_ASN1);
    wolfSSL_CertManagerFree(cm);
    if (rc == WOLFSSL_SUCCESS) {
        r->chain_valid = TRI_YES;
        return;
    }
    r->chain_valid = TRI_NO;
    const char *text = NULL;
    char generic[WOLFSSL_MAX_ERROR_SZ];
    switch (rc) {
    case ASN_AFTER_DATE_E: text = "certificate has expired"; break;
    case ASN_BEFORE_DATE_E: text = "certificate is not yet valid"; break;
    case ASN_NO_SIGNER_E:
        text = (r->cert.present && r->cert.subject.len == r->cert.issuer.len &&
                memcmp(r->cert.subject.p, r->cert.issuer.p, r->cert.subject.len) == 0)
                   ? "self-signed certificate"
                   : "unable to get local issuer certificate";
        break;
    default:
        wolfSSL_ERR_error_string_n((unsigned long)rc, generic, sizeof generic);
        text = generic;
    }
    text_printf(&r->chain_error, "%s (depth 0)", text);
}

void tls_link_free(struct tls_link *t)
{
    if (t->ssl) wolfSSL_free(t->ssl);
    t->ssl = NULL;
    buf_free(&t->in);
    t->in_off = 0;
}
