/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/columns.h"

#include <string.h>

const char *const column_names[COL_COUNT] = {
    "domain",        "mx_host",         "mx_pref",        "ip",
    "port",          "protocol",        "status",         "error",
    "banner",        "starttls",        "tls_version",    "cipher",
    "kex_group",     "cert_subject",    "cert_issuer",    "cert_san",
    "cert_serial",   "cert_not_before", "cert_not_after", "cert_days_left",
    "cert_key",      "cert_sig_alg",    "cert_sha256",    "chain_valid",
    "chain_error",   "hostname_match",  "connect_ms",     "tls_ms",
    "scanned_at",    "auth_mechs",      "auth_mechs_plain", "handshake",
    "versions",      "attempts",        "dane",           "dane_error",
    "tlsa",          "mx_dnssec",       "cert_spki_sha256", "mta_sts",
    "mta_sts_error", "mta_sts_id",      "mta_sts_mx_match", "mta_sts_ok",
    "tls_rpt",       "ciphers",         "weak_ciphers",   "mx_records",
    "discovery",     "name_checked",    "raw_capabilities", "raw_starttls",
    "raw_capabilities_tls", "raw_truncated",
};

int column_find(const char *name, size_t len)
{
    for (int i = 0; i < COL_COUNT; i++)
        if (strlen(column_names[i]) == len && memcmp(column_names[i], name, len) == 0) return i;
    return -1;
}

static void text(struct cell *c, enum cell_type type, const char *p, size_t len)
{
    c->type = type;
    c->p = p ? p : "";
    c->len = p ? len : 0;
}

static void str(struct cell *c, enum cell_type type, const char *s)
{
    text(c, type, s, s ? strlen(s) : 0);
}

static void number(struct cell *c, enum cell_type type, int64_t v, bool present)
{
    c->type = type;
    c->v = v;
    c->present = present;
}

static void tri(struct cell *c, enum tri t)
{
    c->type = CELL_TRI;
    c->tri = t;
}

/* The certificate's columns. */
static void cert_cell(const struct probe_result *r, enum column_id id, struct cell *c)
{
    const struct cert_facts *f = &r->cert;
    bool dates = f->present && f->dates_valid;
    switch (id) {
    case COL_CERT_SUBJECT: text(c, CELL_TEXT, f->subject.p, f->subject.len); break;
    case COL_CERT_ISSUER: text(c, CELL_TEXT, f->issuer.p, f->issuer.len); break;
    case COL_CERT_SAN: text(c, CELL_LIST, f->san.p, f->san.len); break;
    case COL_CERT_SERIAL: str(c, CELL_WORD, f->serial); break;
    case COL_CERT_NOT_BEFORE: number(c, CELL_TIME, f->not_before, dates); break;
    case COL_CERT_NOT_AFTER: number(c, CELL_TIME, f->not_after, dates); break;
    case COL_CERT_DAYS_LEFT: number(c, CELL_INT, cert_days_left(r), dates); break;
    case COL_CERT_KEY: str(c, CELL_WORD, f->key); break;
    case COL_CERT_SIG_ALG: str(c, CELL_WORD, f->sig_alg); break;
    case COL_CERT_SHA256: str(c, CELL_WORD, f->sha256); break;
    case COL_CERT_SPKI_SHA256: str(c, CELL_WORD, f->spki_sha256); break;
    default: str(c, CELL_WORD, ""); break;
    }
}

/* What the probe found, certificate aside. */
static void result_cell(const struct probe_result *r, enum column_id id, struct cell *c)
{
    switch (id) {
    case COL_STATUS: str(c, CELL_WORD, status_name(r->status)); break;
    case COL_ERROR: text(c, CELL_TEXT, r->error.p, r->error.len); break;
    case COL_BANNER: text(c, CELL_TEXT, r->banner.p, r->banner.len); break;
    case COL_STARTTLS: tri(c, r->starttls); break;
    case COL_TLS_VERSION: str(c, CELL_WORD, r->tls_version); break;
    case COL_CIPHER: str(c, CELL_WORD, r->cipher); break;
    case COL_KEX_GROUP: str(c, CELL_WORD, r->kex_group); break;
    case COL_CHAIN_VALID: tri(c, r->chain_valid); break;
    case COL_CHAIN_ERROR: text(c, CELL_TEXT, r->chain_error.p, r->chain_error.len); break;
    case COL_HOSTNAME_MATCH: tri(c, r->hostname_match); break;
    case COL_CONNECT_MS: number(c, CELL_INT, r->connect_ms, r->connect_ms >= 0); break;
    case COL_TLS_MS: number(c, CELL_INT, r->tls_ms, r->tls_ms >= 0); break;
    case COL_SCANNED_AT: number(c, CELL_TIME, r->scanned_at, r->scanned_at > 0); break;
    case COL_AUTH_MECHS: text(c, CELL_LIST, r->auth_mechs.p, r->auth_mechs.len); break;
    case COL_AUTH_MECHS_PLAIN: text(c, CELL_LIST, r->auth_mechs_plain.p, r->auth_mechs_plain.len); break;
    case COL_HANDSHAKE: str(c, CELL_WORD, r->handshake); break;
    case COL_VERSIONS: str(c, CELL_LIST, r->versions); break;
    case COL_ATTEMPTS: number(c, CELL_INT, r->attempts, r->attempts > 0); break;
    case COL_CIPHERS: text(c, CELL_TEXT, r->ciphers.p, r->ciphers.len); break;
    case COL_WEAK_CIPHERS: text(c, CELL_LIST, r->weak_ciphers.p, r->weak_ciphers.len); break;
    case COL_RAW_CAPABILITIES:
    case COL_RAW_STARTTLS:
    case COL_RAW_CAPABILITIES_TLS: {
        const struct text *t = &r->raw[id - COL_RAW_CAPABILITIES];
        text(c, CELL_LIST, t->p, t->len);
        break;
    }
    case COL_RAW_TRUNCATED:
        /* Only a reply kept can have been cut: none kept (no --raw), no word. */
        tri(c, r->raw_truncated                                                       ? TRI_YES
               : r->raw[0].len || r->raw[1].len || r->raw[2].len ? TRI_NO
                                                                 : TRI_UNKNOWN);
        break;
    default: cert_cell(r, id, c); break;
    }
}

/* The domain's policies and what they say of the row (MX mode). */
static void policy_cell(const struct row *row, enum column_id id, struct cell *c)
{
    const struct domain_policy *p = row->policy;
    const struct probe_result *r = row->result;
    switch (id) {
    case COL_DANE: str(c, CELL_WORD, dane_status_name(row->dane)); break;
    case COL_DANE_ERROR:
        if (row->dane_error)
            str(c, CELL_TEXT, row->dane_error);
        else
            text(c, CELL_TEXT, r->dane_error.p, r->dane_error.len);
        break;
    case COL_TLSA: text(c, CELL_WORD, r->tlsa.p, r->tlsa.len); break;
    case COL_MX_DNSSEC: tri(c, p ? p->mx_secure : TRI_UNKNOWN); break;
    case COL_MTA_STS: str(c, CELL_WORD, p ? sts_status_name(p->mta_sts) : ""); break;
    case COL_MTA_STS_ERROR: text(c, CELL_TEXT, p ? p->mta_sts_error.p : NULL, p ? p->mta_sts_error.len : 0); break;
    case COL_MTA_STS_ID: str(c, CELL_TEXT, p ? p->mta_sts_id : ""); break;
    case COL_MTA_STS_MX_MATCH: tri(c, row->sts_mx_match); break;
    case COL_MTA_STS_OK: tri(c, row->sts_ok); break;
    case COL_TLS_RPT: text(c, CELL_TEXT, p ? p->tls_rpt_text.p : NULL, p ? p->tls_rpt_text.len : 0); break;
    default: result_cell(r, id, c); break;
    }
}

void row_cell(const struct row *row, enum column_id id, struct cell *c)
{
    memset(c, 0, sizeof *c);
    switch (id) {
    case COL_DOMAIN: text(c, CELL_TEXT, row->domain.p, row->domain.len); break;
    case COL_MX_HOST: str(c, CELL_TEXT, row->mx_host); break;
    case COL_MX_PREF: number(c, CELL_INT, row->mx_pref, row->mx_pref >= 0); break;
    case COL_IP: str(c, CELL_WORD, row->ip); break;
    case COL_PORT: number(c, CELL_INT, row->port, row->port > 0); break;
    case COL_PROTOCOL: str(c, CELL_WORD, row->protocol); break;
    case COL_MX_RECORDS: number(c, CELL_INT, row->mx_records, row->mx_records > 0); break;
    case COL_DISCOVERY: str(c, CELL_TEXT, row->discovery); break;
    case COL_NAME_CHECKED: str(c, CELL_TEXT, row->name_checked); break;
    default: policy_cell(row, id, c); break;
    }
}
