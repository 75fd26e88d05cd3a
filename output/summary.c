#include "output/summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/csv.h"
#include "scanner/feeder.h"
#include "scanner/probe.h"

int summary_init(struct summary *s, int64_t expiring_within)
{
    memset(s, 0, sizeof *s);
    s->expiring_within = expiring_within;
    return uv_mutex_init(&s->lock);
}

void summary_free(struct summary *s)
{
    hashset_free(&s->certs);
    free(s->expiring);
    uv_mutex_destroy(&s->lock);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Under the lock: cipher counts, unique certificates, the expiring list. */
static void count_locked(struct summary *s, const struct row *row)
{
    const struct probe_result *r = row->result;
    if (r->cipher[0]) {
        int i = 0;
        while (i < s->nciphers && strcmp(s->ciphers[i].name, r->cipher) != 0) i++;
        if (i == s->nciphers && i < SUMMARY_CIPHERS) copy(s->ciphers[s->nciphers++].name, 64, r->cipher);
        if (i < s->nciphers) s->ciphers[i].rows++;
    }
    if (!r->cert.present || !r->cert.dates_valid) return;
    int64_t days = cert_days_left(r);
    int expiring = s->expiring_within >= 0 && days <= s->expiring_within;
    if (expiring) s->expiring_total++;
    if (expiring && s->nexpiring < SUMMARY_EXPIRING_LIST) {
        if (!s->expiring) s->expiring = calloc(SUMMARY_EXPIRING_LIST, sizeof *s->expiring);
        if (s->expiring) {
            struct expiring_cert *e = &s->expiring[s->nexpiring++];
            copy(e->domain, sizeof e->domain, row->domain.p);
            copy(e->mx_host, sizeof e->mx_host, row->mx_host);
            copy(e->ip, sizeof e->ip, row->ip);
            iso8601_utc(r->cert.not_after, e->not_after);
            e->days_left = days;
        }
    }
    if (!hashset_add(&s->certs, r->cert.sha256, strlen(r->cert.sha256))) return;
    s->certs_unique++;
    if (r->cert.not_after < r->scanned_at) s->certs_expired++;
    else if (days < 7) s->certs_7d++;
    else if (days < 30) s->certs_30d++;
    if (r->chain_valid == TRI_NO) s->certs_bad_chain++;
}

void summary_count(struct summary *s, const struct row *row)
{
    const struct probe_result *r = row->result;
    atomic_fetch_add(&s->rows, 1);
    atomic_fetch_add(&s->by_status[r->status], 1);
    if (r->starttls == TRI_YES) atomic_fetch_add(&s->starttls_yes, 1);
    if (r->starttls == TRI_NO) atomic_fetch_add(&s->starttls_no, 1);
    if (r->hostname_match == TRI_NO) atomic_fetch_add(&s->name_mismatch, 1);
    int v = r->tls_version[0] ? tls_version_bit_of_name(r->tls_version) : -1;
    if (v >= 0) atomic_fetch_add(&s->versions[v], 1);
    uv_mutex_lock(&s->lock);
    count_locked(s, row);
    uv_mutex_unlock(&s->lock);
}

static int by_rows(const void *a, const void *b)
{
    const struct cipher_count *x = a, *y = b;
    return x->rows < y->rows ? 1 : x->rows > y->rows ? -1 : strcmp(x->name, y->name);
}

static void sort_ciphers(struct summary *s)
{
    qsort(s->ciphers, (size_t)s->nciphers, sizeof s->ciphers[0], by_rows);
}

void summary_print(struct summary *s, const struct feeder_stats *in, double seconds, FILE *out)
{
    uint64_t rows = atomic_load(&s->rows);
    fprintf(out, "starttls-scan: %llu targets (%llu duplicate, %llu invalid lines) -> %llu rows "
                 "in %.1f s (%.0f targets/s)\n",
            (unsigned long long)in->targets, (unsigned long long)in->duplicates,
            (unsigned long long)in->invalid, (unsigned long long)rows, seconds,
            seconds > 0 ? (double)(in->targets + in->invalid) / seconds : 0.0);
    if (in->resumed)
        fprintf(out, "starttls-scan: %llu targets were already in the output (--resume)\n",
                (unsigned long long)in->resumed);
    fprintf(out, "starttls-scan: rows by status:");
    for (int i = 0; i < ST_COUNT; i++) {
        uint64_t n = atomic_load(&s->by_status[i]);
        if (n) fprintf(out, " %s=%llu", status_name((enum scan_status)i), (unsigned long long)n);
    }
    fprintf(out, "\n");
    uint64_t yes = atomic_load(&s->starttls_yes), no = atomic_load(&s->starttls_no);
    if (yes + no)
        fprintf(out, "starttls-scan: STARTTLS offered on %llu of %llu rows that asked (%.1f%%)\n",
                (unsigned long long)yes, (unsigned long long)(yes + no), 100.0 * (double)yes / (double)(yes + no));
    fprintf(out, "starttls-scan: TLS versions:");
    for (int v = 4; v >= 0; v--) {
        uint64_t n = atomic_load(&s->versions[v]);
        if (n) fprintf(out, " %s=%llu", tls_version_bit_name(v), (unsigned long long)n);
    }
    fprintf(out, "\n");
    uv_mutex_lock(&s->lock);
    sort_ciphers(s);
    if (s->nciphers) fprintf(out, "starttls-scan: top ciphers:");
    for (int i = 0; i < s->nciphers && i < 5; i++)
        fprintf(out, " %s=%llu", s->ciphers[i].name, (unsigned long long)s->ciphers[i].rows);
    if (s->nciphers) fprintf(out, "\n");
    fprintf(out, "starttls-scan: certificates: %llu seen, %llu expired, %llu expiring within 7 days, "
                 "%llu more within 30 days, %llu with an invalid chain; %llu rows with a name mismatch\n",
            (unsigned long long)s->certs_unique, (unsigned long long)s->certs_expired,
            (unsigned long long)s->certs_7d, (unsigned long long)s->certs_30d,
            (unsigned long long)s->certs_bad_chain, (unsigned long long)atomic_load(&s->name_mismatch));
    if (s->expiring_within >= 0) {
        fprintf(out, "starttls-scan: %llu rows with a certificate expiring within %lld days%s\n",
                (unsigned long long)s->expiring_total, (long long)s->expiring_within,
                s->expiring_total ? ":" : "");
        for (int i = 0; i < s->nexpiring && i < 50; i++) {
            struct expiring_cert *e = &s->expiring[i];
            fprintf(out, "  %s %s %s expires %s (%lld days)\n", e->domain, e->mx_host, e->ip,
                    e->not_after, (long long)e->days_left);
        }
        if (s->expiring_total > 50) fprintf(out, "  ... (--summary FILE lists up to %d)\n", SUMMARY_EXPIRING_LIST);
    }
    uv_mutex_unlock(&s->lock);
}

static void json_string(FILE *f, const char *s)
{
    struct buf b = {0};
    csv_escape_text(&b, s, strlen(s), 0);
    fputc('"', f);
    for (size_t i = 0; i < b.len; i++) {
        if (b.data[i] == '"' || b.data[i] == '\\') fputc('\\', f);
        fputc(b.data[i], f);
    }
    fputc('"', f);
    buf_free(&b);
}

int summary_write_json(struct summary *s, const struct feeder_stats *in, double seconds,
                       const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "starttls-scan: --summary: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint64_t yes = atomic_load(&s->starttls_yes), no = atomic_load(&s->starttls_no);
    fprintf(f, "{\"elapsed_s\":%.3f,\"targets\":%llu,\"duplicates\":%llu,\"invalid\":%llu,"
               "\"resumed\":%llu,\"rows\":%llu,\"targets_per_s\":%.1f,\"rows_by_status\":{",
            seconds, (unsigned long long)in->targets, (unsigned long long)in->duplicates,
            (unsigned long long)in->invalid, (unsigned long long)in->resumed,
            (unsigned long long)atomic_load(&s->rows),
            seconds > 0 ? (double)(in->targets + in->invalid) / seconds : 0.0);
    for (int i = 0, first = 1; i < ST_COUNT; i++) {
        uint64_t n = atomic_load(&s->by_status[i]);
        if (!n) continue;
        fprintf(f, "%s\"%s\":%llu", first ? "" : ",", status_name((enum scan_status)i), (unsigned long long)n);
        first = 0;
    }
    fprintf(f, "},\"tls_versions\":{");
    for (int v = 4, first = 1; v >= 0; v--) {
        uint64_t n = atomic_load(&s->versions[v]);
        if (!n) continue;
        fprintf(f, "%s\"%s\":%llu", first ? "" : ",", tls_version_bit_name(v), (unsigned long long)n);
        first = 0;
    }
    fprintf(f, "},\"starttls\":{\"offered\":%llu,\"not_offered\":%llu,\"share\":%.4f},\"top_ciphers\":[",
            (unsigned long long)yes, (unsigned long long)no, yes + no ? (double)yes / (double)(yes + no) : 0.0);
    uv_mutex_lock(&s->lock);
    sort_ciphers(s);
    for (int i = 0; i < s->nciphers && i < 10; i++)
        fprintf(f, "%s{\"cipher\":\"%s\",\"rows\":%llu}", i ? "," : "", s->ciphers[i].name,
                (unsigned long long)s->ciphers[i].rows);
    fprintf(f, "],\"certificates\":{\"unique\":%llu,\"expired\":%llu,\"expiring_7d\":%llu,"
               "\"expiring_30d\":%llu,\"invalid_chain\":%llu},\"rows_name_mismatch\":%llu",
            (unsigned long long)s->certs_unique, (unsigned long long)s->certs_expired,
            (unsigned long long)s->certs_7d, (unsigned long long)(s->certs_7d + s->certs_30d),
            (unsigned long long)s->certs_bad_chain, (unsigned long long)atomic_load(&s->name_mismatch));
    if (s->expiring_within >= 0) {
        fprintf(f, ",\"expiring_within\":{\"days\":%lld,\"rows\":%llu,\"list\":[", (long long)s->expiring_within,
                (unsigned long long)s->expiring_total);
        for (int i = 0; i < s->nexpiring; i++) {
            struct expiring_cert *e = &s->expiring[i];
            fprintf(f, "%s{\"domain\":", i ? "," : "");
            json_string(f, e->domain);
            fprintf(f, ",\"mx_host\":");
            json_string(f, e->mx_host);
            fprintf(f, ",\"ip\":\"%s\",\"not_after\":\"%s\",\"days_left\":%lld}", e->ip, e->not_after,
                    (long long)e->days_left);
        }
        fprintf(f, "]}");
    }
    uv_mutex_unlock(&s->lock);
    fprintf(f, "}\n");
    if (fclose(f) != 0) {
        fprintf(stderr, "starttls-scan: --summary: writing %s failed\n", path);
        return -1;
    }
    return 0;
}
