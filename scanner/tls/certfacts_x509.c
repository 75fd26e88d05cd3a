/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Certificate facts, the slow path: wolfSSL's X509 object (which builds an
 * EVP_PKEY, and with it two random generators), for what the fast path of
 * certfacts.c does not know; and the name helpers both paths share. */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/ec.h>
#include <wolfssl/openssl/evp.h>
#include <wolfssl/openssl/x509v3.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "scanner/base/wordlist.h"
#include "scanner/tls/certfacts_internal.h"
#include "scanner/tls/names.h"

/* RFC 4514 escaping of one attribute value. */
static int append_dn_value(struct buf *b, const unsigned char *v, int n)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        unsigned char c = v[i];
        int special = strchr(",+\"\\<>;=", c) != NULL || (i == 0 && (c == '#' || c == ' ')) ||
                      (i == n - 1 && c == ' ');
        if (special && c != '\0') rc = buf_append(b, "\\", 1);
        if (rc == 0) rc = buf_append(b, &c, 1);
    }
    return rc;
}

/* "CN=leaf,O=Org,C=US": RFC 4514 order (the last RDN first). */
int certfacts_format_name(WOLFSSL_X509_NAME *name, struct text *out)
{
    struct buf b = {0};
    int rc = 0;
    int count = name ? wolfSSL_X509_NAME_entry_count(name) : 0;
    for (int i = count - 1; rc == 0 && i >= 0; i--) {
        WOLFSSL_X509_NAME_ENTRY *e = wolfSSL_X509_NAME_get_entry(name, i);
        if (!e) continue;
        WOLFSSL_ASN1_OBJECT *obj = wolfSSL_X509_NAME_ENTRY_get_object(e);
        WOLFSSL_ASN1_STRING *data = wolfSSL_X509_NAME_ENTRY_get_data(e);
        const char *sn = obj ? wolfSSL_OBJ_nid2sn(wolfSSL_OBJ_obj2nid(obj)) : NULL;
        if (b.len) rc = buf_append(&b, ",", 1);
        if (rc == 0) rc = buf_printf(&b, "%s=", sn ? sn : "UNKNOWN");
        if (rc == 0 && data)
            rc = append_dn_value(&b, wolfSSL_ASN1_STRING_data(data), wolfSSL_ASN1_STRING_length(data));
    }
    if (rc == 0) rc = text_set(out, b.data ? b.data : "", b.len);
    buf_free(&b);
    return rc;
}

static WOLF_STACK_OF(WOLFSSL_GENERAL_NAME) * get_sans(WOLFSSL_X509 *x)
{
    return (WOLF_STACK_OF(WOLFSSL_GENERAL_NAME) *)wolfSSL_X509_get_ext_d2i(x, NID_subject_alt_name,
                                                                          NULL, NULL);
}

int certfacts_format_ip(const unsigned char *p, int n, struct buf *b)
{
    char s[64];
    if (n == 4) {
        snprintf(s, sizeof s, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    } else if (n == 16) {
        size_t k = 0;
        for (int i = 0; i < 16; i += 2)
            k += (size_t)snprintf(s + k, sizeof s - k, "%s%x", i ? ":" : "", (p[i] << 8) | p[i + 1]);
    } else {
        snprintf(s, sizeof s, "IP?");
    }
    return buf_append_str(b, s);
}

static int format_sans(WOLFSSL_X509 *x, struct text *out)
{
    struct buf b = {0};
    int rc = 0;
    WOLF_STACK_OF(WOLFSSL_GENERAL_NAME) *sans = get_sans(x);
    int n = sans ? wolfSSL_sk_GENERAL_NAME_num(sans) : 0;
    /* wolfSSL's stack holds the names last first; print them in certificate order. */
    for (int i = n - 1; rc == 0 && i >= 0; i--) {
        WOLFSSL_GENERAL_NAME *g = wolfSSL_sk_GENERAL_NAME_value(sans, i);
        if (!g || (g->type != GEN_DNS && g->type != GEN_IPADD)) continue;
        WOLFSSL_ASN1_STRING *s = g->d.ia5;
        if (!s) continue;
        if (g->type == GEN_DNS)
            rc = wordlist_add(&b, wolfSSL_ASN1_STRING_data(s), (size_t)wolfSSL_ASN1_STRING_length(s));
        else if ((rc = wordlist_sep(&b)) == 0)
            rc = certfacts_format_ip(wolfSSL_ASN1_STRING_data(s), wolfSSL_ASN1_STRING_length(s), &b);
    }
    if (sans) wolfSSL_GENERAL_NAMES_free(sans);
    if (rc == 0) rc = text_set(out, b.data ? b.data : "", b.len);
    buf_free(&b);
    return rc;
}

static void format_key(WOLFSSL_X509 *x, char *out, size_t outlen)
{
    int type = wolfSSL_X509_get_pubkey_type(x);
    WOLFSSL_EVP_PKEY *pk = wolfSSL_X509_get_pubkey(x);
    int bits = pk ? wolfSSL_EVP_PKEY_bits(pk) : 0;
    if (type == RSAk) {
        snprintf(out, outlen, "RSA-%d", bits);
    } else if (type == ECDSAk) {
        const char *curve = NULL;
        WOLFSSL_EC_KEY *ec = pk ? wolfSSL_EVP_PKEY_get0_EC_KEY(pk) : NULL;
        const WOLFSSL_EC_GROUP *g = ec ? wolfSSL_EC_KEY_get0_group(ec) : NULL;
        switch (g ? wolfSSL_EC_GROUP_get_curve_name(g) : 0) {
        case NID_X9_62_prime256v1: curve = "P256"; break;
        case NID_secp384r1: curve = "P384"; break;
        case NID_secp521r1: curve = "P521"; break;
        default: break;
        }
        if (curve)
            snprintf(out, outlen, "EC-%s", curve);
        else
            snprintf(out, outlen, "EC-%d", bits);
    } else if (type == ED25519k) {
        snprintf(out, outlen, "Ed25519");
    } else if (type == ED448k) {
        snprintf(out, outlen, "Ed448");
    } else if (type == DSAk) {
        snprintf(out, outlen, "DSA-%d", bits);
    } else {
        snprintf(out, outlen, "unknown");
    }
    if (pk) wolfSSL_EVP_PKEY_free(pk);
}

static void format_time(const WOLFSSL_ASN1_TIME *t, int64_t *out, int *ok)
{
    if (!t || asn1_time_parse((const char *)t->data, (size_t)t->length, out) != 0) *ok = 0;
}

/* The slow path: wolfSSL's X509 object (which builds an EVP_PKEY, and with
 * it two random generators), for what the fast path does not know. */
int certfacts_x509(const unsigned char *der, size_t len, struct cert_facts *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *p = der;
    WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, p, (int)len);
    if (!x) return -1;
    int rc = certfacts_format_name(wolfSSL_X509_get_subject_name(x), &out->subject);
    if (rc == 0) rc = certfacts_format_name(wolfSSL_X509_get_issuer_name(x), &out->issuer);
    if (rc == 0) rc = format_sans(x, &out->san);
    int dates_ok = 1;
    format_time(wolfSSL_X509_get_notBefore(x), &out->not_before, &dates_ok);
    format_time(wolfSSL_X509_get_notAfter(x), &out->not_after, &dates_ok);
    out->dates_valid = dates_ok;
    format_key(x, out->key, sizeof out->key);
    const char *sig = cert_sig_alg_name(wolfSSL_X509_get_signature_type(x));
    if (!sig) sig = wolfSSL_OBJ_nid2ln(wolfSSL_X509_get_signature_nid(x));
    snprintf(out->sig_alg, sizeof out->sig_alg, "%s", sig ? sig : "unknown");
    unsigned char digest[WC_SHA256_DIGEST_SIZE];
    if (wc_Sha256Hash(der, (word32)len, digest) == 0) {
        for (int i = 0; i < WC_SHA256_DIGEST_SIZE; i++) snprintf(out->sha256 + 2 * i, 3, "%02x", digest[i]);
    }
    wolfSSL_X509_free(x);
    out->present = (rc == 0);
    if (rc != 0) cert_facts_free(out);
    return rc;
}

/* RFC 6125 6.4.4: the subject's CNs, consulted only when there is no DNS SAN. */
int certfacts_cn_matches(WOLFSSL_X509_NAME *subject, const char *host)
{
    int count = subject ? wolfSSL_X509_NAME_entry_count(subject) : 0;
    for (int i = 0; i < count; i++) {
        WOLFSSL_X509_NAME_ENTRY *e = wolfSSL_X509_NAME_get_entry(subject, i);
        WOLFSSL_ASN1_OBJECT *obj = e ? wolfSSL_X509_NAME_ENTRY_get_object(e) : NULL;
        if (!obj || wolfSSL_OBJ_obj2nid(obj) != NID_commonName) continue;
        WOLFSSL_ASN1_STRING *d = wolfSSL_X509_NAME_ENTRY_get_data(e);
        if (d && hostname_pattern_matches((const char *)wolfSSL_ASN1_STRING_data(d),
                                          (size_t)wolfSSL_ASN1_STRING_length(d), host))
            return 1;
    }
    return 0;
}

enum tri certfacts_x509_name(const unsigned char *der, size_t len, const char *host)
{
    WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, der, (int)len);
    if (!x) return TRI_UNKNOWN;
    int matched = 0, had_dns = 0;
    WOLF_STACK_OF(WOLFSSL_GENERAL_NAME) *sans = get_sans(x);
    int n = sans ? wolfSSL_sk_GENERAL_NAME_num(sans) : 0;
    for (int i = 0; i < n && !matched; i++) {
        WOLFSSL_GENERAL_NAME *g = wolfSSL_sk_GENERAL_NAME_value(sans, i);
        if (!g || g->type != GEN_DNS || !g->d.ia5) continue;
        had_dns = 1;
        matched = hostname_pattern_matches((const char *)wolfSSL_ASN1_STRING_data(g->d.ia5),
                                           (size_t)wolfSSL_ASN1_STRING_length(g->d.ia5), host);
    }
    if (sans) wolfSSL_GENERAL_NAMES_free(sans);
    if (!had_dns) matched = certfacts_cn_matches(wolfSSL_X509_get_subject_name(x), host);
    wolfSSL_X509_free(x);
    return matched ? TRI_YES : TRI_NO;
}

