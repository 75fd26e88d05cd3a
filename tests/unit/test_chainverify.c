/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "scanner/tls/certfacts.h"
#include "scanner/tls/chainverify.h"
#include "tests/unit/test.h"
#include "tests/unit/testdata.h"

struct der {
    unsigned char data[8192];
    size_t len;
};

static void load(const char *name, struct der *d)
{
    d->len = load_der(name, d->data, sizeof d->data);
}

static struct chain_verifier *verifier(const char *ca)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s", STS_TEST_DATA, ca);
    struct chain_verifier *v = chain_verifier_new(path, err, sizeof err);
    if (!v) FAIL_AT("%s", err);
    return v;
}

/* The verdict, and the error text ("" when valid). */
static enum tri verdict(struct chain_verifier *v, const struct der *a, const struct der *b,
                        char *error, size_t cap)
{
    const unsigned char *certs[2] = {a->data, b ? b->data : NULL};
    size_t lens[2] = {a->len, b ? b->len : 0};
    struct probe_result r;
    probe_result_init(&r);
    chain_verify(v, certs, lens, b ? 2 : 1, &r);
    snprintf(error, cap, "%.*s", (int)r.chain_error.len, r.chain_error.p ? r.chain_error.p : "");
    enum tri t = r.chain_valid;
    probe_result_free(&r);
    return t;
}

TEST_IMPL(chainverify_verdicts_and_cache)
{
    ASSERT_EQ(wolfSSL_Init(), WOLFSSL_SUCCESS);
    static struct der leaf_int, int_ca, leaf_rsa, root;
    load("leaf-int.pem", &leaf_int);
    load("int-ca.pem", &int_ca);
    load("leaf-rsa.pem", &leaf_rsa);
    load("ca.pem", &root);
    char error[256];

    /* Under the test root: the leaf with its intermediate, then without it.
     * The intermediate seen first must not rescue the second chain. */
    struct chain_verifier *v = verifier("ca.pem");
    ASSERT_EQ(verdict(v, &leaf_int, &int_ca, error, sizeof error), TRI_YES);
    ASSERT_STR_EQ(error, "");
    ASSERT_EQ(verdict(v, &leaf_int, NULL, error, sizeof error), TRI_NO);
    ASSERT_STR_EQ(error, "unable to get local issuer certificate (depth 0)");
    ASSERT_EQ(verdict(v, &leaf_rsa, NULL, error, sizeof error), TRI_YES);
    /* A leaf for clients only, as `openssl verify -purpose sslserver` says. */
    static struct der leaf_client;
    load("leaf-clientauth.pem", &leaf_client);
    ASSERT_EQ(verdict(v, &leaf_client, NULL, error, sizeof error), TRI_NO);
    ASSERT_STR_EQ(error, "unsuitable certificate purpose (depth 0)");
    /* The same chains again come from the cache, with the same verdicts. */
    ASSERT_EQ(verdict(v, &leaf_int, &int_ca, error, sizeof error), TRI_YES);
    ASSERT_EQ(verdict(v, &leaf_int, NULL, error, sizeof error), TRI_NO);
    unsigned long lookups, hits;
    chain_verifier_stats(v, &lookups, &hits);
    ASSERT_EQ(lookups, 6);
    ASSERT_EQ(hits, 2);
    chain_verifier_free(v);

    /* As a handshake gives it: certfacts read the purpose from their parse,
     * and the verifier takes it from there (a fresh one: no cache). */
    v = verifier("ca.pem");
    const struct der *leaves[2] = {&leaf_client, &leaf_rsa};
    for (int i = 0; i < 2; i++) {
        struct probe_result r;
        probe_result_init(&r);
        ASSERT_EQ(certfacts_read(leaves[i]->data, leaves[i]->len, &r.cert, NULL, NULL), 0);
        ASSERT_EQ(r.cert.server_purpose, i == 0 ? TRI_NO : TRI_YES);
        const unsigned char *c[1] = {leaves[i]->data};
        size_t l[1] = {leaves[i]->len};
        chain_verify(v, c, l, 1, &r);
        ASSERT_EQ(r.chain_valid, i == 0 ? TRI_NO : TRI_YES);
        probe_result_free(&r);
    }
    chain_verifier_free(v);

    /* Trusting only the intermediate: its leaf is valid; the root, sent as
     * a leaf, is a self-signed stranger; a leaf under that root has no issuer. */
    v = verifier("int-ca.pem");
    ASSERT_EQ(verdict(v, &leaf_int, NULL, error, sizeof error), TRI_YES);
    ASSERT_EQ(verdict(v, &root, NULL, error, sizeof error), TRI_NO);
    ASSERT_STR_EQ(error, "self-signed certificate (depth 0)");
    ASSERT_EQ(verdict(v, &leaf_rsa, NULL, error, sizeof error), TRI_NO);
    ASSERT_STR_EQ(error, "unable to get local issuer certificate (depth 0)");
    /* A chain whose top fails: the first error is the top's. */
    ASSERT_EQ(verdict(v, &leaf_rsa, &root, error, sizeof error), TRI_NO);
    ASSERT_STR_EQ(error, "self-signed certificate in certificate chain (depth 1)");
    chain_verifier_free(v);
    wolfSSL_Cleanup();
}
