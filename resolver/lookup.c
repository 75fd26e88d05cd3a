/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resolver/lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A CNAME chain may span several answers; past this many names, give up. */
#define MAX_CNAME_CHAIN 8

struct lookup {
    lookup_cb cb;
    void *arg;
    struct ares_uv *au;
    int qtype;
    int chain;
    bool ad;
    bool authentic; /* so far along the chain */
    char name[DNS_NAME_MAX];
};

/* What a failed query's status says, in words. With ARES_FLAG_NOCHECKRESP
 * (resolver/ares_uv.c) the server's rcode arrives as such; c-ares 1.18
 * would otherwise end SERVFAIL, REFUSED and NOTIMP answers as
 * ARES_ECONNREFUSED, which then only means an unreachable server. */
static const char *failure_text(int status)
{
    switch (status) {
    case ARES_ETIMEOUT: return "timeout";
    case ARES_ESERVFAIL: return "SERVFAIL";
    case ARES_EREFUSED: return "REFUSED";
    case ARES_ENOTIMP: return "NOTIMP";
    case ARES_EFORMERR: return "FORMERR";
    case ARES_ECONNREFUSED: return "DNS server unreachable (connection refused)";
    case ARES_EBADRESP: return "malformed DNS answer";
    default: return ares_strerror(status);
    }
}

/* A truncated answer (TC) that holds no records is no answer: the records
 * did not fit, and TCP did not bring them. */
static int truncated_empty(const unsigned char *abuf, int alen)
{
    return abuf && alen >= 12 && (abuf[2] & 0x02) != 0 && abuf[6] == 0 && abuf[7] == 0;
}

/* The AD bit of an answer that carries no records (NODATA, NXDOMAIN):
 * c-ares hands the message over for those too. */
static bool header_ad(const unsigned char *abuf, int alen)
{
    return abuf && alen >= 12 && (abuf[3] & 0x20) != 0;
}

static void send_lookup(struct lookup *lk);

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct lookup *lk = arg;
    struct dns_answer ans;
    struct lookup_reply r = {LK_FAILED, NULL, NULL, false, status == ARES_ESERVFAIL};
    char why[160];
    (void)timeouts;
    memset(&ans, 0, sizeof ans);
    switch (status) {
    case ARES_SUCCESS: r.outcome = LK_RECORDS; break;
    case ARES_ENODATA: r.outcome = LK_NODATA; break;
    case ARES_ENOTFOUND: r.outcome = LK_NXDOMAIN; break;
    default: r.error = failure_text(status); break;
    }
    if (r.outcome == LK_NODATA || r.outcome == LK_NXDOMAIN)
        lk->authentic = lk->authentic && header_ad(abuf, alen);
    if (r.outcome == LK_NODATA && truncated_empty(abuf, alen)) {
        r.outcome = LK_FAILED;
        r.error = "truncated answer with no records";
    }
    if (r.outcome == LK_RECORDS && dns_read_answer(abuf, (size_t)alen, lk->name, lk->qtype, &ans) != 0) {
        r.outcome = LK_FAILED;
        snprintf(why, sizeof why, "malformed DNS answer: %s", ans.error ? ans.error : "?");
        r.error = why;
    }
    if (r.outcome == LK_RECORDS) {
        lk->authentic = lk->authentic && ans.authentic;
        if (ans.nrecords == 0 && ans.cname_hops > 0) {
            /* The chain ends at a name the server did not resolve: ask for it. */
            if (lk->chain + 1 >= MAX_CNAME_CHAIN) {
                r.outcome = LK_FAILED;
                r.error = "CNAME chain too long or looping";
            } else {
                lk->chain++;
                snprintf(lk->name, sizeof lk->name, "%s", ans.final_name);
                dns_answer_free(&ans);
                send_lookup(lk);
                return;
            }
        } else if (ans.nrecords == 0 && ans.truncated) {
            r.outcome = LK_FAILED;
            r.error = "truncated answer with no records";
        } else if (ans.nrecords == 0) {
            r.outcome = LK_NODATA;
        }
    }
    r.answer = r.outcome == LK_RECORDS ? &ans : NULL;
    r.authentic = lk->ad && lk->authentic && r.outcome != LK_FAILED;
    lk->cb(lk->arg, &r);
    dns_answer_free(&ans);
    free(lk);
}

static void send_lookup(struct lookup *lk)
{
    ares_uv_query_ad(lk->au, lk->name, lk->qtype, lk->ad, on_answer, lk);
}

void dns_lookup(struct ares_uv *au, const char *name, int qtype, bool ad, lookup_cb cb, void *arg)
{
    struct lookup *lk = calloc(1, sizeof *lk);
    if (!lk) {
        struct lookup_reply r = {LK_FAILED, "out of memory", NULL, false, false};
        cb(arg, &r);
        return;
    }
    lk->cb = cb;
    lk->arg = arg;
    lk->au = au;
    lk->qtype = qtype;
    lk->ad = ad;
    lk->authentic = true;
    snprintf(lk->name, sizeof lk->name, "%s", name);
    send_lookup(lk);
}

const char *lookup_outcome_text(const struct lookup_reply *r)
{
    switch (r->outcome) {
    case LK_NXDOMAIN: return "NXDOMAIN";
    case LK_NODATA: return "no records";
    case LK_FAILED: return r->error ? r->error : "failed";
    default: return "";
    }
}
