/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/tlsa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/lookup.h"
#include "scanner/tls/dane.h"
#include "scanner/base/oom.h"

const struct probe_result tlsa_none = {.status = ST_OK, .dane = DANE_NONE, .connect_ms = -1, .tls_ms = -1,
                                       .shared = true};

struct tlsa_req {
    void (*done)(void *arg, const char *key, struct probe_result *res);
    void *arg;
    char *key;
    char name[DNS_NAME_MAX + 16];
};

static void records(struct probe_result *out, const struct dns_answer *a)
{
    struct tlsa_rr *rrs = a->nrecords > 0 ? calloc((size_t)a->nrecords, sizeof *rrs) : NULL;
    int nrr = 0;
    for (int i = 0; rrs && i < a->nrecords; i++) {
        const struct dns_record *d = &a->records[i];
        unsigned char len[2] = {(unsigned char)(d->rdlen >> 8), (unsigned char)d->rdlen};
        if (d->rdlen > 65535 || buf_append(&out->tlsa_wire, len, 2) != 0 ||
            buf_append(&out->tlsa_wire, d->rdata, d->rdlen) != 0)
            break;
        if (tlsa_parse(d->rdata, d->rdlen, &rrs[nrr]) == 0) nrr++;
    }
    struct buf text = {0};
    if (tlsa_text(rrs, nrr, TLSA_HEX_CAP, &text) == 0) text_set(&out->tlsa, text.data ? text.data : "", text.len);
    buf_free(&text);
    for (int i = 0; i < nrr; i++) tlsa_free(&rrs[i]);
    free(rrs);
}

static void on_tlsa(void *arg, struct lookup_reply *r)
{
    struct tlsa_req *q = arg;
    struct probe_result res;
    probe_result_init(&res);
    res.status = ST_OK;
    if (r->outcome == LK_RECORDS) {
        res.tlsa_authentic = r->authentic;
        records(&res, r->answer);
    } else if (r->outcome == LK_FAILED) {
        /* A validating resolver answers SERVFAIL to a bogus signature. */
        res.dane = DANE_ERROR;
        res.dane_why = r->servfail ? REASON_DANE_SERVFAIL : REASON_DANE_LOOKUP;
        /* lookup_outcome_text() says "SERVFAIL", the reason's marker. */
        text_printf(&res.dane_error, "TLSA lookup of %s: %s%s", q->name, lookup_outcome_text(r),
                    r->servfail ? " (a DNSSEC-bogus answer, or a broken zone)" : "");
    } else {
        /* NXDOMAIN or no data: no TLSA. (An unsigned "no" cannot be told
         * from a signed one here; either way there is nothing to match.) */
        q->done(q->arg, q->key, (struct probe_result *)&tlsa_none);
        free(q->key);
        free(q);
        return;
    }
    q->done(q->arg, q->key, &res);
    probe_result_free(&res);
    free(q->key);
    free(q);
}

void tlsa_lookup(struct ares_uv *dns, const char *key, const char *host, int port,
                 void (*done)(void *arg, const char *key, struct probe_result *res), void *arg)
{
    struct tlsa_req *q = calloc(1, sizeof *q);
    if (!q || !(q->key = strdup(key))) {
        out_of_memory();
    }
    q->done = done;
    q->arg = arg;
    snprintf(q->name, sizeof q->name, "_%d._tcp.%s", port, host);
    dns_lookup(dns, q->name, DNS_TYPE_TLSA, true, on_tlsa, q);
}
