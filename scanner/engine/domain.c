/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/lookup.h"
#include "resolver/resolve.h"
#include "scanner/base/wordlist.h"
#include "scanner/base/oom.h"

struct lookup_run {
    const struct domain_env *env;
    struct domain_state *st;
    void (*done)(void *arg);
    void *arg;
    int pending;
    char host[DNS_NAME_MAX + 8]; /* mta-sts.<domain> */
};

static void release(struct lookup_run *run)
{
    if (--run->pending > 0) return;
    void (*done)(void *) = run->done;
    void *arg = run->arg;
    free(run);
    done(arg);
}

/* The TXT records of an answer, each joined from its own strings: 0, or -1
 * when one is malformed. */
static int txt_records_of(const struct lookup_reply *r, struct txt_records *t)
{
    if (r->outcome != LK_RECORDS) return 0;
    for (int i = 0; i < r->answer->nrecords; i++)
        if (txt_records_add(t, r->answer->records[i].rdata, r->answer->records[i].rdlen) != 0) return -1;
    return 0;
}

static void sts_error(struct lookup_run *run, enum policy_reason code, const char *message)
{
    run->st->policy.mta_sts = MTA_STS_ERROR;
    run->st->policy.mta_sts_why = code;
    text_set_str(&run->st->policy.mta_sts_error, message);
}

/* A reason whose message starts with its marker: "marker: detail". */
static void sts_error_of(struct lookup_run *run, enum policy_reason code, const char *detail)
{
    sts_error(run, code, "");
    text_printf(&run->st->policy.mta_sts_error, "%s: %s", policy_reason_marker(code), detail);
}

static void on_policy(void *arg, const struct fetch_result *r)
{
    struct lookup_run *run = arg;
    struct domain_state *st = run->st;
    const char *why = NULL;
    if (r->error) {
        sts_error(run, r->why, r->error);
    } else if (!(st->sts = calloc(1, sizeof *st->sts))) {
        sts_error(run, REASON_STS_FETCH, "out of memory");
    } else if (sts_policy_parse(r->body, r->len, st->sts, &why) != 0) {
        sts_policy_free(st->sts);
        free(st->sts);
        st->sts = NULL;
        sts_error_of(run, REASON_STS_MALFORMED, why ? why : "?");
    } else {
        st->policy.mta_sts = st->sts->mode == STS_ENFORCE   ? MTA_STS_ENFORCE
                             : st->sts->mode == STS_TESTING ? MTA_STS_TESTING
                                                            : MTA_STS_MODE_NONE;
        struct buf mx = {0};
        size_t pos = 0;
        for (const char *m; (m = sts_policy_mx(st->sts, &pos));) wordlist_add(&mx, m, strlen(m));
        text_set(&st->policy.mta_sts_mx, mx.data ? mx.data : "", mx.len);
        buf_free(&mx);
    }
    release(run);
}

/* mta-sts.<domain> resolved: its first address that may be contacted. */
static void on_policy_host(void *arg, struct dns_result *dns)
{
    struct lookup_run *run = arg;
    const struct sockaddr *addr = NULL;
    char why[420] = "";
    if (dns->status == ST_OK && dns->nhosts == 1 && dns->hosts[0].status == ST_OK) {
        const struct host_result *h = &dns->hosts[0];
        for (int i = 0; i < h->naddrs && !addr; i++)
            if (!scan_addr_blocked(run->env->opt, (const struct sockaddr *)&h->addrs[i], why, sizeof why))
                addr = (const struct sockaddr *)&h->addrs[i];
    } else {
        snprintf(why, sizeof why, "%s", dns->nhosts ? dns->hosts[0].error : dns->error);
    }
    if (addr) {
        fetch_policy(run->env->fetch, addr, run->host, on_policy, run);
    } else {
        char msg[720];
        snprintf(msg, sizeof msg, "the policy host %s: %s", run->host, why[0] ? why : "no address");
        sts_error(run, REASON_STS_FETCH, msg);
        release(run);
    }
    dns_result_free(dns);
}

static void on_sts_txt(void *arg, struct lookup_reply *r)
{
    struct lookup_run *run = arg;
    struct domain_policy *p = &run->st->policy;
    const char *why = NULL;
    struct txt_records t = {0};
    int found = txt_records_of(r, &t) != 0 ? -1 : sts_txt_pick(t.txt, t.lens, t.n, p->mta_sts_id, &why);
    txt_records_free(&t);
    if (r->outcome == LK_FAILED) {
        sts_error_of(run, REASON_STS_TXT_LOOKUP, lookup_outcome_text(r));
    } else if (found < 0) {
        sts_error_of(run, REASON_STS_TXT_MALFORMED, why ? why : "a character-string runs past its end");
    } else if (found == 0) {
        p->mta_sts = MTA_STS_NO_POLICY;
    } else {
        struct resolve_limits lim = {1, run->env->opt->addr_max, false};
        run->pending++;
        resolve_host(run->env->dns, run->host, &lim, on_policy_host, run);
    }
    release(run);
}

static void on_rpt_txt(void *arg, struct lookup_reply *r)
{
    struct lookup_run *run = arg;
    struct domain_policy *p = &run->st->policy;
    const char *why = NULL;
    struct txt_records t = {0};
    struct buf rua = {0};
    int found = txt_records_of(r, &t) != 0 ? -1 : tlsrpt_pick(t.txt, t.lens, t.n, &rua, &why);
    txt_records_free(&t);
    if (r->outcome == LK_FAILED) {
        p->tls_rpt = RPT_ERROR;
        text_printf(&p->tls_rpt_text, "error: _smtp._tls TXT lookup: %s", lookup_outcome_text(r));
    } else if (found < 0) {
        p->tls_rpt = RPT_MALFORMED;
        text_printf(&p->tls_rpt_text, "malformed: %s", why ? why : "a character-string runs past its end");
    } else if (found == 0) {
        p->tls_rpt = RPT_NO_RECORD;
    } else {
        p->tls_rpt = RPT_OK;
        text_set(&p->tls_rpt_text, rua.data ? rua.data : "", rua.len);
    }
    buf_free(&rua);
    release(run);
}

void domain_lookup(const struct domain_env *env, const char *domain, struct domain_state *st,
                   void (*done)(void *arg), void *arg)
{
    struct lookup_run *run = calloc(1, sizeof *run);
    if (!run) {
        out_of_memory();
    }
    run->env = env;
    run->st = st;
    run->done = done;
    run->arg = arg;
    run->pending = 1; /* held while the lookups are sent */
    snprintf(run->host, sizeof run->host, "mta-sts.%s", domain);
    char name[DNS_NAME_MAX + 16];
    if (env->opt->mta_sts) {
        run->pending++;
        snprintf(name, sizeof name, "_mta-sts.%s", domain);
        dns_lookup(env->dns, name, DNS_TYPE_TXT, false, on_sts_txt, run);
    }
    if (env->opt->tls_rpt) {
        run->pending++;
        snprintf(name, sizeof name, "_smtp._tls.%s", domain);
        dns_lookup(env->dns, name, DNS_TYPE_TXT, false, on_rpt_txt, run);
    }
    release(run);
}

void domain_state_free(struct domain_state *st)
{
    domain_policy_free(&st->policy);
    if (st->sts) sts_policy_free(st->sts);
    free(st->sts);
    st->sts = NULL;
}
