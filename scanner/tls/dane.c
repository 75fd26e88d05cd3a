/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/dane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include "scanner/tls/certder.h"
#include "scanner/tls/certfacts.h"

int tlsa_parse(const unsigned char *rdata, size_t len, struct tlsa_rr *out)
{
    memset(out, 0, sizeof *out);
    if (len < 4) return -1;
    out->usage = rdata[0];
    out->selector = rdata[1];
    out->mtype = rdata[2];
    out->len = len - 3;
    if ((out->mtype == 1 && out->len != WC_SHA256_DIGEST_SIZE) ||
        (out->mtype == 2 && out->len != WC_SHA512_DIGEST_SIZE))
        return -1;
    if (!(out->data = malloc(out->len))) return -1;
    memcpy(out->data, rdata + 3, out->len);
    return 0;
}

void tlsa_free(struct tlsa_rr *rr)
{
    free(rr->data);
    rr->data = NULL;
    rr->len = 0;
}

int tlsa_text(const struct tlsa_rr *rrs, int n, size_t hex_cap, struct buf *out)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const struct tlsa_rr *r = &rrs[i];
        rc = buf_printf(out, "%s%u %u %u ", i ? "|" : "", r->usage, r->selector, r->mtype);
        size_t show = r->len * 2 > hex_cap ? hex_cap / 2 : r->len;
        for (size_t k = 0; k < show && rc == 0; k++) rc = buf_printf(out, "%02x", r->data[k]);
        if (rc == 0 && show < r->len) rc = buf_printf(out, "...");
    }
    return rc;
}

static int usable(const struct tlsa_rr *r)
{
    return (r->usage == 2 || r->usage == 3) && r->selector <= 1 && r->mtype <= 2;
}

/* Whether r's data is the selected part of the certificate (the whole DER,
 * or its public key) under r's matching type. */
static int matches(const struct tlsa_rr *r, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    size_t n = len;
    if (r->selector == 1 && der_spki(der, len, &p, &n) != 0) return 0;
    unsigned char d[WC_SHA512_DIGEST_SIZE];
    if (r->mtype == 0) return r->len == n && memcmp(r->data, p, n) == 0;
    if (r->mtype == 1) return wc_Sha256Hash(p, (word32)n, d) == 0 && memcmp(r->data, d, WC_SHA256_DIGEST_SIZE) == 0;
    return wc_Sha512Hash(p, (word32)n, d) == 0 && memcmp(r->data, d, WC_SHA512_DIGEST_SIZE) == 0;
}

/* DANE-TA with the anchor at depth ta (the chain's certs[ta], or, when
 * ta == ncerts, the record's own certificate: the issuer of the chain's
 * top): every certificate below it verifies up to it (else 0), and the
 * leaf names one of the reference identifiers (1; 2 when it names none).
 * Why not, in out's why and reason. (An anchor or a depth that is no CA
 * stays REASON_DANE_NO_MATCH, as its message has no marker.) */
static int ta_chain_ok(const unsigned char *const *certs, const size_t *lens, int ta,
                       const unsigned char *anchor, size_t anchor_len, const char *const *names,
                       int nnames, struct dane_outcome *out)
{
    char *why = out->why;
    size_t whylen = sizeof out->why;
    out->reason = REASON_DANE_NO_MATCH;
    WOLFSSL_CERT_MANAGER *cm = wolfSSL_CertManagerNew();
    int ok = cm && wolfSSL_CertManagerLoadCABuffer(cm, anchor, (long)anchor_len, WOLFSSL_FILETYPE_ASN1) ==
                       WOLFSSL_SUCCESS;
    if (!ok) snprintf(why, whylen, "the trust anchor at depth %d is not a CA certificate (or has expired)", ta);
    for (int j = ta - 1; ok && j >= 0; j--) {
        int rc = wolfSSL_CertManagerVerifyBuffer(cm, certs[j], (long)lens[j], WOLFSSL_FILETYPE_ASN1);
        if (rc != WOLFSSL_SUCCESS) {
            char err[WOLFSSL_MAX_ERROR_SZ];
            wolfSSL_ERR_error_string_n((unsigned long)rc, err, sizeof err);
            snprintf(why, whylen, "the chain %s up to the trust anchor at depth %d: depth %d: %s",
                     policy_reason_marker(REASON_DANE_TA_CHAIN), ta, j, err);
            out->reason = REASON_DANE_TA_CHAIN;
            ok = 0;
        } else if (j > 0 &&
                   wolfSSL_CertManagerLoadCABuffer(cm, certs[j], (long)lens[j], WOLFSSL_FILETYPE_ASN1) !=
                       WOLFSSL_SUCCESS) {
            snprintf(why, whylen, "depth %d is not a CA certificate", j);
            ok = 0;
        }
    }
    if (cm) wolfSSL_CertManagerFree(cm);
    int named = 0;
    for (int k = 0; ok && k < nnames && !named; k++)
        named = certfacts_name_matches(certs[0], lens[0], names[k]) == TRI_YES;
    if (ok && !named) {
        snprintf(why, whylen, "the chain reaches the trust anchor, but the certificate %s %s%s",
                 policy_reason_marker(REASON_DANE_TA_NAME), nnames > 0 ? names[0] : "the MX host",
                 nnames > 1 ? " (nor the domain)" : "");
        out->reason = REASON_DANE_TA_NAME;
        return 2;
    }
    return ok;
}

void dane_check(const struct tlsa_rr *rrs, int n, const unsigned char *const *certs, const size_t *lens,
                int ncerts, const char *const *names, int nnames, struct dane_outcome *out)
{
    out->verdict = TLSA_UNUSABLE;
    out->matched = -1;
    out->ta_name_only = 0;
    out->why[0] = '\0';
    out->reason = REASON_NONE;
    int nusable = 0, ta_keys = 0;
    for (int i = 0; i < n; i++) {
        const struct tlsa_rr *r = &rrs[i];
        if (!usable(r)) continue;
        nusable++;
        if (ncerts < 1) continue;
        if (r->usage == 3 && matches(r, certs[0], lens[0])) {
            out->verdict = TLSA_MATCHED;
            out->matched = i;
            snprintf(out->why, sizeof out->why, "%u %u %u matched the leaf", r->usage, r->selector, r->mtype);
            return;
        }
        if (r->usage != 2) continue;
        int found = 0;
        for (int d = 1; d < ncerts && !found; d++) {
            if (!matches(r, certs[d], lens[d])) continue;
            found = 1;
            int ta = ta_chain_ok(certs, lens, d, certs[d], lens[d], names, nnames, out);
            if (ta == 2) out->ta_name_only = 1;
            if (ta == 1) {
                out->verdict = TLSA_MATCHED;
                out->matched = i;
                snprintf(out->why, sizeof out->why, "%u %u %u matched the trust anchor at depth %d",
                         r->usage, r->selector, r->mtype, d);
                return;
            }
        }
        if (!found && r->selector == 0 && r->mtype == 0) {
            /* "2 0 0": the anchor itself, which the chain need not hold
             * (RFC 7671 5.2.2): it must have issued the chain's top. */
            int ta = ta_chain_ok(certs, lens, ncerts, r->data, r->len, names, nnames, out);
            if (ta == 2) out->ta_name_only = 1;
            if (ta == 1) {
                out->verdict = TLSA_MATCHED;
                out->matched = i;
                snprintf(out->why, sizeof out->why, "2 0 0 matched: the record's certificate issued the chain's top");
                return;
            }
            continue;
        }
        if (!found) ta_keys++;
    }
    if (nusable == 0) {
        snprintf(out->why, sizeof out->why, "no usable record: PKIX-TA and PKIX-EE are unusable for SMTP "
                                            "(RFC 7672 3.1.3), and unknown parameters are too");
        return;
    }
    out->verdict = TLSA_NO_MATCH;
    if (out->why[0]) return; /* a trust anchor matched, but the chain or the name did not */
    out->reason = REASON_DANE_NO_MATCH;
    char spki[65] = "";
    if (ncerts > 0) cert_spki_sha256(certs[0], lens[0], spki);
    snprintf(out->why, sizeof out->why, "no record matches the chain as sent (the leaf's SPKI SHA-256 is "
                                        "%s)%s", spki[0] ? spki : "unreadable",
             ta_keys ? "; a DANE-TA digest of a certificate not in the chain cannot be matched (RFC 7671 "
                       "5.2.2: the server must send it)" : "");
}
