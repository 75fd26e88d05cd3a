/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/grade.h"

#include <stdio.h>
#include <string.h>

#include "scanner/tls/names.h"

void rollup_init(struct rollup *r)
{
    memset(r, 0, sizeof *r);
    r->lowest_version = -1;
}

static void first(char *slot, size_t len, const struct row *row, const char *what)
{
    if (slot[0]) return;
    snprintf(slot, len, "%s [%s]: %s", row->mx_host ? row->mx_host : "?", row->ip ? row->ip : "?", what);
}

static bool answered(enum scan_status st)
{
    return st == ST_OK || st == ST_NO_STARTTLS || st == ST_STARTTLS_REFUSED || st == ST_TLS_FAILED;
}

static void add_tls(struct rollup *r, const struct row *row)
{
    const struct probe_result *p = row->result;
    int v = tls_version_bit_of_name(p->tls_version);
    if (v >= 0 && (r->lowest_version < 0 || v < r->lowest_version)) {
        r->lowest_version = v;
        snprintf(r->lowest_mx, sizeof r->lowest_mx, "%s", row->mx_host ? row->mx_host : "");
    }
    if (p->cert.present && p->cert.dates_valid && (!r->have_expiry || p->cert.not_after < r->earliest_expiry)) {
        r->earliest_expiry = p->cert.not_after;
        r->have_expiry = true;
        snprintf(r->expiry_mx, sizeof r->expiry_mx, "%s", row->mx_host ? row->mx_host : "");
    }
    if (v < tls_version_bit_of_name("TLSv1.2")) {
        first(r->old_tls, sizeof r->old_tls, row, p->tls_version[0] ? p->tls_version : "an unknown version");
        return;
    }
    r->modern++;
    if (p->chain_valid != TRI_YES)
        first(r->untrusted, sizeof r->untrusted, row,
              p->chain_error.p && p->chain_error.p[0] ? p->chain_error.p : "the chain is not valid");
    else if (p->hostname_match != TRI_YES)
        first(r->untrusted, sizeof r->untrusted, row, "the certificate does not name the MX host");
    else
        r->trusted++;
}

static void add_policies(struct rollup *r, const struct row *row)
{
    if (row->dane != DANE_NOT_LOOKED && row->dane != DANE_NONE) {
        r->dane_rows++;
        if (row->dane == DANE_VALID) r->dane_valid++;
        if (row->dane == DANE_INVALID || row->dane == DANE_ERROR) {
            r->dane_broken++;
            first(r->dane_bad, sizeof r->dane_bad, row,
                  row->dane == DANE_ERROR ? "the TLSA lookup failed (bogus?): DANE senders defer mail"
                                          : "authenticated TLSA records do not match: DANE senders refuse it");
        }
    }
    if (row->policy) r->sts = row->policy->mta_sts;
    if (row->sts_ok == TRI_YES) r->sts_ok++;
    if (row->sts_ok == TRI_NO) {
        r->sts_fail++;
        first(r->sts_bad, sizeof r->sts_bad, row,
              row->sts_mx_match == TRI_NO ? "not among the MTA-STS policy's mx patterns"
                                          : "fails the MTA-STS sender's check (TLS 1.2+, chain, name)");
    }
}

void rollup_add(struct rollup *r, const struct row *row)
{
    const struct probe_result *p = row->result;
    r->rows++;
    if (p->status == ST_NULL_MX) r->null_mx = true;
    if (p->status == ST_DNS_FAILED && !row->ip) r->dns_failed = true;
    if (!row->ip) return;
    r->addresses++;
    if (!answered(p->status)) return;
    r->reached++;
    add_policies(r, row);
    if (p->status != ST_OK) {
        first(r->no_tls, sizeof r->no_tls, row, status_name(p->status));
        return;
    }
    r->tls++;
    add_tls(r, row);
}

void rollup_grade(const struct rollup *r, char grade[2], char *reason, size_t len)
{
    grade[1] = '\0';
    reason[0] = '\0';
    if (r->reached == 0) {
        grade[0] = '-';
        snprintf(reason, len, "%s", r->null_mx ? "the domain accepts no mail (null MX)"
                               : r->dns_failed ? "DNS failed"
                               : r->addresses  ? "incomplete: no MX answered (timeouts, refusals)"
                                               : "no MX address to scan");
        return;
    }
    bool policy = (r->dane_rows > 0 && r->dane_valid == r->reached) ||
                  (r->sts == MTA_STS_ENFORCE && r->sts_fail == 0 && r->sts_ok > 0);
    if (r->tls == 0) {
        grade[0] = 'F';
        snprintf(reason, len, "no MX accepts STARTTLS (%s)", r->no_tls);
    } else if (r->tls < r->reached || r->modern < r->tls) {
        grade[0] = 'D';
        if (r->tls < r->reached)
            snprintf(reason, len, "no TLS: %s", r->no_tls);
        else
            snprintf(reason, len, "TLS below 1.2: %s", r->old_tls);
    } else if (r->trusted < r->modern || r->dane_broken || (r->sts == MTA_STS_ENFORCE && r->sts_fail)) {
        grade[0] = 'C';
        snprintf(reason, len, "%s", r->trusted < r->modern ? r->untrusted : r->dane_broken ? r->dane_bad : r->sts_bad);
    } else if (!policy) {
        grade[0] = 'B';
        snprintf(reason, len, "%s", r->sts == MTA_STS_TESTING ? "MTA-STS in testing mode only, and no valid DANE"
                               : r->dane_rows          ? "DANE does not cover every MX, and no enforced MTA-STS"
                                                       : "no DANE and no enforced MTA-STS policy");
    } else {
        grade[0] = 'A';
    }
    if (r->reached < r->addresses) {
        size_t n = strlen(reason);
        snprintf(reason + n, len - n, "%s(incomplete: %d of %d MX addresses did not answer)", n ? " " : "",
                 r->addresses - r->reached, r->addresses);
    }
}
