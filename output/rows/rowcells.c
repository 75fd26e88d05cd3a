/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/rowcells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"

void row_cells_reset(struct row_cells *c)
{
    for (int i = 0; i < COL_COUNT; i++) buf_reset(&c->v[i]);
}

void row_cells_free(struct row_cells *c)
{
    for (int i = 0; i < COL_COUNT; i++) buf_free(&c->v[i]);
    domain_policy_free(&c->policy);
}

static const char *cell(const struct row_cells *c, enum column_id id)
{
    return c->v[id].data ? c->v[id].data : "";
}

static int64_t number(const struct row_cells *c, enum column_id id, int64_t none)
{
    const char *s = cell(c, id);
    char *end;
    if (!*s) return none;
    long long v = strtoll(s, &end, 10);
    return *end ? none : (int64_t)v;
}

static void word(char *out, size_t cap, const struct row_cells *c, enum column_id id)
{
    snprintf(out, cap, "%s", cell(c, id));
}

/* A name of ours back to its value (-1: none of them). */
static int name_index(const char *s, const char *(*name)(int), int n)
{
    for (int i = 1; i < n; i++)
        if (strcmp(s, name(i)) == 0) return i;
    return -1;
}

static const char *dane_name(int i)
{
    return dane_status_name((enum dane_status)i);
}

static const char *sts_name(int i)
{
    /* "none" reads back as no policy (a policy in mode none has an id). */
    return i == MTA_STS_MODE_NONE ? "" : sts_status_name((enum sts_status)i);
}

/* The domain's columns, for the summary's counts. */
static void policy_from_cells(struct row_cells *c, struct row *row, struct probe_result *r)
{
    struct domain_policy *p = &c->policy;
    domain_policy_free(p);
    const char *sts = cell(c, COL_MTA_STS), *rpt = cell(c, COL_TLS_RPT);
    int v = name_index(cell(c, COL_DANE), dane_name, DANE_ERROR + 1);
    row->dane = v > 0 ? (enum dane_status)v : DANE_NOT_LOOKED;
    r->dane = row->dane;
    row->sts_mx_match = tri_of_word(cell(c, COL_MTA_STS_MX_MATCH), c->v[COL_MTA_STS_MX_MATCH].len);
    row->sts_ok = tri_of_word(cell(c, COL_MTA_STS_OK), c->v[COL_MTA_STS_OK].len);
    p->mx_secure = tri_of_word(cell(c, COL_MX_DNSSEC), c->v[COL_MX_DNSSEC].len);
    word(p->mta_sts_id, sizeof p->mta_sts_id, c, COL_MTA_STS_ID);
    v = name_index(sts, sts_name, MTA_STS_ERROR + 1);
    p->mta_sts = v > 0 ? (enum sts_status)v : MTA_STS_NOT_LOOKED;
    if (p->mta_sts == MTA_STS_NO_POLICY && p->mta_sts_id[0]) p->mta_sts = MTA_STS_MODE_NONE;
    text_set_str(&p->mta_sts_error, cell(c, COL_MTA_STS_ERROR));
    /* A file has the messages only: their reasons by the table's markers. */
    p->mta_sts_why = p->mta_sts == MTA_STS_ERROR ? policy_reason_read(RG_STS_ERROR, cell(c, COL_MTA_STS_ERROR))
                                                 : REASON_NONE;
    p->tls_rpt = !*rpt                                ? RPT_NO_RECORD
                 : strncmp(rpt, "malformed: ", 11) == 0 ? RPT_MALFORMED
                 : strncmp(rpt, "error: ", 7) == 0      ? RPT_ERROR
                                                        : RPT_OK;
    text_set_str(&p->tls_rpt_text, rpt);
    row->policy = *sts || p->mx_secure != TRI_UNKNOWN ? p : NULL;
}

void row_from_cells(struct row_cells *c, struct row *row, struct probe_result *r)
{
    probe_result_init(r);
    int st = status_of_name(cell(c, COL_STATUS), c->v[COL_STATUS].len);
    r->status = st >= 0 ? (enum scan_status)st : ST_PROTOCOL_ERROR;
    text_set_str(&r->error, cell(c, COL_ERROR));
    r->starttls = tri_of_word(cell(c, COL_STARTTLS), c->v[COL_STARTTLS].len);
    word(r->tls_version, sizeof r->tls_version, c, COL_TLS_VERSION);
    word(r->cipher, sizeof r->cipher, c, COL_CIPHER);
    word(r->kex_group, sizeof r->kex_group, c, COL_KEX_GROUP);
    word(r->handshake, sizeof r->handshake, c, COL_HANDSHAKE);
    word(r->versions, sizeof r->versions, c, COL_VERSIONS);
    word(r->cert.sha256, sizeof r->cert.sha256, c, COL_CERT_SHA256);
    word(r->cert.serial, sizeof r->cert.serial, c, COL_CERT_SERIAL);
    r->cert.present = r->cert.sha256[0] != '\0';
    const char *nb = cell(c, COL_CERT_NOT_BEFORE), *na = cell(c, COL_CERT_NOT_AFTER);
    r->cert.dates_valid = iso8601_parse(nb, strlen(nb), &r->cert.not_before) == 0 &&
                          iso8601_parse(na, strlen(na), &r->cert.not_after) == 0;
    const char *at = cell(c, COL_SCANNED_AT);
    if (iso8601_parse(at, strlen(at), &r->scanned_at) != 0) r->scanned_at = 0;
    r->chain_valid = tri_of_word(cell(c, COL_CHAIN_VALID), c->v[COL_CHAIN_VALID].len);
    r->hostname_match = tri_of_word(cell(c, COL_HOSTNAME_MATCH), c->v[COL_HOSTNAME_MATCH].len);
    r->connect_ms = number(c, COL_CONNECT_MS, -1);
    r->tls_ms = number(c, COL_TLS_MS, -1);
    r->attempts = (int)number(c, COL_ATTEMPTS, 0);
    memset(row, 0, sizeof *row);
    row->domain.p = (char *)cell(c, COL_DOMAIN);
    row->domain.len = c->v[COL_DOMAIN].len;
    row->mx_host = c->v[COL_MX_HOST].len ? cell(c, COL_MX_HOST) : NULL; /* as a scan's rows: NULL for none */
    row->mx_pref = (int)number(c, COL_MX_PREF, -1);
    row->mx_records = (int)number(c, COL_MX_RECORDS, 0);
    row->discovery = cell(c, COL_DISCOVERY);
    row->name_checked = cell(c, COL_NAME_CHECKED);
    row->ip = c->v[COL_IP].len ? cell(c, COL_IP) : NULL;
    row->port = (int)number(c, COL_PORT, 0);
    row->protocol = cell(c, COL_PROTOCOL);
    row->result = r;
    text_set_str(&r->dane_error, cell(c, COL_DANE_ERROR));
    text_set_str(&r->chain_error, cell(c, COL_CHAIN_ERROR));
    text_set_str(&r->cert.subject, cell(c, COL_CERT_SUBJECT));
    text_set_str(&r->cert.issuer, cell(c, COL_CERT_ISSUER));
    text_set_str(&r->ciphers, cell(c, COL_CIPHERS));
    text_set_str(&r->weak_ciphers, cell(c, COL_WEAK_CIPHERS));
    policy_from_cells(c, row, r);
    r->dane_why = policy_reason_read(dane_reason_group(r->dane), cell(c, COL_DANE_ERROR));
}
