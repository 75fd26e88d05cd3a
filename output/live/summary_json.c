/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The summary as JSON (--summary FILE). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/rows/cellfmt.h"
#include "output/rows/jsonl.h"
#include "output/live/summary.h"
#include "scanner/input/feeder.h"
#include "scanner/tls/names.h"

#define U(x) ((unsigned long long)(x))

static int by_rows(const void *a, const void *b)
{
    const struct cipher_count *x = a, *y = b;
    return x->rows < y->rows ? 1 : x->rows > y->rows ? -1 : strcmp(x->name, y->name);
}

static void counts(struct buf *b, struct summary *s)
{
    buf_printf(b, "\"rows_by_status\":{");
    for (int i = 0, first = 1; i < ST_COUNT; i++) {
        uint64_t n = atomic_load(&s->by_status[i]);
        if (!n) continue;
        buf_printf(b, "%s\"%s\":%llu", first ? "" : ",", status_name((enum scan_status)i), U(n));
        first = 0;
    }
    buf_printf(b, "},\"tls_versions\":{");
    for (int v = 4, first = 1; v >= 0; v--) {
        uint64_t n = atomic_load(&s->versions[v]);
        if (!n) continue;
        buf_printf(b, "%s\"%s\":%llu", first ? "" : ",", tls_version_bit_name(v), U(n));
        first = 0;
    }
    uint64_t yes = atomic_load(&s->starttls_yes), no = atomic_load(&s->starttls_no);
    buf_printf(b, "},\"starttls\":{\"offered\":%llu,\"not_offered\":%llu,\"share\":%.4f},"
                  "\"rows_retried\":%llu,\"dns_queries\":%llu,\"ciphers\":{\"listed\":%llu,\"weak\":%llu}",
               U(yes), U(no), yes + no ? (double)yes / (double)(yes + no) : 0.0,
               U(atomic_load(&s->retried)), U(atomic_load(&s->dns_queries)),
               U(atomic_load(&s->ciphers_listed)), U(atomic_load(&s->ciphers_weak)));
}

/* Under the summary's lock. */
static void certificates(struct buf *b, struct summary *s)
{
    qsort(s->ciphers, (size_t)s->nciphers, sizeof s->ciphers[0], by_rows);
    buf_printf(b, ",\"top_ciphers\":[");
    for (int i = 0; i < s->nciphers && i < 10; i++)
        buf_printf(b, "%s{\"cipher\":\"%s\",\"rows\":%llu}", i ? "," : "", s->ciphers[i].name,
                   U(s->ciphers[i].rows));
    buf_printf(b, "],\"certificates\":{\"unique\":%llu,\"expired\":%llu,\"expiring_7d\":%llu,"
                  "\"expiring_30d\":%llu,\"invalid_chain\":%llu},\"rows_name_mismatch\":%llu",
               U(s->certs_unique), U(s->certs_expired), U(s->certs_7d),
               U(s->certs_7d + s->certs_30d), U(s->certs_bad_chain),
               U(atomic_load(&s->name_mismatch)));
    if (s->expiring_within < 0) return;
    buf_printf(b, ",\"expiring_within\":{\"days\":%lld,\"rows\":%llu,\"list\":[",
               (long long)s->expiring_within, U(s->expiring_total));
    for (int i = 0; i < s->nexpiring; i++) {
        struct expiring_cert *e = &s->expiring[i];
        buf_printf(b, "%s{\"domain\":", i ? "," : "");
        json_string(b, e->domain, strlen(e->domain));
        buf_printf(b, ",\"mx_host\":");
        json_string(b, e->mx_host, strlen(e->mx_host));
        buf_printf(b, ",\"ip\":\"%s\",\"not_after\":\"%s\",\"days_left\":%lld}", e->ip, e->not_after,
                   (long long)e->days_left);
    }
    buf_printf(b, "]}");
}

static void string_or_null(struct buf *b, const char *s)
{
    if (s && *s)
        json_string(b, s, strlen(s));
    else
        buf_append_str(b, "null");
}

static void time_or_null(struct buf *b, int64_t t)
{
    char iso[32] = "";
    if (t > 0) iso8601_utc(t, iso);
    string_or_null(b, iso);
}

static void string_array(struct buf *b, const char *const *v, int n)
{
    buf_append_str(b, "[");
    for (int i = 0; i < n; i++) {
        if (i) buf_append_str(b, ",");
        json_string(b, v[i], strlen(v[i]));
    }
    buf_append_str(b, "]");
}

/* "run": where the run came from. */
static void provenance(struct buf *b, const struct run_provenance *r)
{
    buf_printf(b, "\"run\":{\"schema_version\":%d,\"scanner\":", SUMMARY_SCHEMA_VERSION);
    string_or_null(b, r->scanner);
    buf_append_str(b, ",\"command_line\":");
    string_array(b, (const char *const *)r->argv, r->argc);
    buf_append_str(b, ",\"started\":");
    time_or_null(b, r->started);
    buf_append_str(b, ",\"ended\":");
    time_or_null(b, r->ended);
    buf_append_str(b, ",\"protocol\":");
    string_or_null(b, r->protocol);
    buf_append_str(b, ",\"ehlo\":");
    string_or_null(b, r->ehlo);
    buf_append_str(b, ",\"resolvers\":");
    string_array(b, r->resolvers, r->nresolvers);
    buf_append_str(b, ",\"resolvers_from\":");
    string_or_null(b, r->resolvers_from);
    const char *sources[16];
    for (int i = 0; i < r->nsources && i < 16; i++) sources[i] = r->sources[i];
    buf_append_str(b, ",\"source_addresses\":");
    string_array(b, sources, r->nsources < 16 ? r->nsources : 16);
    buf_printf(b, ",\"source_addresses_more\":%llu,\"ca_bundle\":{\"path\":", U(r->sources_more));
    string_or_null(b, r->ca_bundle);
    buf_append_str(b, ",\"sha256\":");
    string_or_null(b, r->ca_sha256);
    buf_append_str(b, "}},");
}

int summary_write_json(struct summary *s, const struct feeder_stats *in,
                       const struct summary_context *ctx, double seconds, int fd, const char *path)
{
    struct buf b = {0};
    buf_append_str(&b, "{");
    if (ctx->run) provenance(&b, ctx->run);
    buf_printf(&b, "\"elapsed_s\":%.3f,\"targets\":%llu,\"duplicates\":%llu,\"invalid\":%llu,"
                   "\"resumed\":%llu,\"rows\":%llu,\"rows_resumed\":%llu,\"targets_per_s\":%.1f,"
                   "\"interrupted\":%s,\"targets_left\":%llu,",
               seconds, U(in->targets), U(in->duplicates), U(in->invalid), U(in->resumed),
               U(atomic_load(&s->rows)), U(atomic_load(&s->rows_resumed)),
               seconds > 0 ? (double)(in->targets + in->invalid) / seconds : 0.0,
               ctx->interrupted ? "true" : "false", U(ctx->left));
    if (in->shard.n)
        buf_printf(&b, "\"shard\":{\"index\":%u,\"count\":%u,\"other_shard_lines\":%llu},",
                   in->shard.k, in->shard.n, U(in->other_shard));
    else
        buf_printf(&b, "\"shard\":null,");
    counts(&b, s);
    summary_flush_rows(s);
    uv_mutex_lock(&s->lock);
    certificates(&b, s);
    summary_json_policy(s, &b);
    uv_mutex_unlock(&s->lock);
    int rc = buf_printf(&b, "}\n");
    size_t done = 0;
    if (rc == 0 && ftruncate(fd, 0) == 0) {
        while (done < b.len) {
            ssize_t n = pwrite(fd, b.data + done, b.len - done, (off_t)done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += (size_t)n;
        }
    }
    if (rc != 0 || done < b.len) {
        fprintf(stderr, "starttls-scan: --summary: writing %s failed: %s\n", path, strerror(errno));
        rc = -1;
    }
    buf_free(&b);
    return rc;
}
