/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One DNS lookup of a name and type on a worker's channel: the CNAME chain
 * followed across answers when the server did not, the outcome classified
 * (records, no data, NXDOMAIN, failed with a reason), and the AD bit read
 * back when it was asked for: authentic only when every answer of the
 * chain had it. One callback per lookup; it may run before the call
 * returns. */
#ifndef STS_LOOKUP_H
#define STS_LOOKUP_H

#include <stdbool.h>

#include "resolver/ares_uv.h"
#include "resolver/dnsmsg.h"

enum lookup_outcome { LK_RECORDS, LK_NODATA, LK_NXDOMAIN, LK_FAILED };

struct lookup_reply {
    enum lookup_outcome outcome;
    const char *error;         /* LK_FAILED: why */
    struct dns_answer *answer; /* LK_RECORDS only; the callee may take its records */
    bool authentic;            /* every answer of the chain had the AD bit */
    bool servfail;             /* LK_FAILED: the server answered SERVFAIL (a bogus signature, with a validating resolver) */
};

typedef void (*lookup_cb)(void *arg, struct lookup_reply *reply);

/* ad: set the AD bit in the query (RFC 6840 5.7) so that the answer's says
 * whether the validating resolver vouched for it. */
void dns_lookup(struct ares_uv *au, const char *name, int qtype, bool ad, lookup_cb cb, void *arg);
/* "NXDOMAIN", "no records", or the failure. */
const char *lookup_outcome_text(const struct lookup_reply *r);

#endif
