/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The summary on stderr. */
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/live/summary.h"
#include "scanner/input/feeder.h"
#include "scanner/tls/names.h"
#include "scanner/base/oom.h"

#define U(x) ((unsigned long long)(x))

const char *summary_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static int by_rows(const void *a, const void *b)
{
    const struct cipher_count *x = a, *y = b;
    return x->rows < y->rows ? 1 : x->rows > y->rows ? -1 : strcmp(x->name, y->name);
}

static void print_counts(struct summary *s, FILE *out)
{
    uint64_t rows = 0;
    for (int i = 0; i < ST_COUNT; i++) rows += atomic_load(&s->by_status[i]);
    if (rows) {
        fprintf(out, "starttls-scan: rows by status:");
        for (int i = 0; i < ST_COUNT; i++) {
            uint64_t n = atomic_load(&s->by_status[i]);
            if (n) fprintf(out, " %s=%llu", status_name((enum scan_status)i), U(n));
        }
        fprintf(out, "\n");
    }
    uint64_t yes = atomic_load(&s->starttls_yes), no = atomic_load(&s->starttls_no);
    if (yes + no)
        fprintf(out, "starttls-scan: STARTTLS offered on %llu of %llu %s that asked (%.1f%%)\n",
                U(yes), U(yes + no), summary_plural(yes + no, "row", "rows"),
                100.0 * (double)yes / (double)(yes + no));
    uint64_t any = 0;
    for (int v = 4; v >= 0; v--) any += atomic_load(&s->versions[v]);
    if (any) {
        fprintf(out, "starttls-scan: TLS versions:");
        for (int v = 4; v >= 0; v--) {
            uint64_t n = atomic_load(&s->versions[v]);
            if (n) fprintf(out, " %s=%llu", tls_version_bit_name(v), U(n));
        }
        fprintf(out, "\n");
    }
    uint64_t listed = atomic_load(&s->ciphers_listed), weak = atomic_load(&s->ciphers_weak);
    if (listed)
        fprintf(out, "starttls-scan: cipher suites listed on %llu %s; %llu accept a weak one (docs/ciphers.md)\n",
                U(listed), summary_plural(listed, "row", "rows"), U(weak));
    uint64_t retried = atomic_load(&s->retried);
    if (retried)
        fprintf(out, "starttls-scan: %llu %s from a second attempt (the first was refused for now "
                     "or timed out at the greeting)\n", U(retried), summary_plural(retried, "row", "rows"));
}

static void print_certs(struct summary *s, FILE *out)
{
    qsort(s->ciphers, (size_t)s->nciphers, sizeof s->ciphers[0], by_rows);
    if (s->nciphers) fprintf(out, "starttls-scan: top ciphers:");
    for (int i = 0; i < s->nciphers && i < 5; i++)
        fprintf(out, " %s=%llu", s->ciphers[i].name, U(s->ciphers[i].rows));
    if (s->nciphers) fprintf(out, "\n");
    uint64_t mismatch = atomic_load(&s->name_mismatch);
    if (s->certs_unique || mismatch)
        fprintf(out, "starttls-scan: certificates: %llu seen, %llu expired, %llu expiring within 7 "
                     "days, %llu more within 30 days, %llu with an invalid chain; %llu %s with a "
                     "name mismatch\n",
                U(s->certs_unique), U(s->certs_expired), U(s->certs_7d), U(s->certs_30d),
                U(s->certs_bad_chain), U(mismatch), summary_plural(mismatch, "row", "rows"));
    if (s->expiring_within < 0) return;
    fprintf(out, "starttls-scan: %llu %s with a certificate expiring within %lld %s%s\n",
            U(s->expiring_total), summary_plural(s->expiring_total, "row", "rows"),
            (long long)s->expiring_within, summary_plural((uint64_t)s->expiring_within, "day", "days"),
            s->expiring_total ? ":" : "");
    for (int i = 0; i < s->nexpiring && i < 50; i++) {
        struct expiring_cert *e = &s->expiring[i];
        struct buf d = {0}, m = {0};
        escape_text(&d, e->domain, strlen(e->domain), 0);
        escape_text(&m, e->mx_host, strlen(e->mx_host), 0);
        fprintf(out, "  %s %s %s expires %s (%lld days)\n", d.data ? d.data : "",
                m.data ? m.data : "", e->ip, e->not_after, (long long)e->days_left);
        buf_free(&d);
        buf_free(&m);
    }
    if (s->expiring_total > 50)
        fprintf(out, "  ... (--summary FILE lists up to %d)\n", SUMMARY_EXPIRING_LIST);
}

static int by_expiry(const void *a, const void *b)
{
    const struct expiring_cert *x = a, *y = b;
    int c = x->days_left < y->days_left ? -1 : x->days_left > y->days_left;
    if (!c) c = strcmp(x->sha256, y->sha256);
    /* Within one certificate by domain, MX and address: the row a line
     * names does not depend on the order the targets finished in. */
    if (!c) c = strcmp(x->domain, y->domain);
    if (!c) c = strcmp(x->mx_host, y->mx_host);
    return c ? c : strcmp(x->ip, y->ip);
}

static void escaped(FILE *out, const char *s)
{
    struct buf b = {0};
    escape_text(&b, s, strlen(s), 0);
    fputs(b.data ? b.data : "", out);
    buf_free(&b);
}

void summary_print_expiring(struct summary *s, FILE *out)
{
    if (s->expiring_within < 0 || s->nexpiring == 0) return;
    /* The rows of one certificate together, soonest first (a copy: the
     * JSON summary keeps the rows' order). */
    struct expiring_cert *list = malloc((size_t)s->nexpiring * sizeof *list);
    if (!list) {
        out_of_memory();
    }
    memcpy(list, s->expiring, (size_t)s->nexpiring * sizeof *list);
    qsort(list, (size_t)s->nexpiring, sizeof *list, by_expiry);
    for (int i = 0; i < s->nexpiring;) {
        const struct expiring_cert *e = &list[i];
        int k = i + 1;
        while (k < s->nexpiring && strcmp(list[k].sha256, e->sha256) == 0) k++;
        if (e->days_left >= 0)
            fprintf(out, "starttls-scan: expires in %lld %s, %s: ", (long long)e->days_left,
                    summary_plural((uint64_t)e->days_left, "day", "days"), e->not_after);
        else
            fprintf(out, "starttls-scan: expired %lld %s ago, %s: ", (long long)-e->days_left,
                    summary_plural((uint64_t)-e->days_left, "day", "days"), e->not_after);
        escaped(out, e->subject);
        fputs(", seen on ", out);
        escaped(out, e->mx_host[0] ? e->mx_host : e->domain);
        fprintf(out, " [%s] for ", e->ip);
        escaped(out, e->domain);
        if (k - i > 1) fprintf(out, " and %d more %s", k - i - 1, summary_plural((uint64_t)(k - i - 1), "row", "rows"));
        fputc('\n', out);
        i = k;
    }
    free(list);
    if (s->expiring_total > (uint64_t)s->nexpiring)
        fprintf(out, "starttls-scan: and %llu more rows with a certificate expiring that soon (the first %d are "
                     "listed)\n", U(s->expiring_total - (uint64_t)s->nexpiring), s->nexpiring);
}

void summary_print(struct summary *s, const struct feeder_stats *in, double seconds, FILE *out)
{
    uint64_t rows = atomic_load(&s->rows), resumed_rows = atomic_load(&s->rows_resumed);
    uint64_t fresh = rows - resumed_rows;
    fprintf(out, "starttls-scan: %llu %s (%llu %s, %llu invalid %s) -> %llu %s in %.1f s "
                 "(%.0f targets/s)\n",
            U(in->targets), summary_plural(in->targets, "target", "targets"), U(in->duplicates),
            summary_plural(in->duplicates, "duplicate", "duplicates"), U(in->invalid),
            summary_plural(in->invalid, "line", "lines"), U(fresh), summary_plural(fresh, "row", "rows"), seconds,
            seconds > 0 ? (double)(in->targets + in->invalid) / seconds : 0.0);
    if (in->shard.n)
        fprintf(out, "starttls-scan: shard %u of %u (0 to %u): %llu input %s belong to the other "
                     "shards\n", in->shard.k, in->shard.n, in->shard.n - 1, U(in->other_shard),
                summary_plural(in->other_shard, "line", "lines"));
    if (in->resumed || resumed_rows)
        fprintf(out, "starttls-scan: %llu %s already in the output (--resume); %s %llu %s "
                     "are counted below too\n",
                U(in->resumed), summary_plural(in->resumed, "target was", "targets were"),
                summary_plural(in->resumed, "its", "their"), U(resumed_rows),
                summary_plural(resumed_rows, "row", "rows"));
    summary_print_body(s, out);
}

void summary_print_body(struct summary *s, FILE *out)
{
    print_counts(s, out);
    summary_flush_rows(s);
    uv_mutex_lock(&s->lock);
    print_certs(s, out);
    summary_print_policy(s, out);
    uv_mutex_unlock(&s->lock);
}

/* Rows that never reached a connection: DNS outcomes, blocked addresses,
 * invalid lines. When no row got further, the scan itself was likely
 * set up wrong: say what is likely. */
/* Rows that never got as far as a connection. */
static uint64_t unreached(struct summary *s)
{
    return atomic_load(&s->by_status[ST_DNS_FAILED]) + atomic_load(&s->by_status[ST_BLOCKED]) +
           atomic_load(&s->by_status[ST_INVALID_TARGET]) + atomic_load(&s->by_status[ST_NULL_MX]) +
           atomic_load(&s->by_status[ST_NO_ADDRESS]);
}

bool summary_nothing_measured(struct summary *s)
{
    uint64_t rows = atomic_load(&s->rows);
    return rows > 0 && unreached(s) >= rows && atomic_load(&s->resolver_failed) > 0;
}

static void resolver_list(const struct summary_context *ctx, char *servers, size_t len)
{
    size_t used = (size_t)snprintf(servers, len, "%s", ctx->nresolvers ? "" : "the system's resolver (/etc/resolv.conf)");
    for (int i = 0; i < ctx->nresolvers && used < len; i++)
        used += (size_t)snprintf(servers + used, len - used, "%s%s", i ? ", " : "", ctx->resolvers[i]);
}

void summary_nothing_line(struct summary *s, const struct summary_context *ctx, FILE *out)
{
    char servers[512];
    resolver_list(ctx, servers, sizeof servers);
    fprintf(out, "starttls-scan: nothing was measured (exit status 4): no row got as far as a connection, and "
                 "%llu of %llu got no answer from the resolver: is %s reachable and answering?\n",
            U(atomic_load(&s->resolver_failed)), U(atomic_load(&s->rows)), servers);
}

void summary_warn(struct summary *s, const struct summary_context *ctx, FILE *out)
{
    if (ctx->interrupted || ctx->left)
        fprintf(out, "starttls-scan: %llu %s read but not scanned%s\n", U(ctx->left),
                summary_plural(ctx->left, "target was", "targets were"),
                ctx->input_unread ? ", and the rest of the input was not read" : "");
    uint64_t rows = atomic_load(&s->rows), dns = atomic_load(&s->by_status[ST_DNS_FAILED]),
             blocked = atomic_load(&s->by_status[ST_BLOCKED]);
    if (rows == 0 || unreached(s) < rows || dns + blocked == 0) return;
    if (dns >= blocked) {
        char servers[512];
        resolver_list(ctx, servers, sizeof servers);
        fprintf(out, "starttls-scan: warning: no row got as far as a connection, and %llu of "
                     "%llu failed in DNS: is %s reachable and answering? (--resolver IP picks "
                     "another)\n", U(dns), U(rows), servers);
    } else {
        fprintf(out, "starttls-scan: warning: no row got as far as a connection: %llu of %llu "
                     "addresses were blocked%s\n", U(blocked), U(rows),
                ctx->allow_private ? (ctx->lists ? " by --blocklist or --allowlist" : "")
                                   : ctx->lists ? " (special-purpose addresses need --allow-private; "
                                                  "check --blocklist and --allowlist too)"
                                                : " (loopback, private and other special-purpose "
                                                  "addresses need --allow-private)");
    }
}
