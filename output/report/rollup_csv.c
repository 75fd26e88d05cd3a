/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/rollup_csv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/rows/csv.h"
#include "scanner/tls/names.h"

static const char header[] =
    "domain,grade,reason,mx_count,mx_hosts,addresses,answered,starttls,lowest_tls,lowest_tls_mx,"
    "weakest_cipher,weakest_cipher_mx,weak_ciphers_accepted,cert_expires,cert_days_left,cert_expiry_mx,"
    "chains_valid,names_match,dane,mta_sts,mta_sts_passed,tls_rpt,evidence\r\n";

int rollup_csv_header(struct buf *out)
{
    return buf_append_str(out, header);
}

static int cell(struct buf *out, const char *s, int rc)
{
    if (rc || buf_append(out, ",", 1) != 0) return -1;
    return csv_quoted(out, s, strlen(s));
}

static int number(struct buf *out, int64_t v, bool present, int rc)
{
    char s[32] = "";
    if (present) snprintf(s, sizeof s, "%" PRId64, v);
    return cell(out, s, rc);
}

static const char *rpt_word(enum rpt_status s)
{
    switch (s) {
    case RPT_OK: return "yes";
    case RPT_NO_RECORD: return "no";
    case RPT_MALFORMED: return "malformed";
    case RPT_ERROR: return "error";
    default: return "";
    }
}

int rollup_csv_row(struct buf *out, const struct rollup_target *t)
{
    const struct rollup *r = t->rollup;
    char expires[32] = "";
    if (r->have_expiry) iso8601_utc(r->earliest_expiry, expires);
    const char *lowest = r->lowest_version >= 0 ? tls_version_bit_name(r->lowest_version) : "";
    size_t start = out->len;
    int rc = 0;
    rc = csv_quoted(out, t->domain, strlen(t->domain));
    rc = cell(out, t->grade, rc);
    rc = cell(out, t->reason, rc);
    rc = number(out, r->mx_count, r->mx_count > 0, rc);
    rc = cell(out, r->mx_hosts, rc);
    rc = number(out, r->addresses, true, rc);
    rc = number(out, r->reached, true, rc);
    rc = cell(out, rollup_starttls(r), rc);
    rc = cell(out, lowest, rc);
    rc = cell(out, lowest[0] ? r->lowest_mx : "", rc);
    rc = cell(out, r->weakest, rc);
    rc = cell(out, r->weakest[0] ? r->weakest_mx : "", rc);
    rc = cell(out, r->weak_accepted, rc);
    rc = cell(out, expires, rc);
    rc = number(out, r->expiry_days_left, r->have_expiry, rc);
    rc = cell(out, r->have_expiry ? r->expiry_mx : "", rc);
    rc = cell(out, tri_word(rollup_chains_valid(r)), rc);
    rc = cell(out, tri_word(rollup_names_match(r)), rc);
    rc = cell(out, domain_dane_names[rollup_dane(r)], rc);
    rc = cell(out, sts_status_name(r->sts), rc);
    rc = cell(out, tri_word(rollup_sts_passed(r)), rc);
    rc = cell(out, rpt_word(r->rpt), rc);
    char evidence[64];
    rollup_evidence(r, evidence, sizeof evidence);
    rc = cell(out, evidence, rc);
    if (rc == 0) rc = buf_append(out, "\r\n", 2);
    if (rc) out->len = start;
    return rc;
}
