/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/rollup_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/report/merge.h"
#include "scanner/base/buf.h"

struct gatherer {
    const struct rollup_reader *r;
    struct buf domain, protocol; /* the open target: its domain cell and protocol (NUL-terminated), port */
    int port;
    bool open;
    struct rollup rollup;
    char reason[1200];
    struct kept_row rows[ROLLUP_KEPT_ROWS];
    int nrows;
    uint64_t total;
};

static void flush(struct gatherer *g)
{
    if (!g->open) return;
    struct rollup_target t = {g->domain.data ? g->domain.data : "", g->protocol.data, &g->rollup, "", g->reason, g->rows, g->nrows};
    rollup_grade(&g->rollup, t.grade, g->reason, sizeof g->reason);
    g->r->on_target(g->r->arg, &t);
    g->open = false;
}

static void keep(struct gatherer *g, const struct row *row)
{
    if (g->nrows < ROLLUP_KEPT_ROWS) kept_row_set(&g->rows[g->nrows++], row);
}

void kept_row_set(struct kept_row *k, const struct row *row)
{
    const struct probe_result *p = row->result;
    memset(k, 0, sizeof *k);
    snprintf(k->mx_host, sizeof k->mx_host, "%s", row->mx_host ? row->mx_host : "");
    snprintf(k->ip, sizeof k->ip, "%s", row->ip ? row->ip : "");
    k->port = row->port;
    k->status = p->status;
    k->chain_valid = p->chain_valid;
    snprintf(k->tls_version, sizeof k->tls_version, "%s", p->tls_version);
    snprintf(k->cipher, sizeof k->cipher, "%s", p->cipher);
    k->has_cert = p->cert.present;
    snprintf(k->cert_sha256, sizeof k->cert_sha256, "%s", p->cert.sha256);
    snprintf(k->cert_subject, sizeof k->cert_subject, "%s", p->cert.subject.p ? p->cert.subject.p : "");
    snprintf(k->cert_issuer, sizeof k->cert_issuer, "%s", p->cert.issuer.p ? p->cert.issuer.p : "");
    if (p->cert.present && p->cert.dates_valid) {
        iso8601_utc(p->cert.not_after, k->cert_not_after);
        k->days_left = cert_days_left(p);
        k->not_after = p->cert.not_after;
        k->has_days = true;
    }
}

/* Is the row one of the open target's (what row_key would tell, without
 * building the key)? */
static bool same_target(const struct gatherer *g, const struct row *row)
{
    return g->open && g->domain.len == row->domain.len + 1 && (row_key_port(row) > 0 ? row_key_port(row) : 0) == g->port &&
           memcmp(g->domain.data, row->domain.p ? row->domain.p : "", row->domain.len) == 0 &&
           strcmp(g->protocol.data, row->protocol ? row->protocol : "") == 0;
}

static void on_row(void *arg, const struct row *row)
{
    struct gatherer *g = arg;
    if (!same_target(g, row)) {
        flush(g);
        buf_reset(&g->domain);
        buf_append(&g->domain, row->domain.p ? row->domain.p : "", row->domain.len);
        buf_append(&g->domain, "", 1);
        g->port = row_key_port(row) > 0 ? row_key_port(row) : 0; /* as row_key: no port, one key */
        buf_reset(&g->protocol);
        buf_append_str(&g->protocol, row->protocol ? row->protocol : "");
        buf_append(&g->protocol, "", 1);
        rollup_init(&g->rollup);
        g->nrows = 0;
        g->open = true;
    }
    rollup_add(&g->rollup, row);
    keep(g, row);
    g->total++;
}

int rollup_read(const struct rollup_reader *r, uint64_t *rows)
{
    struct gatherer *g = calloc(1, sizeof *g);
    if (!g) {
        fprintf(stderr, "starttls-scan %s: out of memory\n", r->who);
        return 2;
    }
    g->r = r;
    struct merge_options o = {.inputs = r->inputs, .ninputs = r->ninputs, .output = NULL,
                              .who = r->who, .on_row = on_row, .arg = g};
    struct merge_stats st;
    int rc = merge_run(&o, &st);
    if (rc == 0) flush(g);
    *rows = g->total;
    buf_free(&g->domain);
    buf_free(&g->protocol);
    free(g);
    return rc;
}
