/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A probe's DANE verdict: the TLSA lookup of its (host, port) against the
 * chain its server sent (RFC 7672), once both are in. */
#include "scanner/engine/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/engine/tlsa.h"
#include "scanner/tls/dane.h"
#include "scanner/tls/tlslink.h"

/* Splits a 4-octet-length framed list of DER certificates. */
static int split_chain(const struct buf *b, const unsigned char **certs, size_t *lens, int max)
{
    size_t pos = 0;
    int n = 0;
    const unsigned char *p = (const unsigned char *)b->data;
    while (n < max && pos + 4 <= b->len) {
        size_t len = (size_t)p[pos] << 24 | (size_t)p[pos + 1] << 16 | (size_t)p[pos + 2] << 8 | p[pos + 3];
        if (len > b->len - pos - 4) break;
        certs[n] = p + pos + 4;
        lens[n++] = len;
        pos += 4 + len;
    }
    return n;
}

/* The TLSA RDATAs (2-octet length framed), every one of them, parsed into
 * *out (allocated; NULL when there are none); a record that does not parse
 * (a digest of the wrong length) is dropped: it is unusable. */
static int split_tlsa(const struct buf *b, struct tlsa_rr **out)
{
    const unsigned char *p = (const unsigned char *)b->data;
    size_t frames = 0;
    for (size_t pos = 0; pos + 2 <= b->len; pos += 2 + ((size_t)p[pos] << 8 | p[pos + 1])) frames++;
    *out = frames ? calloc(frames, sizeof **out) : NULL;
    if (!*out) return 0;
    size_t pos = 0;
    int n = 0;
    while (pos + 2 <= b->len) {
        size_t len = (size_t)p[pos] << 8 | p[pos + 1];
        if (len > b->len - pos - 2) break;
        if (tlsa_parse(p + pos + 2, len, &(*out)[n]) == 0) n++;
        pos += 2 + len;
    }
    return n;
}

static void verdict(struct probe_result *r, enum dane_status st, enum policy_reason code, const char *why)
{
    r->dane = st;
    r->dane_why = code;
    if (why && *why) text_set_str(&r->dane_error, why);
}

/* Authenticated records against the chain as sent; names: the MX host. */
static void match_chain(struct probe_result *r, const struct tlsa_rr *rrs, int n, const char *host)
{
    const unsigned char *certs[TLS_CHAIN_MAX];
    size_t lens[TLS_CHAIN_MAX];
    int ncerts = split_chain(&r->chain, certs, lens, TLS_CHAIN_MAX);
    const char *names[1] = {host};
    struct dane_outcome o;
    dane_check(rrs, n, certs, lens, ncerts, names, 1, &o);
    if (o.verdict == TLSA_UNUSABLE) {
        verdict(r, DANE_UNUSABLE, REASON_DANE_UNUSABLE, o.why);
    } else if (ncerts == 0 && r->starttls == TRI_NO) {
        char why[600];
        snprintf(why, sizeof why, "the server offers %s, which DANE requires",
                 policy_reason_marker(REASON_DANE_NO_STARTTLS));
        verdict(r, DANE_INVALID, REASON_DANE_NO_STARTTLS, why);
    } else if (ncerts == 0) {
        char why[600];
        snprintf(why, sizeof why, "no certificate to match%s%s", r->error.p && r->error.p[0] ? ": " : "",
                 r->error.p ? r->error.p : "");
        verdict(r, DANE_ERROR, REASON_DANE_LOOKUP, why);
    } else {
        bool valid = o.verdict == TLSA_MATCHED;
        verdict(r, valid ? DANE_VALID : DANE_INVALID, valid ? REASON_NONE : o.reason, o.why);
        if (o.ta_name_only) text_set(&r->dane_ta_leaf, (const char *)certs[0], lens[0]);
    }
}

void probe_dane_verdict(struct probe_result *r, const struct probe_result *tlsa, const char *host)
{
    if (tlsa->dane == DANE_ERROR || tlsa->dane == DANE_NONE) {
        verdict(r, tlsa->dane, tlsa->dane_why, tlsa->dane_error.p ? tlsa->dane_error.p : "");
    } else {
        text_set_str(&r->tlsa, tlsa->tlsa.p ? tlsa->tlsa.p : "");
        if (!tlsa->tlsa_authentic) {
            verdict(r, DANE_UNSIGNED, REASON_DANE_UNSIGNED,
                    "the resolver did not authenticate the TLSA records (no AD bit): unusable (RFC 7672 2.2)");
        } else {
            struct tlsa_rr *rrs = NULL;
            int n = split_tlsa(&tlsa->tlsa_wire, &rrs);
            match_chain(r, rrs, n, host);
            for (int i = 0; i < n; i++) tlsa_free(&rrs[i]);
            free(rrs);
        }
    }
    buf_free(&r->chain);
}
