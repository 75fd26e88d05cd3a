#include "scanner/tls/certfacts.h"

#include "scanner/tls/certder.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/ec.h>
#include <wolfssl/openssl/evp.h>
#include <wolfssl/openssl/x509v3.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/sha256.h>

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int asn1_time_parse(const char *s, size_t len, int64_t *out)
{
    int year, mon, day, hour, min, sec;
    size_t ylen;
    if (len == 13) {
        ylen = 2;
    } else if (len == 15) {
        ylen = 4;
    } else {
        return -1;
    }
    if (s[len - 1] != 'Z' || digits(s, (int)ylen, &year) != 0) return -1;
    const char *p = s + ylen;
    if (digits(p, 2, &mon) || digits(p + 2, 2, &day) || digits(p + 4, 2, &hour) ||
        digits(p + 6, 2, &min) || digits(p + 8, 2, &sec))
        return -1;
    if (ylen == 2) year += year >= 50 ? 1900 : 2000; /* RFC 5280 4.1.2.5.1 */
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return -1;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm);
    return 0;
}

int hostname_pattern_matches(const char *pattern, size_t plen, const char *host)
{
    size_t hlen = strlen(host);
    if (plen > 0 && pattern[plen - 1] == '.') plen--;
    if (hlen > 0 && host[hlen - 1] == '.') hlen--;
    if (plen == 0 || memchr(pattern, '\0', plen)) return 0;
    if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        /* "*.example.com": the wildcard is the whole left-most label, stands
         * for exactly one label, and at least two labels must follow it. */
        const char *suffix = pattern + 1; /* ".example.com" */
        size_t slen = plen - 1;
        if (memchr(suffix + 1, '.', slen - 1) == NULL || memchr(suffix, '*', slen)) return 0;
        const char *dot = memchr(host, '.', hlen);
        if (!dot || dot == host) return 0;
        size_t rest = hlen - (size_t)(dot - host);
        return rest == slen && strncasecmp(dot, suffix, slen) == 0;
    }
    if (memchr(pattern, '*', plen)) return 0; /* partial wildcards are not honoured */
    return plen == hlen && strncasecmp(pattern, host, plen) == 0;
}

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
static int format_name(WOLFSSL_X509_NAME *name, struct text *out)
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

static int format_ip(const unsigned char *p, int n, struct buf *b)
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
        if (b.len) rc = buf_append(&b, " ", 1);
        if (rc != 0) break;
        if (g->type == GEN_DNS)
            rc = buf_append(&b, wolfSSL_ASN1_STRING_data(s), (size_t)wolfSSL_ASN1_STRING_length(s));
        else
            rc = format_ip(wolfSSL_ASN1_STRING_data(s), wolfSSL_ASN1_STRING_length(s), &b);
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
static int facts_x509(const unsigned char *der, size_t len, struct cert_facts *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *p = der;
    WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, p, (int)len);
    if (!x) return -1;
    int rc = format_name(wolfSSL_X509_get_subject_name(x), &out->subject);
    if (rc == 0) rc = format_name(wolfSSL_X509_get_issuer_name(x), &out->issuer);
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
static int cn_matches(WOLFSSL_X509_NAME *subject, const char *host)
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

static enum tri name_matches_x509(const unsigned char *der, size_t len, const char *host)
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
    if (!had_dns) matched = cn_matches(wolfSSL_X509_get_subject_name(x), host);
    wolfSSL_X509_free(x);
    return matched ? TRI_YES : TRI_NO;
}

/* Signature algorithms by wolfSSL's OID sum, named as OpenSSL names them
 * (openssl x509 -text: its long names), one table for both paths. */
static const struct {
    int oid;
    const char *name;
} sig_names[] = {
    {CTC_MD2wRSA, "md2WithRSAEncryption"},       {CTC_MD5wRSA, "md5WithRSAEncryption"},
    {CTC_SHAwRSA, "sha1WithRSAEncryption"},      {CTC_SHA224wRSA, "sha224WithRSAEncryption"},
    {CTC_SHA256wRSA, "sha256WithRSAEncryption"}, {CTC_SHA384wRSA, "sha384WithRSAEncryption"},
    {CTC_SHA512wRSA, "sha512WithRSAEncryption"}, {CTC_RSASSAPSS, "rsassaPss"},
    {CTC_SHAwECDSA, "ecdsa-with-SHA1"},          {CTC_SHA224wECDSA, "ecdsa-with-SHA224"},
    {CTC_SHA256wECDSA, "ecdsa-with-SHA256"},     {CTC_SHA384wECDSA, "ecdsa-with-SHA384"},
    {CTC_SHA512wECDSA, "ecdsa-with-SHA512"},     {CTC_ED25519, "ED25519"},
    {CTC_ED448, "ED448"},                        {CTC_SHAwDSA, "dsaWithSHA1"},
    {CTC_SHA256wDSA, "dsa_with_SHA256"},
};

const char *cert_sig_alg_name(int oid)
{
    for (size_t i = 0; i < sizeof sig_names / sizeof sig_names[0]; i++)
        if (sig_names[i].oid == oid) return sig_names[i].name;
    return NULL;
}

/* The fast path: wolfCrypt's DecodedCert, parsed once, no X509 object. */
static int key_name(const DecodedCert *dc, char *out, size_t outlen)
{
    if (dc->keyOID == RSAk) {
        const byte *n, *e;
        word32 idx = 0, nsz = 0, esz = 0;
        if (wc_RsaPublicKeyDecode_ex(dc->publicKey, &idx, dc->pubKeySize, &n, &nsz, &e, &esz) != 0)
            return -1;
        while (nsz > 0 && n[0] == 0) { /* as wolfSSL counts: whole bytes */
            n++;
            nsz--;
        }
        snprintf(out, outlen, "RSA-%u", nsz * 8);
        return 0;
    }
    const char *name = NULL;
    if (dc->keyOID == ECDSAk) {
        switch (dc->pkCurveOID) {
        case ECC_SECP256R1_OID: name = "EC-P256"; break;
        case ECC_SECP384R1_OID: name = "EC-P384"; break;
        case ECC_SECP521R1_OID: name = "EC-P521"; break;
        default: return -1;
        }
    } else if (dc->keyOID == ED25519k) {
        name = "Ed25519";
    } else if (dc->keyOID == ED448k) {
        name = "Ed448";
    } else {
        return -1;
    }
    snprintf(out, outlen, "%s", name);
    return 0;
}

static int decoded_time(const byte *p, int len, int64_t *out)
{
    const byte *date;
    byte format;
    int dlen;
    if (!p || wc_GetDateInfo(p, len, &date, &format, &dlen) != 0) return -1;
    return asn1_time_parse((const char *)date, (size_t)dlen, out);
}

static int decoded_sans(const DecodedCert *dc, struct text *out)
{
    struct buf b = {0};
    int rc = 0;
    for (const DNS_entry *d = dc->altNames; rc == 0 && d; d = d->next) {
        if (d->type != ASN_DNS_TYPE && d->type != ASN_IP_TYPE) continue;
        if (b.len) rc = buf_append(&b, " ", 1);
        if (rc != 0) break;
        if (d->type == ASN_DNS_TYPE)
            rc = buf_append(&b, d->name, (size_t)d->len);
        else
            rc = format_ip((const unsigned char *)d->name, d->len, &b);
    }
    if (rc == 0) rc = text_set(out, b.data ? b.data : "", b.len);
    buf_free(&b);
    return rc;
}

static enum tri decoded_name_matches(const DecodedCert *dc, const char *host)
{
    int had_dns = 0;
    for (const DNS_entry *d = dc->altNames; d; d = d->next) {
        if (d->type != ASN_DNS_TYPE) continue;
        had_dns = 1;
        if (hostname_pattern_matches(d->name, (size_t)d->len, host)) return TRI_YES;
    }
    if (had_dns) return TRI_NO;
    return cn_matches(dc->subjectName, host) ? TRI_YES : TRI_NO;
}

/* 0 done, 1 not for the fast path (the caller takes the slow one). */
static int facts_decoded(const DecodedCert *dc, const unsigned char *der, size_t len,
                         struct cert_facts *out)
{
    const char *sig = cert_sig_alg_name((int)dc->signatureOID);
    if (!sig || !dc->subjectName || !dc->issuerName || key_name(dc, out->key, sizeof out->key) != 0)
        return 1;
    int rc = format_name(dc->subjectName, &out->subject);
    if (rc == 0) rc = format_name(dc->issuerName, &out->issuer);
    if (rc == 0) rc = decoded_sans(dc, &out->san);
    if (rc != 0) return 1;
    out->dates_valid = decoded_time(dc->beforeDate, dc->beforeDateLen, &out->not_before) == 0 &&
                       decoded_time(dc->afterDate, dc->afterDateLen, &out->not_after) == 0;
    snprintf(out->sig_alg, sizeof out->sig_alg, "%s", sig);
    unsigned char digest[WC_SHA256_DIGEST_SIZE];
    if (wc_Sha256Hash(der, (word32)len, digest) == 0)
        for (int i = 0; i < WC_SHA256_DIGEST_SIZE; i++) snprintf(out->sha256 + 2 * i, 3, "%02x", digest[i]);
    out->present = 1;
    return 0;
}

/* Both of wolfSSL's parsers; 0, or -1 when neither reads it. */
static int read_with_wolfssl(const unsigned char *der, size_t len, struct cert_facts *out,
                             const char *host, enum tri *match)
{
    DecodedCert dc;
    memset(out, 0, sizeof *out);
    wc_InitDecodedCert(&dc, der, (word32)len, NULL);
    int fast = wc_ParseCert(&dc, CERT_TYPE, NO_VERIFY, NULL) == 0 && facts_decoded(&dc, der, len, out) == 0;
    if (fast && host && match) *match = decoded_name_matches(&dc, host);
    wc_FreeDecodedCert(&dc);
    if (fast) return 0;
    cert_facts_free(out);
    if (facts_x509(der, len, out) != 0) return -1;
    if (host && match) *match = name_matches_x509(der, len, host);
    return 0;
}

static void sha256_hex(const unsigned char *der, size_t len, char out[65])
{
    unsigned char digest[WC_SHA256_DIGEST_SIZE];
    out[0] = '\0';
    if (wc_Sha256Hash(der, (word32)len, digest) == 0)
        for (int i = 0; i < WC_SHA256_DIGEST_SIZE; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int certfacts_read(const unsigned char *der, size_t len, struct cert_facts *out, const char *host,
                   enum tri *match)
{
    const unsigned char *serial;
    size_t serial_len;
    int have_serial = der_serial(der, len, &serial, &serial_len) == 0;
    int rc = read_with_wolfssl(der, len, out, host, match);
    if (rc != 0 && have_serial && serial_len > WOLFSSL_SERIAL_MAX) {
        /* The rest of the certificate from a copy with a short serial; the
         * serial and the digest from the certificate itself. */
        struct buf copy = {0};
        if (der_with_short_serial(der, len, &copy) == 0)
            rc = read_with_wolfssl((const unsigned char *)copy.data, copy.len, out, host, match);
        buf_free(&copy);
        if (rc == 0) {
            out->long_serial = true;
            sha256_hex(der, len, out->sha256);
        }
    }
    if (rc != 0) return -1;
    /* The sign and the leading octets as encoded: wolfSSL drops a leading zero. */
    if (have_serial) serial_text(serial, serial_len, out->serial, sizeof out->serial);
    return 0;
}

int certfacts_from_der(const unsigned char *der, size_t len, struct cert_facts *out)
{
    return certfacts_read(der, len, out, NULL, NULL);
}

enum tri certfacts_name_matches(const unsigned char *der, size_t len, const char *host)
{
    struct cert_facts f;
    enum tri match = TRI_UNKNOWN;
    if (certfacts_read(der, len, &f, host, &match) != 0) return TRI_UNKNOWN;
    cert_facts_free(&f);
    return match;
}
