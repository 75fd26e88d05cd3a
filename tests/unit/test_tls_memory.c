/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A wolfSSL client (the scanner's tls_link) against a wolfSSL server, both
 * over memory: no sockets, the real code path for facts and verdicts. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/tls/tlslink.h"
#include "tests/unit/test.h"

static int to_peer(void *owner, const char *data, size_t len)
{
    struct tls_link *peer = owner;
    return tls_link_input(peer, data, len);
}

/* How the test's server differs: versions, suites, groups, DH parameters. */
typedef void (*server_setup_fn)(WOLFSSL_CTX *sctx);

static void handshake_with(const char *ca, const char *sni, struct probe_result *r,
                           server_setup_fn setup)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s", STS_TEST_DATA, ca);
    WOLFSSL_CTX *cctx = tls_client_ctx_new(path, err, sizeof err);
    if (!cctx) FAIL_AT("%s", err);
    WOLFSSL_CTX *sctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
    ASSERT(sctx != NULL);
    if (setup) setup(sctx);
    snprintf(path, sizeof path, "%s/leaf-rsa.pem", STS_TEST_DATA);
    ASSERT_EQ(wolfSSL_CTX_use_certificate_file(sctx, path, WOLFSSL_FILETYPE_PEM), WOLFSSL_SUCCESS);
    snprintf(path, sizeof path, "%s/leaf-rsa.key", STS_TEST_DATA);
    ASSERT_EQ(wolfSSL_CTX_use_PrivateKey_file(sctx, path, WOLFSSL_FILETYPE_PEM), WOLFSSL_SUCCESS);
    tls_ctx_use_memory_io(sctx);

    struct tls_link client, server;
    tls_link_adopt(&server, wolfSSL_new(sctx), to_peer, &client);
    ASSERT_EQ(tls_link_start(&client, cctx, sni, to_peer, &server), 0);
    enum tls_step cs = TLS_WANT_MORE, ss = TLS_WANT_MORE;
    for (int round = 0; round < 20 && (cs != TLS_DONE || ss != TLS_DONE); round++) {
        if (cs != TLS_DONE) cs = tls_link_handshake(&client, true, err, sizeof err);
        if (cs == TLS_ERROR) FAIL_AT("client: %s", err);
        if (ss != TLS_DONE) ss = tls_link_handshake(&server, false, err, sizeof err);
        if (ss == TLS_ERROR) FAIL_AT("server: %s", err);
    }
    ASSERT_EQ(cs, TLS_DONE);
    ASSERT_EQ(ss, TLS_DONE);
    tls_link_facts(&client, r, sni);

    /* Application data flows both ways through the same buffers. */
    char buf[64];
    ASSERT_EQ(tls_link_write(&client, "EHLO x\r\n", 8), 0);
    ASSERT_EQ(tls_link_read(&server, buf, sizeof buf), 8);
    ASSERT(memcmp(buf, "EHLO x\r\n", 8) == 0);
    ASSERT_EQ(tls_link_read(&client, buf, sizeof buf), 0); /* nothing yet: want more */

    tls_link_free(&client);
    tls_link_free(&server);
    tls_client_ctx_free(cctx);
    wolfSSL_CTX_free(sctx);
}

static void handshake(const char *ca, const char *sni, struct probe_result *r)
{
    handshake_with(ca, sni, r, NULL);
}

static void load_dh(WOLFSSL_CTX *sctx, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", STS_TEST_DATA, file);
    ASSERT_EQ(wolfSSL_CTX_SetTmpDH_file(sctx, path, WOLFSSL_FILETYPE_PEM), WOLFSSL_SUCCESS);
}

static void tls12_dhe(WOLFSSL_CTX *sctx)
{
    ASSERT_EQ(wolfSSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION), WOLFSSL_SUCCESS);
    ASSERT_EQ(wolfSSL_CTX_set_cipher_list(sctx, "DHE-RSA-AES256-GCM-SHA384"), WOLFSSL_SUCCESS);
    load_dh(sctx, "dh2048.pem");
}

static void tls13_ffdhe(WOLFSSL_CTX *sctx)
{
    int groups[] = {WOLFSSL_FFDHE_2048};
    ASSERT_EQ(wolfSSL_CTX_set_groups(sctx, groups, 1), WOLFSSL_SUCCESS);
}

TEST_IMPL(tls_memory_kex_groups)
{
    /* Finite-field DHE says so, with its size: a survey finds 1024-bit groups. */
    ASSERT_EQ(wolfSSL_Init(), WOLFSSL_SUCCESS);
    struct probe_result r;
    probe_result_init(&r);
    handshake_with("ca.pem", "mx.test.example", &r, tls12_dhe);
    ASSERT_STR_EQ(r.tls_version, "TLSv1.2");
    ASSERT_STR_EQ(r.cipher, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
    /* RFC 7919's prime is negotiated by name, in TLS 1.2 too (a server's own
     * prime, as OpenSSL's servers send it, is DH-<bits>: see the lab). */
    ASSERT_STR_EQ(r.kex_group, "ffdhe2048");
    probe_result_free(&r);
    probe_result_init(&r);
    handshake_with("ca.pem", "mx.test.example", &r, tls13_ffdhe);
    ASSERT_STR_EQ(r.tls_version, "TLSv1.3");
    ASSERT_STR_EQ(r.kex_group, "ffdhe2048");
    probe_result_free(&r);
    wolfSSL_Cleanup();
}

TEST_IMPL(tls_memory_handshake)
{
    ASSERT_EQ(wolfSSL_Init(), WOLFSSL_SUCCESS);
    struct probe_result r;
    probe_result_init(&r);
    handshake("ca.pem", "mx.test.example", &r);
    ASSERT_STR_EQ(r.tls_version, "TLSv1.3");
    ASSERT_STR_EQ(r.kex_group, "x25519");
    ASSERT(strncmp(r.cipher, "TLS_AES_", 8) == 0);
    ASSERT_EQ(r.chain_valid, TRI_YES);
    ASSERT_EQ(r.hostname_match, TRI_YES);
    ASSERT_STR_EQ(r.cert.serial, "1234AB");
    probe_result_free(&r);

    /* The same server, trusted by nobody we know, under another name. */
    probe_result_init(&r);
    handshake("leaf-ec.pem", "other.example", &r);
    ASSERT_EQ(r.chain_valid, TRI_NO);
    ASSERT(strstr(r.chain_error.p, "unable to get local issuer certificate") != NULL);
    ASSERT_EQ(r.hostname_match, TRI_NO);
    probe_result_free(&r);
    wolfSSL_Cleanup();
}
