/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/job.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resolver/resolve.h"
#include "scanner/engine/dedup.h"
#include "scanner/engine/domain.h"
#include "scanner/dialog/services.h"
#include "scanner/engine/observer.h"
#include "scanner/engine/options.h"
#include "scanner/input/addrblock.h"
#include "scanner/base/oom.h"

struct slot {
    struct dedup_waiter waiter;
    const struct host_result *host;
    char ip[64];
};

/* A row waiting for the job's end, when all of a target's rows are handed
 * up together. */
struct pending_row {
    const struct host_result *host; /* NULL: none */
    char ip[64];                    /* "": none */
    const struct probe_result *result;
    struct probe_result *owned; /* a row that no probe stands behind owns its result */
};

struct job {
    const struct job_env *env;
    struct target target;
    struct text domain;
    struct dns_result *dns;
    struct slot *slots;
    int nslots;
    struct pending_row *rows;
    int nrows, cap;
    int pending; /* slots without a row yet, plus one while slots are being handed out */
    struct domain_state dom; /* MX mode: the domain's policies */
    bool has_dom;
    bool retry;    /* in the retry pass */
    bool deferred; /* a probe said "try again later": the target goes to the retry pass */
};

static int job_port(const struct job *job)
{
    return job->target.port ? job->target.port : job->env->opt->port;
}

/* The port a host is scanned on: its SRV record's, else the target's. */
static int host_port(const struct job *job, const struct host_result *h)
{
    return h && h->via == VIA_SRV && h->port > 0 ? h->port : job_port(job);
}

/* A server found through an SRV answer the resolver authenticated: DANE
 * applies to it, with the SRV target as its name (RFC 7673 4.1). */
static bool srv_secure(const struct job *job, const struct host_result *h)
{
    return h->via == VIA_SRV && job->dns && job->dns->mx_secure == TRI_YES;
}

/* The name to send as SNI and to match the certificate against: the MX
 * host or the named host; for a server found through SRV the service's
 * domain (RFC 6120 13.7.2.1 and RFC 7590 for XMPP, RFC 6186 6 for mail),
 * or the SRV target when the answer was authenticated (RFC 7673 4.1);
 * none when the target was an address. */
static const char *sni_for(const struct job *job, const struct host_result *host)
{
    if (job->target.kind == TARGET_IPV4 || job->target.kind == TARGET_IPV6) return "";
    return job->target.srv && !srv_secure(job, host) ? job->target.name : host->name;
}

/* Which DNS record led to the row's host (the discovery column). */
static void discovery_text(const struct job *job, const struct host_result *h, char *out, size_t len)
{
    const struct dns_result *dns = job->dns;
    const char *owner = dns && dns->srv_owner[0] ? dns->srv_owner : "";
    out[0] = '\0';
    if (job->target.srv && h && h->via == VIA_SRV)
        snprintf(out, len, "SRV %s %d %d %d", owner, h->pref, h->weight, h->port);
    else if (job->target.srv && h)
        snprintf(out, len, "SRV %s: none, the name itself", owner);
    else if (job->target.srv)
        snprintf(out, len, "SRV %s: %s", owner,
                 dns && dns->status == ST_NO_SERVICE ? "." : "no answer");
    else if (h && h->via == VIA_MX)
        snprintf(out, len, "MX %d", h->pref);
    else if (h && h->via == VIA_IMPLICIT_MX)
        snprintf(out, len, "implicit MX");
}

static void add_row(struct job *job, const struct host_result *host, const char *ip,
                    const struct probe_result *result, struct probe_result *owned)
{
    if (job->nrows == job->cap) {
        int cap = job->cap ? job->cap * 2 : 4;
        struct pending_row *rows = realloc(job->rows, (size_t)cap * sizeof *rows);
        if (!rows) {
            out_of_memory();
        }
        job->rows = rows;
        job->cap = cap;
    }
    struct pending_row *p = &job->rows[job->nrows++];
    p->host = host;
    snprintf(p->ip, sizeof p->ip, "%s", ip ? ip : "");
    p->result = result;
    p->owned = owned;
}

/* A row that no probe stands behind: DNS outcomes, blocked addresses. */
static struct probe_result *emit_plain(struct job *job, const struct host_result *host, const char *ip,
                                       enum scan_status st, const char *error)
{
    struct probe_result *r = malloc(sizeof *r);
    if (!r) {
        out_of_memory();
    }
    probe_result_init(r);
    r->status = st;
    r->scanned_at = (int64_t)time(NULL);
    text_set_str(&r->error, error);
    add_row(job, host, ip, r, r);
    return r;
}

/* The rows of a deferred target are not written: the retry pass writes
 * them all, with the second attempt's outcome. */
static void drop_rows(struct job *job)
{
    for (int i = 0; i < job->nrows; i++) {
        if (!job->rows[i].owned) continue;
        probe_result_free(job->rows[i].owned);
        free(job->rows[i].owned);
    }
    free(job->rows);
    job->rows = NULL;
    job->nrows = job->cap = 0;
}

/* Hands the target's rows up in one piece: an interrupted or failing scan
 * never leaves part of a target in the file. */
static void commit(struct job *job)
{
    struct row *rows = calloc((size_t)(job->nrows ? job->nrows : 1), sizeof *rows);
    if (!rows) {
        out_of_memory();
    }
    bool valid = job->target.name[0] != '\0';
    char(*found)[DNS_NAME_MAX + 64] = calloc((size_t)(job->nrows ? job->nrows : 1), sizeof *found);
    if (!found) out_of_memory();
    for (int i = 0; i < job->nrows; i++) {
        const struct pending_row *p = &job->rows[i];
        discovery_text(job, p->host, found[i], sizeof found[i]);
        rows[i] = (struct row){
            .domain = job->domain,
            .mx_host = p->host ? p->host->name : NULL,
            .mx_pref = p->host && p->host->via != VIA_SRV ? p->host->pref : -1,
            .mx_records = job->dns && job->dns->status == ST_OK && !job->target.srv ? job->dns->mx_records : 0,
            .ip = p->ip[0] ? p->ip : NULL,
            .port = valid ? host_port(job, p->host) : 0,
            .discovery = found[i],
            .name_checked = p->host && p->ip[0] ? sni_for(job, p->host) : NULL,
            .protocol = job->env->opt->service->name,
            .result = p->result,
            .policy = job->has_dom ? &job->dom.policy : NULL,
            .dane = p->result->dane,
        };
        if (job->has_dom) domain_row_verdicts(&job->dom, job->target.name, &rows[i]);
    }
    job->env->commit(job->env->arg, rows, job->nrows);
    free(rows);
    free(found);
    drop_rows(job);
}

static void job_release(struct job *job)
{
    if (--job->pending > 0) return;
    const struct job_env *env = job->env;
    if (job->deferred) {
        env->defer(env->arg, &job->target);
        drop_rows(job);
    } else {
        commit(job);
    }
    dns_result_free(job->dns);
    domain_state_free(&job->dom);
    free(job->slots);
    text_free(&job->domain);
    free(job);
    env->finished(env->arg);
}

static void slot_deliver(struct dedup_waiter *w)
{
    job_deliver(w->job, w->slot, w->result);
}

void job_deliver(struct job *job, int slot, const struct probe_result *res)
{
    struct slot *s = &job->slots[slot];
    if (res->retry_pending) job->deferred = true;
    add_row(job, s->host, s->ip, res, NULL);
    job_release(job);
}

static void domain_done(void *arg)
{
    job_release(arg);
}

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)len);
    else
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)len);
}

static void on_resolved(void *arg, struct dns_result *dns)
{
    struct job *job = arg;
    const struct scan_options *cfg = job->env->opt;
    job->dns = dns;
    job->dom.policy.mx_secure = dns->mx_secure;
    if (cfg->observer && cfg->observer->resolved)
        cfg->observer->resolved(cfg->observer_arg, job->target.name, dns);
    if (dns->status != ST_OK) {
        emit_plain(job, NULL, NULL, dns->status, dns->error)->resolver_failed = dns->resolver_failed;
        job_release(job);
        return;
    }
    int total = 0;
    for (int i = 0; i < dns->nhosts; i++) total += dns->hosts[i].naddrs;
    job->slots = total ? calloc((size_t)total, sizeof *job->slots) : NULL;
    if (total && !job->slots) {
        out_of_memory();
    }
    for (int i = 0; i < dns->nhosts; i++) {
        const struct host_result *h = &dns->hosts[i];
        if (h->status != ST_OK) {
            emit_plain(job, h, NULL, h->status, h->error)->resolver_failed = h->resolver_failed;
            continue;
        }
        for (int k = 0; k < h->naddrs; k++) {
            char ip[64];
            addr_text(&h->addrs[k], ip, sizeof ip);
            char why[300];
            if (scan_addr_blocked(cfg, (const struct sockaddr *)&h->addrs[k], why, sizeof why)) {
                emit_plain(job, h, ip, ST_BLOCKED, why);
                continue;
            }
            struct slot *s = &job->slots[job->nslots];
            s->host = h;
            snprintf(s->ip, sizeof s->ip, "%s", ip);
            s->waiter.job = job;
            s->waiter.deliver = slot_deliver;
            s->waiter.slot = job->nslots++;
            job->pending++;
            job->env->probe(job->env->arg, &s->waiter, (const struct sockaddr *)&h->addrs[k],
                            host_port(job, h), sni_for(job, h),
                            !job->target.srv || h->via == VIA_SRV_FALLBACK || srv_secure(job, h), s->ip,
                            job->retry);
        }
    }
    job_release(job); /* the reference held while slots were handed out */
}

static struct dns_result *literal_result(const struct target *t)
{
    struct dns_result *res = calloc(1, sizeof *res);
    if (!res) return NULL;
    res->hosts = calloc(1, sizeof *res->hosts);
    struct sockaddr_storage *ss = calloc(1, sizeof *ss);
    if (!res->hosts || !ss) {
        free(ss);
        dns_result_free(res);
        return NULL;
    }
    res->nhosts = 1;
    struct host_result *h = &res->hosts[0];
    snprintf(h->name, sizeof h->name, "%s", t->name);
    h->pref = -1;
    h->addrs = ss;
    h->naddrs = 1;
    if (t->kind == TARGET_IPV4) {
        ss->ss_family = AF_INET;
        inet_pton(AF_INET, t->name, &((struct sockaddr_in *)ss)->sin_addr);
    } else {
        ss->ss_family = AF_INET6;
        inet_pton(AF_INET6, t->name, &((struct sockaddr_in6 *)ss)->sin6_addr);
    }
    return res;
}

void job_start(const struct job_env *env, struct feed_item *item)
{
    if (item->kind != TP_OK) {
        struct job tmp = {.env = env, .domain = item->raw};
        emit_plain(&tmp, NULL, NULL, ST_INVALID_TARGET, item->why);
        commit(&tmp);
        text_free(&item->raw);
        env->finished(env->arg);
        return;
    }
    struct job *job = calloc(1, sizeof *job);
    if (!job || text_set_str(&job->domain, item->target.name) != 0) {
        free(job);
        out_of_memory();
    }
    job->env = env;
    job->target = item->target;
    job->retry = item->retry;
    job->pending = 1;
    struct resolve_limits lim = {env->opt->mx_max, env->opt->addr_max, env->opt->dane};
    job->has_dom = job->target.kind == TARGET_DOMAIN && (env->opt->dane || env->opt->mta_sts || env->opt->tls_rpt);
    if (job->has_dom && (env->opt->mta_sts || env->opt->tls_rpt)) {
        job->pending++;
        domain_lookup(env->domain, job->target.name, &job->dom, domain_done, job);
    }
    switch (job->target.kind) {
    case TARGET_DOMAIN: resolve_mail_domain(env->dns, job->target.name, &lim, on_resolved, job); break;
    case TARGET_HOST:
        if (job->target.srv)
            resolve_srv_domain(env->dns, job->target.name, env->opt->service->srv, &lim, on_resolved, job);
        else
            resolve_host(env->dns, job->target.name, &lim, on_resolved, job);
        break;
    default: {
        struct dns_result *res = literal_result(&job->target);
        if (!res) {
            out_of_memory();
        }
        on_resolved(job, res);
    }
    }
}
