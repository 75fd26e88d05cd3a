/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DANE for SMTP (RFC 7671, RFC 7672): TLSA records matched against the
 * chain a server really sent. Pure: the records come from DNS (their
 * DNSSEC status is the caller's), the chain from the handshake.
 *
 *   DANE-EE (3): the leaf's certificate (selector 0) or public key (1),
 *                exact (0), SHA-256 (1) or SHA-512 (2); names and dates
 *                are not checked (RFC 7672 3.1.1).
 *   DANE-TA (2): a certificate of the chain as sent, above the leaf, is the
 *                trust anchor; the chain below it must verify up to it
 *                (signatures and dates; the anchor's own dates are not
 *                checked) and the leaf must match one of the reference
 *                names (the MX host; the domain too when the MX answer was
 *                secure: RFC 7672 3.2.2). A "2 0 0" record holds the
 *                anchor itself, which may be the issuer of the chain's top
 *                without being sent (RFC 7671 5.2.2). A digest ("2 x 1",
 *                "2 x 2") of a certificate not sent cannot be matched, nor
 *                can a "2 1 0" bare key (no signature check from a key
 *                alone here): said so in the reason.
 *   PKIX-TA (0), PKIX-EE (1): unusable for SMTP (RFC 7672 3.1.3: MTAs have
 *                no common trust store), reported as unusable, never
 *                matched; so are unknown usages, selectors and types. */
#ifndef STS_DANE_H
#define STS_DANE_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/base/buf.h"
#include "scanner/result/reason.h"

struct tlsa_rr {
    uint8_t usage, selector, mtype;
    size_t len;
    unsigned char *data;
};

/* A TLSA RDATA (type 52): 0, or -1 (shorter than 4 octets, or a SHA-256 /
 * SHA-512 digest of the wrong length). Free with tlsa_free. */
int tlsa_parse(const unsigned char *rdata, size_t len, struct tlsa_rr *out);
void tlsa_free(struct tlsa_rr *rr);

/* "usage selector mtype hex" for each, '|'-separated; hex longer than
 * hex_cap digits is cut and ends in "...". */
int tlsa_text(const struct tlsa_rr *rrs, int n, size_t hex_cap, struct buf *out);

enum dane_verdict {
    TLSA_MATCHED,    /* a usable record matched */
    TLSA_NO_MATCH,   /* usable records, none matched */
    TLSA_UNUSABLE,   /* no usable record at all (only PKIX-*, unknown parameters) */
};

struct dane_outcome {
    enum dane_verdict verdict;
    int matched;     /* the record's index, -1: none */
    int ta_name_only; /* no match, but a DANE-TA chain reached its anchor: only the names failed */
    char why[300];   /* what matched, or why nothing did */
    enum policy_reason reason; /* TLSA_NO_MATCH: why, as a code */
};

/* certs[0] is the leaf, as sent; names: the reference identifiers. */
void dane_check(const struct tlsa_rr *rrs, int n, const unsigned char *const *certs, const size_t *lens,
                int ncerts, const char *const *names, int nnames, struct dane_outcome *out);

#endif
