/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: what the domain publishes about its mail transport (DANE,
 * MTA-STS, TLS-RPT), shown beside each address's verdict, and whether the
 * server violates a policy that senders enforce. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scanner/base/wordlist.h"
#include "scanner/cli/check.h"
#include "scanner/result/row.h"

/* One line of the transcript; what a server or a zone chose is escaped. */
__attribute__((format(printf, 1, 2))) static void line(const char *fmt, ...)
{
    char out[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    check_print_text("", out, strlen(out));
}

void check_print_domain_policy(const struct row *row)
{
    const struct domain_policy *p = row->policy;
    if (!p) return;
    const char *id = p->mta_sts_id[0] ? p->mta_sts_id : "";
    if (p->mta_sts == MTA_STS_ERROR)
        line("-- MTA-STS: error%s%s: %s", id[0] ? ", id " : "", id, p->mta_sts_error.p ? p->mta_sts_error.p : "");
    else if (p->mta_sts == MTA_STS_NO_POLICY)
        line("-- MTA-STS: no policy (no _mta-sts TXT record)");
    else if (p->mta_sts != MTA_STS_NOT_LOOKED) {
        struct buf mx = {0}, item = {0};
        size_t pos = 0;
        const char *l = p->mta_sts_mx.p ? p->mta_sts_mx.p : "";
        while (wordlist_next(l, p->mta_sts_mx.len, &pos, &item))
            buf_printf(&mx, "%s%.*s", mx.len ? ", " : "", (int)item.len, item.data);
        line("-- MTA-STS: mode %s, id %s, mx: %s", sts_status_name(p->mta_sts), id, mx.data ? mx.data : "(none)");
        buf_free(&mx);
        buf_free(&item);
    }
    if (p->tls_rpt == RPT_OK)
        line("-- TLS-RPT: reports go to %s", p->tls_rpt_text.p);
    else if (p->tls_rpt == RPT_NO_RECORD)
        line("-- TLS-RPT: no record");
    else if (p->tls_rpt != RPT_NOT_LOOKED)
        line("-- TLS-RPT: %s", p->tls_rpt_text.p ? p->tls_rpt_text.p : "");
    if (p->mx_secure != TRI_UNKNOWN)
        line("-- MX answer %s", p->mx_secure == TRI_YES ? "authenticated (DNSSEC)" : "not authenticated (no DNSSEC)");
}

/* The row's DANE and MTA-STS lines; 1 with why when it violates a policy
 * senders enforce: authenticated TLSA records that do not match (or a
 * bogus answer: senders defer), an MTA-STS policy in enforce mode that the
 * host fails. A testing policy's failure is a warning, as is an error in
 * fetching a policy (senders go on without one). */
int check_judge_policy(const struct row *row, const char *where, char *why, size_t len, char *warn, size_t wlen)
{
    const struct probe_result *r = row->result;
    const char *derr = row->dane_error ? row->dane_error : (r->dane_error.p ? r->dane_error.p : "");
    int bad = 0;
    warn[0] = '\0';
    if (row->dane != DANE_NOT_LOOKED) {
        line("-- %s: DANE %s%s%s", where, dane_status_name(row->dane), derr[0] ? ": " : "", derr);
        if (r->tlsa.len) line("   TLSA: %s", r->tlsa.p);
    }
    if (row->dane == DANE_INVALID || row->dane == DANE_ERROR) {
        snprintf(why, len, "DANE %s: %s", dane_status_name(row->dane), derr);
        bad = 1;
    }
    const struct domain_policy *p = row->policy;
    if (p && (p->mta_sts == MTA_STS_ENFORCE || p->mta_sts == MTA_STS_TESTING) && row->sts_ok != TRI_UNKNOWN) {
        const char *what = row->sts_mx_match == TRI_NO ? "the host is not among the policy's mx patterns"
                           : row->sts_ok == TRI_NO ? "TLS 1.2+, a valid chain and name are needed"
                                                   : "";
        line("-- %s: MTA-STS %s%s", where, row->sts_ok == TRI_YES ? "passes" : "FAILS: ", what);
        if (row->sts_ok == TRI_NO && p->mta_sts == MTA_STS_ENFORCE && !bad) {
            snprintf(why, len, "MTA-STS policy (enforce) violated: %s", what);
            bad = 1;
        } else if (row->sts_ok == TRI_NO) {
            snprintf(warn, wlen, "MTA-STS policy (testing) violated: %s", what);
        }
    }
    if (p && p->mta_sts == MTA_STS_ERROR && !warn[0])
        snprintf(warn, wlen, "the MTA-STS policy cannot be used: %s", p->mta_sts_error.p ? p->mta_sts_error.p : "");
    return bad;
}
