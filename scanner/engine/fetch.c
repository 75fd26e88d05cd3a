/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/dialog/http.h"
#include "scanner/engine/admission.h"
#include "scanner/engine/conn.h"
#include "scanner/base/oom.h"

struct fetch {
    const struct fetch_env *env;
    fetch_cb cb;
    void *arg;
    struct https_exchange x;
};

static void on_finished(void *arg, struct conn *c)
{
    struct fetch *f = arg;
    const struct probe_result *r = &c->result;
    const struct http_reader *h = &f->x.http;
    struct fetch_result out = {NULL, REASON_STS_FETCH, NULL, 0};
    char why[700];
    if (h->state == HTTP_ERROR) {
        /* http.c's words for a body too large hold the reason's marker. */
        snprintf(why, sizeof why, "the policy's HTTP response from %s: %s", c->sni,
                 h->error ? h->error : "malformed");
        out.error = why;
        if (h->too_large) out.why = REASON_STS_TOO_LARGE;
    } else if (r->status != ST_OK) {
        snprintf(why, sizeof why, "fetching https://%s/.well-known/mta-sts.txt: %s: %s", c->sni,
                 status_name(r->status), r->error.p ? r->error.p : "");
        out.error = why;
    } else if (r->chain_valid != TRI_YES || r->hostname_match != TRI_YES) {
        snprintf(why, sizeof why, "the certificate of %s %s: %s", c->sni, policy_reason_marker(REASON_STS_CERT),
                 r->chain_valid != TRI_YES ? (r->chain_error.p ? r->chain_error.p : "chain not valid")
                                           : "the name does not match");
        out.error = why;
        out.why = REASON_STS_CERT;
    } else if (h->status / 100 == 3) {
        snprintf(why, sizeof why, "HTTP %d: %s, which RFC 8461 3.3 forbids following", h->status,
                 policy_reason_marker(REASON_STS_REDIRECT));
        out.error = why;
        out.why = REASON_STS_REDIRECT;
    } else if (h->state != HTTP_DONE) {
        /* A policy judged on part of its body would drop mx lines, or a mode. */
        snprintf(why, sizeof why, "the policy did not arrive whole: %s",
                 h->status == 0 ? "no complete response" : "the body stalled before its end");
        out.error = why;
    } else if (h->status != 200) {
        snprintf(why, sizeof why, "%s%d from %s", policy_reason_marker(REASON_STS_HTTP_STATUS), h->status, c->sni);
        out.error = why;
        out.why = REASON_STS_HTTP_STATUS;
    } else if (!h->text_plain) {
        snprintf(why, sizeof why, "the policy's media type is %s%s%s, not text/plain (RFC 8461 3.2)",
                 h->content_type[0] ? "\"" : "", h->content_type[0] ? h->content_type : "not given",
                 h->content_type[0] ? "\"" : "");
        out.error = why;
    } else {
        out.body = h->body.data ? h->body.data : "";
        out.len = h->body.len;
    }
    f->cb(f->arg, &out);
}

static void on_closed(void *arg, struct conn *c)
{
    struct fetch *f = arg;
    admission_closed(f->env->admission, c);
    http_reader_free(&f->x.http);
    free(f);
}

static const struct conn_owner fetch_owner = {on_finished, on_closed};

void fetch_policy(const struct fetch_env *env, const struct sockaddr *addr, const char *host, fetch_cb cb,
                  void *arg)
{
    struct fetch *f = calloc(1, sizeof *f);
    if (!f) {
        out_of_memory();
    }
    f->env = env;
    f->cb = cb;
    f->arg = arg;
    http_reader_init(&f->x.http);
    https_policy_request(host, f->x.request, sizeof f->x.request);
    struct conn *c = conn_new(env->conn, &fetch_owner, f, addr, 443, host);
    if (!c) {
        out_of_memory();
    }
    c->sess.ctx = &f->x;
    admission_enqueue(env->admission, c);
}
