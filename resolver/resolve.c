/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resolver/resolve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/mx.h"
#include "scanner/input/addrblock.h"

struct request;

/* One of the request's lookups. */
struct lookup {
    struct request *req;
    int host;  /* index into req->res->hosts, -1 for the MX query */
    int qtype;
};

struct host_work {
    int a_pending, aaaa_pending;
    enum lookup_outcome a, aaaa;
    char a_err[160], aaaa_err[160];
    struct dns_record *a_recs, *aaaa_recs;
    int na, naaaa;
};

struct request {
    struct ares_uv *au;
    struct resolve_limits lim;
    resolve_cb cb;
    void *arg;
    char domain[DNS_NAME_MAX];
    bool srv; /* the first query is SRV, not MX */
    struct dns_result *res;
    struct host_work *work;
    int outstanding;
};

static void lookup_start(struct request *req, int host, int qtype, const char *name);

static void request_finish(struct request *req)
{
    struct dns_result *res = req->res;
    for (int i = 0; i < res->nhosts; i++) {
        free(req->work[i].a_recs);
        free(req->work[i].aaaa_recs);
    }
    free(req->work);
    req->cb(req->arg, res);
    free(req);
}

static void request_release(struct request *req)
{
    if (--req->outstanding == 0) request_finish(req);
}

static const char *outcome_text(enum lookup_outcome o, const char *err)
{
    switch (o) {
    case LK_NXDOMAIN: return "NXDOMAIN";
    case LK_NODATA: return "no records";
    case LK_FAILED: return err;
    default: return "";
    }
}

static int addr_listed(const struct sockaddr_storage *list, int n, const struct sockaddr_storage *ss)
{
    for (int i = 0; i < n; i++) {
        if (list[i].ss_family != ss->ss_family) continue;
        if (ss->ss_family == AF_INET &&
            memcmp(&((const struct sockaddr_in *)&list[i])->sin_addr,
                   &((const struct sockaddr_in *)ss)->sin_addr, 4) == 0)
            return 1;
        if (ss->ss_family == AF_INET6 &&
            memcmp(&((const struct sockaddr_in6 *)&list[i])->sin6_addr,
                   &((const struct sockaddr_in6 *)ss)->sin6_addr, 16) == 0)
            return 1;
    }
    return 0;
}

/* Both families are in for host i: decide its status and addresses. */
static void host_complete(struct request *req, int i)
{
    struct host_result *h = &req->res->hosts[i];
    struct host_work *w = &req->work[i];
    int total = w->na + w->naaaa;
    h->addrs = total ? calloc((size_t)total, sizeof *h->addrs) : NULL;
    for (int k = 0; k < w->na && h->addrs; k++) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&h->addrs[h->naddrs++];
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, w->a_recs[k].addr, 4);
    }
    for (int k = 0; k < w->naaaa && h->addrs; k++) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        ss.ss_family = AF_INET6;
        memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, w->aaaa_recs[k].addr, 16);
        /* An AAAA of ::ffff:a.b.c.d is the IPv4 address a.b.c.d, and the
         * same address as an A record of a.b.c.d: it is one address. */
        addr_normalize(&ss);
        if (!addr_listed(h->addrs, h->naddrs, &ss)) h->addrs[h->naddrs++] = ss;
    }
    if (h->naddrs > 0) {
        h->status = ST_OK;
    } else if (w->a != LK_FAILED && w->aaaa != LK_FAILED) {
        h->status = ST_NO_ADDRESS;
        snprintf(h->error, sizeof h->error, "%s",
                 (w->a == LK_NXDOMAIN || w->aaaa == LK_NXDOMAIN) ? "NXDOMAIN for the host name"
                                                                 : "no A or AAAA records");
    } else {
        h->status = ST_DNS_FAILED;
        h->resolver_failed = true;
        snprintf(h->error, sizeof h->error, "A: %s; AAAA: %s", outcome_text(w->a, w->a_err),
                 outcome_text(w->aaaa, w->aaaa_err));
    }
    if (req->res->implicit_mx && h->status == ST_NO_ADDRESS)
        snprintf(h->error, sizeof h->error, "no MX records and no A or AAAA records");
    if (h->via == VIA_SRV_FALLBACK && h->status == ST_NO_ADDRESS)
        snprintf(h->error, sizeof h->error, "no SRV records at %s and no A or AAAA records", req->res->srv_owner);
}

static int start_hosts(struct request *req)
{
    struct dns_result *res = req->res;
    req->work = calloc((size_t)res->nhosts, sizeof *req->work);
    if (!req->work) return -1;
    /* Both families are pending before either is asked: an answer may come
     * back before ares_query returns. */
    for (int i = 0; i < res->nhosts; i++) req->work[i].a_pending = req->work[i].aaaa_pending = 1;
    for (int i = 0; i < res->nhosts; i++) {
        lookup_start(req, i, DNS_TYPE_A, res->hosts[i].name);
        lookup_start(req, i, DNS_TYPE_AAAA, res->hosts[i].name);
    }
    return 0;
}

static void set_hosts_from_mx(struct request *req, struct dns_record *recs, int n)
{
    struct dns_result *res = req->res;
    res->hosts = calloc((size_t)n, sizeof *res->hosts);
    if (!res->hosts) {
        res->status = ST_DNS_FAILED;
        snprintf(res->error, sizeof res->error, "out of memory");
        return;
    }
    res->nhosts = n;
    for (int i = 0; i < n; i++) {
        snprintf(res->hosts[i].name, sizeof res->hosts[i].name, "%s", recs[i].name);
        res->hosts[i].pref = recs[i].pref;
        res->hosts[i].via = VIA_MX;
    }
    if (start_hosts(req) != 0) {
        res->status = ST_DNS_FAILED;
        snprintf(res->error, sizeof res->error, "out of memory");
    }
}

/* The name asked is its own only host (no MX, no SRV, or a host target). */
static void set_self_host(struct request *req, enum host_via via)
{
    struct dns_record self = {0};
    snprintf(self.name, sizeof self.name, "%s", req->domain);
    set_hosts_from_mx(req, &self, 1);
    if (req->res->hosts) {
        req->res->hosts[0].pref = -1;
        req->res->hosts[0].via = via;
    }
}

static void mx_done(struct request *req, enum lookup_outcome o, const char *err,
                    struct dns_answer *ans)
{
    struct dns_result *res = req->res;
    if (o == LK_NXDOMAIN || o == LK_FAILED) {
        res->status = ST_DNS_FAILED;
        res->resolver_failed = o == LK_FAILED;
        snprintf(res->error, sizeof res->error, "MX lookup: %s", outcome_text(o, err));
        return;
    }
    if (o == LK_NODATA) {
        res->implicit_mx = true;
        set_self_host(req, VIA_IMPLICIT_MX);
        return;
    }
    int n = ans->nrecords;
    res->mx_records = n;
    enum mx_verdict v = mx_select(ans->records, &n, req->lim.mx_max);
    if (v != MX_HOSTS) {
        res->status = ST_NULL_MX;
        snprintf(res->error, sizeof res->error, "null MX: the domain accepts no mail (RFC 7505)");
        return;
    }
    set_hosts_from_mx(req, ans->records, n);
}

static void srv_done(struct request *req, enum lookup_outcome o, const char *err, struct dns_answer *ans)
{
    struct dns_result *res = req->res;
    if (o == LK_FAILED) {
        res->status = ST_DNS_FAILED;
        res->resolver_failed = true;
        snprintf(res->error, sizeof res->error, "SRV lookup of %s: %s", res->srv_owner, err);
        return;
    }
    if (o != LK_RECORDS) { /* RFC 6120 3.2.1, RFC 6186 3.1: the domain itself */
        set_self_host(req, VIA_SRV_FALLBACK);
        return;
    }
    int n = ans->nrecords;
    res->mx_records = n;
    if (srv_select(ans->records, &n, req->lim.mx_max) != MX_HOSTS) {
        res->status = ST_NO_SERVICE;
        snprintf(res->error, sizeof res->error,
                 "SRV target '.' at %s: the service is decidedly not offered (RFC 2782)", res->srv_owner);
        return;
    }
    set_hosts_from_mx(req, ans->records, n);
    for (int i = 0; res->hosts && i < n; i++) {
        res->hosts[i].via = VIA_SRV;
        res->hosts[i].weight = ans->records[i].weight;
        res->hosts[i].port = ans->records[i].port;
    }
}

static void addr_done(struct request *req, int host, int qtype, enum lookup_outcome o,
                      const char *err, struct dns_answer *ans)
{
    struct host_work *w = &req->work[host];
    enum lookup_outcome *slot = qtype == DNS_TYPE_A ? &w->a : &w->aaaa;
    char *errbuf = qtype == DNS_TYPE_A ? w->a_err : w->aaaa_err;
    *(qtype == DNS_TYPE_A ? &w->a_pending : &w->aaaa_pending) = 0;
    *slot = o;
    snprintf(errbuf, sizeof w->a_err, "%s", err ? err : "");
    if (o == LK_RECORDS) {
        int n = ans->nrecords;
        addr_sort_unique(ans->records, &n, req->lim.addr_max);
        struct dns_record *copy = malloc((size_t)n * sizeof *copy);
        if (copy) {
            memcpy(copy, ans->records, (size_t)n * sizeof *copy);
        } else {
            n = 0;
        }
        if (qtype == DNS_TYPE_A) {
            w->a_recs = copy;
            w->na = n;
        } else {
            w->aaaa_recs = copy;
            w->naaaa = n;
        }
    }
    /* The second family to answer decides the host's status. */
    if (!w->a_pending && !w->aaaa_pending) host_complete(req, host);
}

/* A lookup's outcome, recorded; no reference changes hands. */
static void lookup_record(struct request *req, int host, int qtype, enum lookup_outcome o,
                          const char *err, struct dns_answer *ans)
{
    if (host < 0 && req->srv)
        srv_done(req, o, err, ans);
    else if (host < 0)
        mx_done(req, o, err, ans);
    else
        addr_done(req, host, qtype, o, err, ans);
}

/* A lookup's outcome, and the reference it held goes: this may finish and
 * free the request, so nothing may touch req after it. */
static void lookup_done(struct request *req, int host, int qtype, enum lookup_outcome o,
                        const char *err, struct dns_answer *ans)
{
    lookup_record(req, host, qtype, o, err, ans);
    request_release(req);
}

static void on_lookup(void *arg, struct lookup_reply *r)
{
    struct lookup *lk = arg;
    struct request *req = lk->req;
    if (lk->host < 0 && r->outcome != LK_FAILED) req->res->mx_secure = r->authentic ? TRI_YES : TRI_NO;
    lookup_done(req, lk->host, lk->qtype, r->outcome, r->error, r->answer);
    free(lk);
}

/* Sends a lookup, which holds a reference to the request until its
 * answer; its caller holds one of its own across the call (request_new's,
 * or the MX lookup's), so the request outlives it even when the answer
 * comes at once. */
static void lookup_start(struct request *req, int host, int qtype, const char *name)
{
    struct lookup *lk = calloc(1, sizeof *lk);
    if (!lk) {
        lookup_record(req, host, qtype, LK_FAILED, "out of memory", NULL); /* no reference taken */
        return;
    }
    req->outstanding++;
    lk->req = req;
    lk->host = host;
    lk->qtype = qtype;
    dns_lookup(req->au, name, qtype, req->lim.ad, on_lookup, lk);
}

static struct request *request_new(struct ares_uv *au, const char *name,
                                   const struct resolve_limits *lim, resolve_cb cb, void *arg)
{
    struct request *req = calloc(1, sizeof *req);
    struct dns_result *res = calloc(1, sizeof *res);
    if (!req || !res) {
        free(req);
        if (res) {
            res->status = ST_DNS_FAILED;
            snprintf(res->error, sizeof res->error, "out of memory");
            cb(arg, res);
        }
        return NULL;
    }
    req->au = au;
    req->lim = *lim;
    req->cb = cb;
    req->arg = arg;
    req->res = res;
    snprintf(req->domain, sizeof req->domain, "%s", name);
    req->outstanding = 1; /* held until every first query is sent */
    return req;
}

void resolve_mail_domain(struct ares_uv *au, const char *domain, const struct resolve_limits *lim,
                         resolve_cb cb, void *arg)
{
    struct request *req = request_new(au, domain, lim, cb, arg);
    if (!req) return;
    lookup_start(req, -1, DNS_TYPE_MX, domain);
    request_release(req);
}

void resolve_host(struct ares_uv *au, const char *host, const struct resolve_limits *lim,
                  resolve_cb cb, void *arg)
{
    struct request *req = request_new(au, host, lim, cb, arg);
    if (!req) return;
    set_self_host(req, VIA_NAME);
    request_release(req);
}

void resolve_srv_domain(struct ares_uv *au, const char *domain, const char *label,
                        const struct resolve_limits *lim, resolve_cb cb, void *arg)
{
    struct request *req = request_new(au, domain, lim, cb, arg);
    if (!req) return;
    req->srv = true;
    snprintf(req->res->srv_owner, sizeof req->res->srv_owner, "%s.%s", label, domain);
    lookup_start(req, -1, DNS_TYPE_SRV, req->res->srv_owner);
    request_release(req);
}

void dns_result_free(struct dns_result *res)
{
    if (!res) return;
    for (int i = 0; i < res->nhosts; i++) free(res->hosts[i].addrs);
    free(res->hosts);
    free(res);
}
