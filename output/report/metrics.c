/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output/report/grade.h"
#include "scanner/base/tempfile.h"
#include "scanner/result/status.h"
#include "scanner/tls/names.h"

/* The families gathered per target, in the file's order. */
#define TARGET_FAMILIES(F)                                                                         \
    F(M_SUCCESS, "starttls_probe_success", "1 when the probe's status is ok (TLS completed)")      \
    F(M_STATUS, "starttls_probe_status_info", "the probe's status (docs/metrics.md lists them)")   \
    F(M_VERSION, "starttls_tls_version_info", "the TLS version negotiated")                        \
    F(M_NOT_AFTER, "starttls_cert_not_after_timestamp_seconds", "the leaf certificate's notAfter, Unix time") \
    F(M_CHAIN, "starttls_cert_chain_valid", "1 when the chain verifies to a trusted root, 0 when not") \
    F(M_DANE, "starttls_dane_valid", "1 when every TLSA-protected MX matched its records (RFC 7672), 0 when not") \
    F(M_STS, "starttls_mta_sts_info", "the domain's MTA-STS policy mode (RFC 8461)")               \
    F(M_STS_VALID, "starttls_mta_sts_valid", "1 when every MX that answered passes the MTA-STS policy, 0 when not") \
    F(M_GRADE, "starttls_domain_grade_info", "the domain's grade (docs/grades.md)")                \
    F(M_SOONEST, "starttls_domain_cert_not_after_min_timestamp_seconds", "the soonest notAfter of the domain's certificates, Unix time")

#define FAMILY_ENUM(id, name, help) id,
enum family { TARGET_FAMILIES(FAMILY_ENUM) M_COUNT };
#undef FAMILY_ENUM
#define FAMILY_NAME(id, name, help) name,
static const char *const family_names[] = {TARGET_FAMILIES(FAMILY_NAME)};
#undef FAMILY_NAME
#define FAMILY_HELP(id, name, help) help,
static const char *const family_help[] = {TARGET_FAMILIES(FAMILY_HELP)};
#undef FAMILY_HELP

struct metrics {
    bool aggregate;
    FILE *family[M_COUNT];
    char last_domain[1024]; /* the domain series are written once per domain */
    int err;
};

struct metrics *metrics_new(bool aggregate)
{
    struct metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->aggregate = aggregate;
    for (int i = 0; i < M_COUNT; i++)
        if (!(m->family[i] = temp_file())) {
            int e = errno;
            metrics_free(m);
            errno = e;
            return NULL;
        }
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m) return;
    for (int i = 0; i < M_COUNT; i++)
        if (m->family[i]) fclose(m->family[i]);
    free(m);
}

void metrics_label_value(FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

static void label(FILE *f, const char *name, const char *value, bool first)
{
    fprintf(f, "%s%s=\"", first ? "" : ",", name);
    metrics_label_value(f, value);
    fputc('"', f);
}

/* The endpoint's labels, without the braces. */
static void endpoint_labels(FILE *f, const struct rollup_target *t, const struct kept_row *k)
{
    char port[16] = "";
    if (k->port > 0) snprintf(port, sizeof port, "%d", k->port);
    label(f, "domain", t->domain, true);
    label(f, "host", k->mx_host, false);
    label(f, "address", k->ip, false);
    label(f, "port", port, false);
    label(f, "protocol", t->protocol ? t->protocol : "", false);
}

/* A sample: NAME{endpoint labels[,extra="value"]} value. */
static void endpoint_sample(struct metrics *m, enum family fam, const struct rollup_target *t,
                            const struct kept_row *k, const char *extra, const char *extra_value, int64_t v)
{
    FILE *f = m->family[fam];
    fprintf(f, "%s{", family_names[fam]);
    endpoint_labels(f, t, k);
    if (extra) label(f, extra, extra_value, false);
    fprintf(f, "} %" PRId64 "\n", v);
}

static void domain_sample(struct metrics *m, enum family fam, const char *domain, const char *extra,
                          const char *extra_value, int64_t v)
{
    FILE *f = m->family[fam];
    fprintf(f, "%s{", family_names[fam]);
    label(f, "domain", domain, true);
    if (extra) label(f, extra, extra_value, false);
    fprintf(f, "} %" PRId64 "\n", v);
}

/* Two rows of one target with the same host, address and port would be
 * one series twice, which Prometheus refuses: the first one counts. */
static bool seen_before(const struct rollup_target *t, int i)
{
    const struct kept_row *k = &t->rows[i];
    for (int j = 0; j < i; j++)
        if (t->rows[j].port == k->port && strcmp(t->rows[j].ip, k->ip) == 0 &&
            strcmp(t->rows[j].mx_host, k->mx_host) == 0)
            return true;
    return false;
}

static void add_endpoints(struct metrics *m, const struct rollup_target *t)
{
    for (int i = 0; i < t->nrows; i++) {
        const struct kept_row *k = &t->rows[i];
        if (seen_before(t, i)) continue;
        endpoint_sample(m, M_SUCCESS, t, k, NULL, NULL, k->status == ST_OK);
        endpoint_sample(m, M_STATUS, t, k, "status", status_name(k->status), 1);
        if (k->tls_version[0]) endpoint_sample(m, M_VERSION, t, k, "version", k->tls_version, 1);
        if (k->has_days) endpoint_sample(m, M_NOT_AFTER, t, k, NULL, NULL, k->not_after);
        if (k->chain_valid != TRI_UNKNOWN) endpoint_sample(m, M_CHAIN, t, k, NULL, NULL, k->chain_valid == TRI_YES);
    }
}

static void add_domain(struct metrics *m, const struct rollup_target *t)
{
    const struct rollup *u = t->rollup;
    enum domain_dane dane = rollup_dane(u);
    if (dane == DOMAIN_DANE_VALID || dane == DOMAIN_DANE_PARTIAL || dane == DOMAIN_DANE_INVALID)
        domain_sample(m, M_DANE, t->domain, NULL, NULL, dane == DOMAIN_DANE_VALID);
    if (u->sts != MTA_STS_NOT_LOOKED && u->sts != MTA_STS_NO_POLICY) {
        domain_sample(m, M_STS, t->domain, "mode", sts_status_name(u->sts), 1);
        enum tri passed = rollup_sts_passed(u);
        if (passed != TRI_UNKNOWN && u->sts != MTA_STS_ERROR)
            domain_sample(m, M_STS_VALID, t->domain, NULL, NULL, passed == TRI_YES);
    }
    domain_sample(m, M_GRADE, t->domain, "grade", t->grade, 1);
    if (u->have_expiry && m->aggregate) domain_sample(m, M_SOONEST, t->domain, NULL, NULL, u->earliest_expiry);
}

void metrics_add(struct metrics *m, const struct rollup_target *t)
{
    if (!m->aggregate) add_endpoints(m, t);
    /* One target per domain cell, port and protocol: a domain seen again
     * (another port or protocol in a merged file) keeps its first series. */
    if (strcmp(m->last_domain, t->domain) == 0) return;
    snprintf(m->last_domain, sizeof m->last_domain, "%s", t->domain);
    add_domain(m, t);
}

static void header(FILE *f, const char *name, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The run's own families, from the report's counts. */
static void run_families(FILE *f, const struct report *r, const struct metrics_run *run)
{
    header(f, "starttls_scan_rows", "rows of the scan's output by status (every row, earlier runs' after --resume)");
    for (int s = 0; s < ST_COUNT; s++)
        fprintf(f, "starttls_scan_rows{status=\"%s\"} %" PRIu64 "\n", status_name(s), r->by_status[s]);
    header(f, "starttls_scan_tls_version_rows", "rows that completed TLS, by the version negotiated");
    for (int v = 0; v < TLS_VERSION_BITS; v++)
        fprintf(f, "starttls_scan_tls_version_rows{version=\"%s\"} %" PRIu64 "\n", tls_version_bit_name(v),
                r->versions[v]);
    header(f, "starttls_scan_domains", "targets (domains) by grade (\"-\": no grade)");
    for (int g = 0; g < REPORT_GRADES - 1; g++)
        fprintf(f, "starttls_scan_domains{grade=\"%s\"} %" PRIu64 "\n", report_grade_names[g], r->grades[g]);
    header(f, "starttls_scan_domains_dane", "targets by their DANE verdict (docs/grades.md)");
    for (int d = 0; d < DOMAIN_DANE_COUNT; d++)
        fprintf(f, "starttls_scan_domains_dane{dane=\"%s\"} %" PRIu64 "\n",
                domain_dane_names[d][0] ? domain_dane_names[d] : "not_looked_up", r->dane[d]);
    header(f, "starttls_scan_domains_mta_sts", "mail domains by MTA-STS mode (\"no_policy\": none published)");
    static const char *const sts_words[] = {"not_looked_up", "no_policy", "none", "testing", "enforce", "error"};
    for (int s = MTA_STS_NO_POLICY; s <= MTA_STS_ERROR; s++)
        fprintf(f, "starttls_scan_domains_mta_sts{mode=\"%s\"} %" PRIu64 "\n", sts_words[s], r->sts[s]);
    header(f, "starttls_scan_last_run_timestamp_seconds", "when the scan ended, Unix time");
    fprintf(f, "starttls_scan_last_run_timestamp_seconds %" PRId64 "\n", run->ended);
    header(f, "starttls_scan_duration_seconds", "how long the scan ran");
    fprintf(f, "starttls_scan_duration_seconds %.3f\n", run->duration);
    header(f, "starttls_scan_info", "the scanner's version");
    fputs("starttls_scan_info{version=\"", f);
    metrics_label_value(f, run->version);
    fputs("\"} 1\n", f);
}

static int copy_family(FILE *to, FILE *from)
{
    if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0) return errno ? errno : EIO;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, from)) > 0)
        if (fwrite(chunk, 1, n, to) != n) return errno ? errno : EIO;
    return ferror(from) ? (errno ? errno : EIO) : 0;
}

int metrics_write(struct metrics *m, const struct report *r, const struct metrics_run *run, FILE *f)
{
    for (int i = 0; i < M_COUNT; i++) {
        if (ferror(m->family[i])) return errno ? errno : EIO;
        if (ftell(m->family[i]) == 0) continue; /* no sample: no family */
        header(f, family_names[i], family_help[i]);
        int err = copy_family(f, m->family[i]);
        if (err) return err;
    }
    run_families(f, r, run);
    return ferror(f) ? (errno ? errno : EIO) : 0;
}

bool metrics_file_replaceable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return errno == ENOENT;
    if (!S_ISREG(st.st_mode)) return true; /* written through (output/files/outfile.h) */
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT;
    char head[17] = "";
    size_t n = fread(head, 1, 16, f);
    fclose(f);
    return n == 0 || (n == 16 && memcmp(head, "# HELP starttls_", 16) == 0);
}
