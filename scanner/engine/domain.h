/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a mail domain publishes about its transport (MX mode): MTA-STS
 * (RFC 8461: the _mta-sts TXT record, then the policy over HTTPS) and
 * TLS-RPT (RFC 8460: the _smtp._tls TXT record), looked up beside the MX
 * resolution on the job's worker; and what they say of each row. */
#ifndef STS_DOMAIN_H
#define STS_DOMAIN_H

#include "resolver/ares_uv.h"
#include "scanner/mailpolicy/policy.h"
#include "scanner/engine/fetch.h"
#include "scanner/engine/options.h"
#include "scanner/result/row.h"

struct domain_env {
    const struct scan_options *opt;
    struct ares_uv *dns;
    const struct fetch_env *fetch;
};

/* The lookups' outcome, filled while they run. */
struct domain_state {
    struct domain_policy policy;
    struct sts_policy *sts; /* the parsed policy, when one was fetched */
};

/* Starts the lookups opt asks for (mta_sts, tls_rpt) into st; done(arg)
 * runs once when all are over (perhaps before this returns). */
void domain_lookup(const struct domain_env *env, const char *domain, struct domain_state *st,
                   void (*done)(void *arg), void *arg);
void domain_state_free(struct domain_state *st);

/* scanner/engine/domain_rows.c: the row's verdicts under the domain's
 * policies: DANE-TA with the domain as a name when the MX answer was
 * secure (RFC 7672 3.2.2), whether the MX host matches the MTA-STS policy,
 * and whether an MTA-STS sender would deliver to it (RFC 8461 4.2: a
 * matching host, STARTTLS, TLS 1.2 or later, a valid chain and name). */
void domain_row_verdicts(const struct domain_state *st, const char *domain, struct row *row);

#endif
