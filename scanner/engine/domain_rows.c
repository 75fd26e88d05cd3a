/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/domain.h"

#include <string.h>
#include <strings.h>

#include "scanner/tls/certfacts.h"

/* TLS 1.2 or later (RFC 8461 4.2 via RFC 8996's floor). */
static bool modern_tls(const char *v)
{
    return strcmp(v, "TLSv1.2") == 0 || strcmp(v, "TLSv1.3") == 0;
}

/* DANE-TA reached its anchor but the leaf does not name the MX host: with a
 * secure MX answer the domain is a reference identifier too. */
static void dane_with_domain(const struct domain_state *st, const char *domain, struct row *row)
{
    const struct probe_result *r = row->result;
    if (r->dane != DANE_INVALID || !r->dane_ta_leaf.len || st->policy.mx_secure != TRI_YES) return;
    if (row->mx_host && strcasecmp(row->mx_host, domain) == 0) return;
    if (certfacts_name_matches((const unsigned char *)r->dane_ta_leaf.p, r->dane_ta_leaf.len, domain) != TRI_YES)
        return;
    row->dane = DANE_VALID;
    row->dane_error = "a DANE-TA record matched the trust anchor, and the certificate names the domain "
                      "(the MX answer is secure: RFC 7672 3.2.2)";
}

void domain_row_verdicts(const struct domain_state *st, const char *domain, struct row *row)
{
    const struct probe_result *r = row->result;
    dane_with_domain(st, domain, row);
    if (!st->sts || !row->mx_host || !row->ip) return;
    row->sts_mx_match = sts_mx_matches(st->sts, row->mx_host) ? TRI_YES : TRI_NO;
    if (st->policy.mta_sts != MTA_STS_ENFORCE && st->policy.mta_sts != MTA_STS_TESTING) return;
    bool ok = row->sts_mx_match == TRI_YES && r->status == ST_OK && r->starttls != TRI_NO &&
              modern_tls(r->tls_version) && r->chain_valid == TRI_YES && r->hostname_match == TRI_YES;
    row->sts_ok = ok ? TRI_YES : TRI_NO;
}
