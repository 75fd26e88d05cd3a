#include "output/jsonl.h"

#include <stdio.h>
#include <string.h>

#include "output/csv.h"

struct obj {
    struct buf *out;
    int rc;
    int first;
};

static void key(struct obj *o, const char *name)
{
    if (o->rc) return;
    o->rc = buf_printf(o->out, "%s\"%s\":", o->first ? "{" : ",", name);
    o->first = 0;
}

static void put_null(struct obj *o, const char *name)
{
    key(o, name);
    if (!o->rc) o->rc = buf_append_str(o->out, "null");
}

static void put_string(struct obj *o, const char *name, const char *p, size_t len)
{
    if (!p || len == 0) {
        put_null(o, name);
        return;
    }
    struct buf text = {0};
    key(o, name);
    if (!o->rc) o->rc = csv_escape_text(&text, p, len, 0);
    if (!o->rc) o->rc = buf_append(o->out, "\"", 1);
    for (size_t i = 0; !o->rc && i < text.len; i++) {
        char c = text.data[i];
        o->rc = (c == '"' || c == '\\') ? buf_printf(o->out, "\\%c", c) : buf_append(o->out, &c, 1);
    }
    if (!o->rc) o->rc = buf_append(o->out, "\"", 1);
    buf_free(&text);
}

static void put_str(struct obj *o, const char *name, const char *s)
{
    put_string(o, name, s, s ? strlen(s) : 0);
}

static void put_text(struct obj *o, const char *name, const struct text *t)
{
    put_string(o, name, t->p, t->len);
}

static void put_int(struct obj *o, const char *name, long long v, int present)
{
    if (!present) {
        put_null(o, name);
        return;
    }
    key(o, name);
    if (!o->rc) o->rc = buf_printf(o->out, "%lld", v);
}

static void put_bool(struct obj *o, const char *name, enum tri t)
{
    if (t == TRI_UNKNOWN) {
        put_null(o, name);
        return;
    }
    key(o, name);
    if (!o->rc) o->rc = buf_append_str(o->out, t == TRI_YES ? "true" : "false");
}

static void put_time(struct obj *o, const char *name, int64_t t, int present)
{
    char s[32] = "";
    if (present) iso8601_utc(t, s);
    put_str(o, name, s);
}

int jsonl_row(struct buf *out, const struct row *row)
{
    const struct probe_result *r = row->result;
    const struct cert_facts *c = &r->cert;
    struct obj o = {out, 0, 1};
    int dates = c->present && c->dates_valid;
    put_text(&o, "domain", &row->domain);
    put_str(&o, "mx_host", row->mx_host);
    put_int(&o, "mx_pref", row->mx_pref, row->mx_pref >= 0);
    put_str(&o, "ip", row->ip);
    put_int(&o, "port", row->port, row->port > 0);
    put_str(&o, "protocol", row->protocol);
    put_str(&o, "status", status_name(r->status));
    put_text(&o, "error", &r->error);
    put_text(&o, "banner", &r->banner);
    put_bool(&o, "starttls", r->starttls);
    put_str(&o, "tls_version", r->tls_version);
    put_str(&o, "cipher", r->cipher);
    put_str(&o, "kex_group", r->kex_group);
    put_text(&o, "cert_subject", &c->subject);
    put_text(&o, "cert_issuer", &c->issuer);
    put_text(&o, "cert_san", &c->san);
    put_str(&o, "cert_serial", c->serial);
    put_time(&o, "cert_not_before", c->not_before, dates);
    put_time(&o, "cert_not_after", c->not_after, dates);
    put_int(&o, "cert_days_left", cert_days_left(r), dates);
    put_str(&o, "cert_key", c->key);
    put_str(&o, "cert_sig_alg", c->sig_alg);
    put_str(&o, "cert_sha256", c->sha256);
    put_bool(&o, "chain_valid", r->chain_valid);
    put_text(&o, "chain_error", &r->chain_error);
    put_bool(&o, "hostname_match", r->hostname_match);
    put_int(&o, "connect_ms", r->connect_ms, r->connect_ms >= 0);
    put_int(&o, "tls_ms", r->tls_ms, r->tls_ms >= 0);
    put_time(&o, "scanned_at", r->scanned_at, r->scanned_at > 0);
    put_text(&o, "auth_mechs", &r->auth_mechs);
    put_text(&o, "auth_mechs_plain", &r->auth_mechs_plain);
    put_str(&o, "handshake", r->handshake);
    put_str(&o, "versions", r->versions);
    if (!o.rc) o.rc = buf_append(out, "}\n", 2);
    return o.rc;
}

int jsonl_domain(const char *line, size_t len, struct buf *out)
{
    static const char prefix[] = "{\"domain\":\"";
    buf_reset(out);
    if (len < sizeof prefix - 1 || memcmp(line, prefix, sizeof prefix - 1) != 0) return -1;
    for (size_t i = sizeof prefix - 1; i < len; i++) {
        if (line[i] == '"') return 0;
        if (line[i] == '\\' && i + 1 < len) i++; /* we only ever escape " and \ */
        buf_append(out, line + i, 1);
    }
    return -1;
}
