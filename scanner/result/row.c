/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/result/row.h"

#include <stdio.h>
#include <string.h>

int row_key(struct buf *out, const char *cell, size_t len, int port, const char *protocol)
{
    char p[16] = "";
    if (port > 0) snprintf(p, sizeof p, "%d", port);
    buf_reset(out);
    /* The unit separator cannot occur in a cell: control bytes are escaped. */
    int rc = buf_append(out, cell, len);
    if (rc == 0) rc = buf_printf(out, "\x1f%s\x1f%s", p, protocol ? protocol : "");
    return rc;
}

bool row_discovery_is_srv(const char *discovery)
{
    return discovery && strncmp(discovery, "SRV ", 4) == 0;
}

int row_key_port(const struct row *row)
{
    return row_discovery_is_srv(row->discovery) ? 0 : row->port;
}

int64_t days_between(int64_t from, int64_t to)
{
    int64_t d = to - from;
    return d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
}

int64_t cert_days_left(const struct probe_result *r)
{
    return days_between(r->scanned_at, r->cert.not_after);
}

void probe_result_init(struct probe_result *r)
{
    memset(r, 0, sizeof *r);
    r->connect_ms = -1;
    r->tls_ms = -1;
}

void cert_facts_free(struct cert_facts *c)
{
    text_free(&c->subject);
    text_free(&c->issuer);
    text_free(&c->san);
    memset(c, 0, sizeof *c);
}

void probe_result_free(struct probe_result *r)
{
    text_free(&r->error);
    text_free(&r->banner);
    text_free(&r->chain_error);
    text_free(&r->auth_mechs);
    text_free(&r->auth_mechs_plain);
    text_free(&r->dane_error);
    text_free(&r->tlsa);
    text_free(&r->dane_ta_leaf);
    text_free(&r->ciphers);
    text_free(&r->weak_ciphers);
    for (int i = 0; i < RAW_COUNT; i++) text_free(&r->raw[i]);
    buf_free(&r->chain);
    buf_free(&r->tlsa_wire);
    cert_facts_free(&r->cert);
}

const char *dane_status_name(enum dane_status s)
{
    static const char *const names[] = {"", "none", "unsigned", "unusable", "valid", "invalid", "error"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "";
}

enum reason_group dane_reason_group(enum dane_status s)
{
    switch (s) {
    case DANE_UNSIGNED: return RG_DANE_UNSIGNED;
    case DANE_UNUSABLE: return RG_DANE_UNUSABLE;
    case DANE_ERROR: return RG_DANE_ERROR;
    case DANE_INVALID: return RG_DANE_INVALID;
    default: return RG_NONE;
    }
}

const char *sts_status_name(enum sts_status s)
{
    static const char *const names[] = {"", "none", "none", "testing", "enforce", "error"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "";
}

void domain_policy_free(struct domain_policy *p)
{
    text_free(&p->mta_sts_error);
    text_free(&p->mta_sts_mx);
    text_free(&p->tls_rpt_text);
    memset(p, 0, sizeof *p);
}
