/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/chainverify.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/sha256.h>

/* A bounded table: when it is three quarters full it starts again empty,
 * so memory stays fixed however many distinct chains a survey meets. */
#define SLOTS (1u << 16)

/* Ours, beside wolfSSL's negative codes: a leaf whose extended key usage
 * leaves out serverAuth (OpenSSL's X509_V_ERR_INVALID_PURPOSE). */
#define BAD_PURPOSE 1

struct slot {
    uint8_t key[WC_SHA256_DIGEST_SIZE];
    uint8_t used;
    int8_t depth;
    int error; /* 0: valid; else wolfSSL's (negative) code */
};

struct chain_verifier {
    WOLFSSL_CERT_MANAGER *cm;
    pthread_mutex_t lock;
    struct slot *slots;
    size_t used;
    unsigned long lookups, hits;
};

int chain_store_sha256(const char *ca_file, char out[65])
{
    FILE *f = fopen(ca_file ? ca_file : CHAIN_SYSTEM_STORE, "rb");
    wc_Sha256 h;
    unsigned char chunk[16384], digest[WC_SHA256_DIGEST_SIZE];
    size_t n;
    int rc = f && wc_InitSha256(&h) == 0 ? 0 : -1;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = wc_Sha256Update(&h, chunk, (word32)n);
    if (rc == 0 && f && ferror(f)) rc = -1;
    if (rc == 0) rc = wc_Sha256Final(&h, digest);
    if (f) {
        wc_Sha256Free(&h);
        fclose(f);
    }
    for (int i = 0; rc == 0 && i < WC_SHA256_DIGEST_SIZE; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
    if (rc != 0) out[0] = '\0';
    return rc == 0 ? 0 : -1;
}

struct chain_verifier *chain_verifier_new(const char *ca_file, char *err, size_t errlen)
{
    struct chain_verifier *v = calloc(1, sizeof *v);
    if (!v || !(v->slots = calloc(SLOTS, sizeof *v->slots))) {
        snprintf(err, errlen, "out of memory");
        free(v);
        return NULL;
    }
    pthread_mutex_init(&v->lock, NULL);
    v->cm = wolfSSL_CertManagerNew();
    const char *store = ca_file ? ca_file : CHAIN_SYSTEM_STORE;
    if (!v->cm || wolfSSL_CertManagerLoadCA(v->cm, store, NULL) != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "cannot load the CA certificates from %s",
                 ca_file ? ca_file : "the system store");
        chain_verifier_free(v);
        return NULL;
    }
    return v;
}

void chain_verifier_free(struct chain_verifier *v)
{
    if (!v) return;
    if (v->cm) wolfSSL_CertManagerFree(v->cm);
    pthread_mutex_destroy(&v->lock);
    free(v->slots);
    free(v);
}

void chain_verifier_stats(struct chain_verifier *v, unsigned long *lookups, unsigned long *hits)
{
    pthread_mutex_lock(&v->lock);
    *lookups = v->lookups;
    *hits = v->hits;
    pthread_mutex_unlock(&v->lock);
}

static void chain_key(const unsigned char *const *certs, const size_t *lens, int n, uint8_t *key)
{
    wc_Sha256 sha;
    wc_InitSha256(&sha);
    for (int i = 0; i < n; i++) {
        uint8_t len[4] = {(uint8_t)(lens[i] >> 24), (uint8_t)(lens[i] >> 16), (uint8_t)(lens[i] >> 8),
                          (uint8_t)lens[i]};
        wc_Sha256Update(&sha, len, sizeof len);
        wc_Sha256Update(&sha, certs[i], (word32)lens[i]);
    }
    wc_Sha256Final(&sha, key);
    wc_Sha256Free(&sha);
}

/* The slot holding key, or the empty one where it belongs. Under the lock. */
static struct slot *find(struct chain_verifier *v, const uint8_t *key)
{
    size_t i;
    memcpy(&i, key, sizeof i);
    for (;; i++) {
        struct slot *s = &v->slots[i & (SLOTS - 1)];
        if (!s->used || memcmp(s->key, key, sizeof s->key) == 0) return s;
    }
}

static int lookup(struct chain_verifier *v, const uint8_t *key, int *error, int *depth)
{
    pthread_mutex_lock(&v->lock);
    v->lookups++;
    struct slot *s = find(v, key);
    int hit = s->used;
    if (hit) {
        v->hits++;
        *error = s->error;
        *depth = s->depth;
    }
    pthread_mutex_unlock(&v->lock);
    return hit;
}

static void remember(struct chain_verifier *v, const uint8_t *key, int error, int depth)
{
    pthread_mutex_lock(&v->lock);
    if (v->used >= SLOTS / 4 * 3) {
        memset(v->slots, 0, SLOTS * sizeof *v->slots);
        v->used = 0;
    }
    struct slot *s = find(v, key);
    if (!s->used) {
        memcpy(s->key, key, sizeof s->key);
        s->used = 1;
        s->error = error;
        s->depth = (int8_t)depth;
        v->used++;
    }
    pthread_mutex_unlock(&v->lock);
}

/* A client checks that the leaf may serve: no extended key usage, or one
 * that names serverAuth or any purpose (as OpenSSL's "ssl_server" purpose,
 * and so postfix, would). Read by certfacts from its parse of the leaf;
 * parsed here only when certfacts could not (known: its answer). */
static int for_servers(const unsigned char *der, size_t len, enum tri known)
{
    if (known != TRI_UNKNOWN) return known == TRI_YES;
    DecodedCert dc;
    wc_InitDecodedCert(&dc, der, (word32)len, NULL);
    int ok = wc_ParseCert(&dc, CERT_TYPE, NO_VERIFY, NULL) != 0 || !dc.extExtKeyUsageSet ||
             (dc.extExtKeyUsage & (EXTKEYUSE_SERVER_AUTH | EXTKEYUSE_ANY)) != 0;
    wc_FreeDecodedCert(&dc);
    return ok;
}

/* From the top of the chain down, as a verify callback would see it; the
 * first failure is the verdict. The store of trusted roots never changes:
 * the chain's own intermediates go into a scratch store for this chain
 * only, once they verify, so a server that omits its intermediate is not
 * rescued by another server that sent it. */
static void verify(struct chain_verifier *v, const unsigned char *const *certs, const size_t *lens,
                   int n, enum tri purpose, int *error, int *depth)
{
    WOLFSSL_CERT_MANAGER *scratch = NULL;
    *error = 0;
    *depth = 0;
    for (int i = n - 1; i >= 0; i--) {
        int rc = wolfSSL_CertManagerVerifyBuffer(v->cm, certs[i], (long)lens[i], WOLFSSL_FILETYPE_ASN1);
        if (rc == ASN_NO_SIGNER_E && scratch)
            rc = wolfSSL_CertManagerVerifyBuffer(scratch, certs[i], (long)lens[i],
                                                 WOLFSSL_FILETYPE_ASN1);
        if (rc == WOLFSSL_SUCCESS) {
            if (i > 0 && (scratch || (scratch = wolfSSL_CertManagerNew()) != NULL))
                wolfSSL_CertManagerLoadCABuffer(scratch, certs[i], (long)lens[i],
                                                WOLFSSL_FILETYPE_ASN1);
        } else if (*error == 0) {
            *error = rc < 0 ? rc : WOLFSSL_FATAL_ERROR; /* never taken for "valid" */
            *depth = i;
        }
    }
    if (scratch) wolfSSL_CertManagerFree(scratch);
    if (*error == 0 && !for_servers(certs[0], lens[0], purpose)) *error = BAD_PURPOSE;
}

static const char *error_text(int error, int depth, const struct cert_facts *leaf, char *buf,
                              size_t len)
{
    switch (error) {
    case BAD_PURPOSE: return "unsuitable certificate purpose";
    case ASN_AFTER_DATE_E: return "certificate has expired";
    case ASN_BEFORE_DATE_E: return "certificate is not yet valid";
    case ASN_SIG_CONFIRM_E:
    case ASN_SIG_KEY_E:
    case ASN_SIG_HASH_E:
    case ASN_SIG_OID_E: return "certificate signature failure";
    case ASN_PATHLEN_INV_E:
    case ASN_PATHLEN_SIZE_E: return "path length constraint exceeded";
    case NOT_CA_ERROR: return "invalid CA certificate";
    case ASN_SELF_SIGNED_E:
        return depth == 0 ? "self-signed certificate" : "self-signed certificate in certificate chain";
    case ASN_NO_SIGNER_E:
        /* An untrusted leaf that signed itself is the common lab and intranet case. */
        if (depth == 0 && leaf && leaf->present && leaf->subject.len == leaf->issuer.len &&
            memcmp(leaf->subject.p, leaf->issuer.p, leaf->subject.len) == 0)
            return "self-signed certificate";
        return "unable to get local issuer certificate";
    default: wolfSSL_ERR_error_string_n((unsigned long)error, buf, len); return buf;
    }
}

void chain_verify(struct chain_verifier *v, const unsigned char *const *certs, const size_t *lens,
                  int n, struct probe_result *r)
{
    uint8_t key[WC_SHA256_DIGEST_SIZE];
    int error, depth;
    chain_key(certs, lens, n, key);
    if (!lookup(v, key, &error, &depth)) {
        verify(v, certs, lens, n, r->cert.present ? r->cert.server_purpose : TRI_UNKNOWN, &error, &depth);
        remember(v, key, error, depth);
    }
    if (error == 0) {
        r->chain_valid = TRI_YES;
        return;
    }
    r->chain_valid = TRI_NO;
    char generic[WOLFSSL_MAX_ERROR_SZ];
    text_printf(&r->chain_error, "%s (depth %d)",
                error_text(error, depth, &r->cert, generic, sizeof generic), depth);
}
