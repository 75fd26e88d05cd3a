/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The texts a domain publishes about its mail transport (issue 15), parsed
 * strictly: pure functions over the bytes received, every one of which is
 * hostile input.
 *
 *   MTA-STS TXT (RFC 8461 3.1): "v=STSv1; id=ID;" at _mta-sts.<domain>.
 *   MTA-STS policy (RFC 8461 3.2): "key: value" lines (CRLF or LF) at
 *       https://mta-sts.<domain>/.well-known/mta-sts.txt.
 *   TLS-RPT TXT (RFC 8460 3): "v=TLSRPTv1; rua=URI[,URI]" at _smtp._tls.<domain>.
 *
 * Decisions where the RFCs leave room (DESIGN.md): a policy's version, mode
 * or max_age given twice is malformed (not "the first wins"); enforce and
 * testing need at least one mx; max_age is at most 31557600. */
#ifndef STS_POLICY_H
#define STS_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/base/buf.h"

#define POLICY_ID_MAX 32

/* TXT RDATA as one string: its character-strings joined (RFC 7208 3.3
 * style). 0, or -1 when a length runs past the end. */
int txt_join(const unsigned char *rdata, size_t len, struct buf *out);

/* The TXT records of one answer, each joined from its own strings only,
 * however many there are: n strings (txt[i], lens[i]) for the pickers below. */
struct txt_records {
    struct buf text; /* the records one after another, each followed by a NUL */
    size_t *off, *lens;
    const char **txt; /* into text */
    int n;
};
/* Adds one record's RDATA: 0, or -1 when a length runs past its end or
 * memory runs out (the set is unchanged). */
int txt_records_add(struct txt_records *t, const unsigned char *rdata, size_t len);
void txt_records_free(struct txt_records *t);

/* Of several TXT strings at _mta-sts, the one record that begins with
 * "v=STSv1" and its id: 1 found, 0 none begins so (no policy), -1 malformed
 * or more than one (why says which). */
int sts_txt_pick(const char *const *txt, const size_t *lens, int n, char id[POLICY_ID_MAX + 1],
                 const char **why);

enum sts_mode { STS_NONE, STS_TESTING, STS_ENFORCE };

struct sts_policy {
    enum sts_mode mode;
    uint32_t max_age;
    int nmx;
    struct buf mx; /* the patterns, each lower case and followed by a NUL; "*.example.com" for a wildcard */
};

/* The policy body, however many mx lines it has: 0, or -1 with why (out
 * is then empty). sts_policy_free frees it either way. */
int sts_policy_parse(const char *body, size_t len, struct sts_policy *out, const char **why);
void sts_policy_free(struct sts_policy *p);
/* The patterns one after another: the next at *pos, NULL after the last. */
const char *sts_policy_mx(const struct sts_policy *p, size_t *pos);
/* Whether host (an MX host name) matches one of the policy's patterns: an
 * exact name, or "*." and then exactly one more label (RFC 8461 4.1). */
int sts_mx_matches(const struct sts_policy *p, const char *host);
const char *sts_mode_name(enum sts_mode m);

/* Of the TXT strings at _smtp._tls, the one record that begins with
 * "v=TLSRPTv1": its rua URIs, comma-separated as published, into rua. 1
 * found, 0 none, -1 malformed or more than one (why). */
int tlsrpt_pick(const char *const *txt, const size_t *lens, int n, struct buf *rua, const char **why);

#endif
