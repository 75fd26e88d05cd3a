/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report's tables: certificates expiring soon (one line per
 * certificate, every domain and MX it serves, soonest first) and the
 * domains with their grade and reason (worst first). Sortable by any
 * column; numbers sort by their data-v. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/report/html.h"
#include "output/report/report.h"

static int by_days(const void *a, const void *b)
{
    const struct report_cert *x = *(const struct report_cert *const *)a, *y = *(const struct report_cert *const *)b;
    return x->days_left < y->days_left ? -1 : x->days_left > y->days_left ? 1 : strcmp(x->sha256, y->sha256);
}

static int td(struct buf *out, const char *cls, const char *text)
{
    int rc = buf_printf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    if (rc == 0) rc = html_text(out, text);
    return rc ? rc : buf_append_str(out, "</td>");
}

/* "domain (mx)" for each line the certificate serves. */
static int served(struct buf *out, const struct report_cert *c)
{
    int rc = buf_append_str(out, "<td>");
    const char *p = c->served.data ? c->served.data : "";
    const char *end = p + c->served.len;
    while (rc == 0 && p < end) {
        const char *tab = memchr(p, '\t', (size_t)(end - p)), *nl = memchr(p, '\n', (size_t)(end - p));
        if (!tab || !nl || tab > nl) break;
        char domain[300], mx[300];
        snprintf(domain, sizeof domain, "%.*s", (int)(tab - p), p);
        snprintf(mx, sizeof mx, "%.*s", (int)(nl - tab - 1), tab + 1);
        rc = buf_append_str(out, "<div class=\"served\">");
        if (rc == 0) rc = html_text(out, domain);
        if (rc == 0) rc = buf_append_str(out, " <span class=\"note\">(");
        if (rc == 0) rc = html_text(out, mx);
        if (rc == 0) rc = buf_append_str(out, ")</span></div>");
        p = nl + 1;
    }
    if (rc == 0 && c->nserved > c->nshown)
        rc = buf_printf(out, "<div class=\"note\">and %d more</div>", c->nserved - c->nshown);
    return rc ? rc : buf_append_str(out, "</td>");
}

static int expiring(struct buf *out, const struct report *r)
{
    const struct report_cert **sorted = malloc((size_t)(r->nexpiring ? r->nexpiring : 1) * sizeof *sorted);
    if (!sorted) return -1;
    for (int i = 0; i < r->nexpiring; i++) sorted[i] = &r->expiring[i];
    qsort(sorted, (size_t)r->nexpiring, sizeof *sorted, by_days);
    int rc = buf_printf(out, "<section><h2>Certificates expiring within %" PRId64 " days "
                             "(<span id=\"n-expiring\">%d</span>)</h2>",
                        r->expiring_within, r->nexpiring);
    if (rc == 0 && r->nexpiring == 0) rc = buf_append_str(out, "<p class=\"note\">None.</p>");
    if (rc == 0 && r->nexpiring)
        rc = buf_append_str(out, "<table id=\"expiring\" class=\"sortable\"><thead><tr><th>Days left</th>"
                                 "<th>Expires</th><th>Subject</th><th>Issuer</th><th>Domains (MX)</th>"
                                 "<th>SHA-256</th></tr></thead><tbody>");
    for (int i = 0; rc == 0 && i < r->nexpiring; i++) {
        const struct report_cert *c = sorted[i];
        char shown[17];
        snprintf(shown, sizeof shown, "%.16s", c->sha256);
        rc = buf_append_str(out, "<tr data-sha256=\""); /* hex from our rows, but a file may say anything */
        if (rc == 0) rc = html_text(out, c->sha256);
        if (rc == 0)
            rc = buf_printf(out, "\"><td data-v=\"%" PRId64 "\"%s>%" PRId64 "</td>", c->days_left,
                            c->days_left < 0 ? " class=\"red\"" : "", c->days_left);
        if (rc == 0) rc = td(out, NULL, c->not_after);
        if (rc == 0) rc = td(out, NULL, c->subject);
        if (rc == 0) rc = td(out, NULL, c->issuer);
        if (rc == 0) rc = served(out, c);
        if (rc == 0) rc = buf_append_str(out, "<td><code>");
        if (rc == 0) rc = html_text(out, shown);
        if (rc == 0) rc = buf_append_str(out, "</code></td></tr>");
    }
    if (rc == 0 && r->nexpiring) rc = buf_append_str(out, "</tbody></table>");
    if (rc == 0 && r->expiring_more)
        rc = buf_printf(out, "<p class=\"note\">More certificates expire in that window than the %d listed; "
                             "the rollup CSV has every domain.</p>", REPORT_CERTS);
    free(sorted);
    return rc ? rc : buf_append_str(out, "</section>");
}

static int domain_row(struct buf *out, const struct report_domain *d)
{
    static const char *const cls[REPORT_GRADES] = {"g gA", "g gB", "g gC", "g gD", "g gF", "g gN", "g gN"};
    int rc = buf_append_str(out, "<tr>");
    if (rc == 0) rc = td(out, NULL, d->domain);
    if (rc == 0)
        rc = buf_printf(out, "<td class=\"%s\" data-v=\"%d\">%s</td>", cls[d->grade], d->grade,
                        report_grade_names[d->grade]);
    if (rc == 0) rc = td(out, NULL, d->reason);
    if (rc == 0) rc = td(out, NULL, d->mx);
    if (rc == 0) rc = td(out, NULL, d->starttls);
    if (rc == 0) rc = td(out, NULL, d->lowest);
    if (rc == 0 && d->has_days)
        rc = buf_printf(out, "<td data-v=\"%" PRId64 "\"%s>%" PRId64 " (%.10s)</td>", d->days_left,
                        d->days_left < 0 ? " class=\"red\"" : "", d->days_left, d->expiry);
    else if (rc == 0)
        rc = buf_append_str(out, "<td data-v=\"999999\"></td>");
    if (rc == 0) rc = td(out, NULL, d->dane);
    if (rc == 0) rc = td(out, NULL, d->sts);
    return rc ? rc : buf_append_str(out, "</tr>");
}

static int domains(struct buf *out, const struct report *r)
{
    static const int order[REPORT_GRADES] = {4, 3, 2, 1, 0, 5, 6}; /* worst first */
    int rc = buf_printf(out, "<section><h2>Domains (<span id=\"shown\">%d</span> shown)</h2>"
                             "<input id=\"filter\" type=\"search\" placeholder=\"Filter: a domain, a grade, a reason\">"
                             "<table id=\"domains\" class=\"sortable\"><thead><tr><th>Domain</th><th>Grade</th>"
                             "<th>Reason</th><th>MX hosts</th><th>STARTTLS</th><th>Lowest TLS</th>"
                             "<th>Earliest expiry (days)</th><th>DANE</th><th>MTA-STS</th></tr></thead><tbody>",
                        r->kept);
    for (int k = 0; rc == 0 && k < REPORT_GRADES; k++)
        for (int i = 0; rc == 0 && i < r->ndomains[order[k]]; i++) rc = domain_row(out, &r->domains[order[k]][i]);
    if (rc == 0) rc = buf_append_str(out, "</tbody></table>");
    if (rc == 0 && r->domains_left_out)
        rc = buf_printf(out, "<p class=\"note\" id=\"left-out\" data-v=\"%" PRIu64 "\">%" PRIu64
                             " domains with the best grades are not listed (the table keeps %d); the rollup CSV "
                             "has them all.</p>",
                        r->domains_left_out, r->domains_left_out, REPORT_DOMAINS);
    return rc ? rc : buf_append_str(out, "</section>");
}

int report_tables(struct buf *out, const struct report *r)
{
    int rc = expiring(out, r);
    return rc ? rc : domains(out, r);
}
