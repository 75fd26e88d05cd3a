/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/certfacts.h"

#include "scanner/base/wordlist.h"
#include "scanner/tls/certder.h"
#include "scanner/tls/certfacts_internal.h"
#include "scanner/tls/names.h"

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
        if (d->type == ASN_DNS_TYPE)
            rc = wordlist_add(&b, d->name, (size_t)d->len);
        else if (d->type == ASN_IP_TYPE && (rc = wordlist_sep(&b)) == 0)
            rc = certfacts_format_ip((const unsigned char *)d->name, d->len, &b);
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
    return certfacts_cn_matches(dc->subjectName, host) ? TRI_YES : TRI_NO;
}

/* 0 done, 1 not for the fast path (the caller takes the slow one). */
static int facts_decoded(const DecodedCert *dc, const unsigned char *der, size_t len,
                         struct cert_facts *out)
{
    const char *sig = cert_sig_alg_name((int)dc->signatureOID);
    if (!sig || !dc->subjectName || !dc->issuerName || key_name(dc, out->key, sizeof out->key) != 0)
        return 1;
    int rc = certfacts_format_name(dc->subjectName, &out->subject);
    if (rc == 0) rc = certfacts_format_name(dc->issuerName, &out->issuer);
    if (rc == 0) rc = decoded_sans(dc, &out->san);
    if (rc != 0) return 1;
    out->dates_valid = decoded_time(dc->beforeDate, dc->beforeDateLen, &out->not_before) == 0 &&
                       decoded_time(dc->afterDate, dc->afterDateLen, &out->not_after) == 0;
    snprintf(out->sig_alg, sizeof out->sig_alg, "%s", sig);
    /* Read here so the chain check need not parse the leaf again (issue 17). */
    out->server_purpose = !dc->extExtKeyUsageSet ||
                                  (dc->extExtKeyUsage & (EXTKEYUSE_SERVER_AUTH | EXTKEYUSE_ANY)) != 0
                              ? TRI_YES
                              : TRI_NO;
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
    if (certfacts_x509(der, len, out) != 0) return -1;
    if (host && match) *match = certfacts_x509_name(der, len, host);
    return 0;
}

static void sha256_hex(const unsigned char *der, size_t len, char out[65])
{
    unsigned char digest[WC_SHA256_DIGEST_SIZE];
    out[0] = '\0';
    if (wc_Sha256Hash(der, (word32)len, digest) == 0)
        for (int i = 0; i < WC_SHA256_DIGEST_SIZE; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void cert_spki_sha256(const unsigned char *der, size_t len, char out[65])
{
    const unsigned char *spki;
    size_t n;
    out[0] = '\0';
    if (der_spki(der, len, &spki, &n) == 0) sha256_hex(spki, n, out);
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
    cert_spki_sha256(der, len, out->spki_sha256);
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
