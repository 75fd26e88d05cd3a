/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report's page: head (CSS, and a Content-Security-Policy that lets
 * nothing load and only our own script run), the headline, the charts and
 * the two tables. */
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/hash.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/report/html.h"
#include "output/report/report.h"
#include "output/report/svg.h"

#define GREEN "#1e8449"
#define LIGHT_GREEN "#58b368"
#define YELLOW "#e2b714"
#define ORANGE "#e67e22"
#define RED "#c0392b"
#define GREY "#95a5a6"
#define BLUE "#2e6da4"

/* Sorting and filtering, nothing else: the page's only script. */
static const char script[] =
    "document.querySelectorAll('table.sortable th').forEach(function(th){"
    "th.addEventListener('click',function(){"
    "var t=th.closest('table'),i=Array.prototype.indexOf.call(th.parentNode.children,th),"
    "b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.dataset.dir!=='asc';"
    "th.dataset.dir=asc?'asc':'desc';"
    "rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i],p=a.dataset.v,q=c.dataset.v;"
    "var r=(p!==undefined&&q!==undefined)?parseFloat(p)-parseFloat(q):a.textContent.localeCompare(c.textContent);"
    "return asc?r:-r;});"
    "rows.forEach(function(r){b.appendChild(r);});});});"
    "var f=document.getElementById('filter');"
    "if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();"
    "Array.prototype.forEach.call(document.getElementById('domains').tBodies[0].rows,function(r){"
    "r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});"
    "document.getElementById('shown').textContent="
    "document.querySelectorAll('#domains tbody tr:not([hidden])').length;});}";

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1c2833;"
    "background:#f4f6f8}"
    "header{background:#1c2833;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}"
    "header p{margin:4px 0 0;color:#c8d0d8;font-size:13px}"
    "main{padding:20px 32px;max-width:1500px}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:16px;margin-bottom:20px}"
    ".card{background:#fff;border-radius:8px;padding:14px 20px;box-shadow:0 1px 3px #0002}"
    ".card .num{font-size:30px;font-weight:700}.card .sub{color:#5d6d7e;font-size:13px}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}"
    "figure{background:#fff;border-radius:8px;margin:0;padding:12px 16px;box-shadow:0 1px 3px #0002}"
    "figcaption{font-weight:600;margin-bottom:6px}figure p{margin:4px 0 0;color:#5d6d7e;font-size:12px}"
    "svg .lbl{font-size:12px;fill:#34495e}svg .cnt{font-size:12px;fill:#1c2833;font-weight:600}"
    "svg .axis{stroke:#aab7c4}"
    "section{background:#fff;border-radius:8px;padding:12px 16px;margin-top:20px;box-shadow:0 1px 3px #0002}"
    "h2{font-size:17px;margin:4px 0 10px}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th{text-align:left;background:#eaeef2;cursor:pointer;padding:6px 8px;position:sticky;top:0}"
    "td{padding:5px 8px;border-top:1px solid #e5e8eb;vertical-align:top;word-break:break-word}"
    "td.g{font-weight:700;text-align:center;color:#fff;border-radius:4px}"
    ".gA{background:" GREEN "}.gB{background:" LIGHT_GREEN "}.gC{background:" YELLOW "}"
    ".gD{background:" ORANGE "}.gF{background:" RED "}.gN{background:" GREY "}"
    ".red{color:" RED ";font-weight:600}.note{color:#5d6d7e;font-size:12px}"
    "input#filter{padding:6px 10px;width:320px;margin-bottom:8px;border:1px solid #aab7c4;border-radius:4px}"
    "code{font-size:12px}";

static int script_hash(char *out, size_t cap)
{
    byte digest[WC_SHA256_DIGEST_SIZE];
    word32 n = (word32)cap;
    if (wc_Sha256Hash((const byte *)script, (word32)strlen(script), digest) != 0 ||
        Base64_Encode_NoNl(digest, sizeof digest, (byte *)out, &n) != 0 || n >= cap)
        return -1;
    out[n] = '\0';
    return 0;
}

static void percent(char *out, size_t len, uint64_t n, uint64_t of)
{
    if (of == 0)
        snprintf(out, len, "-");
    else
        snprintf(out, len, "%.1f%%", 100.0 * (double)n / (double)of);
}

static int head(struct buf *out, const struct report_meta *m)
{
    char hash[64], when[32];
    if (script_hash(hash, sizeof hash) != 0) return -1;
    iso8601_utc(m->generated, when);
    int rc = buf_printf(out,
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                        "style-src 'unsafe-inline'; script-src 'sha256-%s'; base-uri 'none'; "
                        "form-action 'none'\">"
                        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                        "<title>Mail transport security report</title><style>%s</style></head><body>"
                        "<header><h1>Mail transport security report</h1><p>starttls-scan %s, %s, from ",
                        hash, style, m->version, when);
    for (int i = 0; rc == 0 && i < m->ninputs; i++) {
        rc = buf_append_str(out, i ? ", <code>" : "<code>");
        if (rc == 0) rc = html_text(out, m->inputs[i]);
        if (rc == 0) rc = buf_append_str(out, "</code>");
    }
    return rc ? rc : buf_append_str(out, "</p></header><main>");
}

static int card(struct buf *out, const char *id, uint64_t n, const char *what, const char *sub)
{
    return buf_printf(out, "<div class=\"card\"><div class=\"num\" id=\"%s\" data-v=\"%" PRIu64 "\">%" PRIu64
                           "</div><div>%s</div><div class=\"sub\">%s</div></div>",
                      id, n, n, what, sub);
}

static int cards(struct buf *out, const struct report *r)
{
    char tls[64], ab[64], sub[160];
    uint64_t graded = r->targets - r->grades[5] - r->grades[6];
    percent(tls, sizeof tls, r->starttls_all, r->answered_domains);
    percent(ab, sizeof ab, r->grades[0] + r->grades[1], graded);
    int rc = buf_append_str(out, "<div class=\"cards\">");
    if (rc == 0) rc = card(out, "n-domains", r->targets, "domains", "one grade each");
    if (rc == 0) rc = card(out, "n-rows", r->rows, "rows", "one per domain, MX host and address");
    snprintf(sub, sizeof sub, "<span id=\"p-starttls\">%s</span> of the %" PRIu64 " domains whose MX answered", tls,
             r->answered_domains);
    if (rc == 0) rc = card(out, "n-starttls-all", r->starttls_all, "STARTTLS on every MX", sub);
    snprintf(sub, sizeof sub, "<span id=\"p-ab\">%s</span> of the %" PRIu64 " graded domains", ab, graded);
    if (rc == 0) rc = card(out, "n-graded-ab", r->grades[0] + r->grades[1], "graded A or B", sub);
    snprintf(sub, sizeof sub, "distinct certificates, %" PRIu64 " expired", r->expiry_bins[0]);
    if (rc == 0) rc = card(out, "n-certs", r->certs, "certificates", sub);
    return rc ? rc : buf_append_str(out, "</div>");
}

static int figure(struct buf *out, const char *caption, const char *id, const struct svg_bar *bars, int n,
                  bool columns, const char *note)
{
    int rc = buf_printf(out, "<figure><figcaption>%s</figcaption>", caption);
    if (rc == 0) rc = columns ? svg_columns(out, id, bars, n) : svg_bars(out, id, bars, n);
    if (rc == 0 && note) rc = buf_printf(out, "<p>%s</p>", note);
    return rc ? rc : buf_append_str(out, "</figure>");
}

static struct svg_bar bar(const char *label, uint64_t value, const char *color)
{
    return (struct svg_bar){label, value, color, NULL};
}

static const char *status_color(int st)
{
    if (st == ST_OK) return GREEN;
    if (st == ST_NO_STARTTLS || st == ST_STARTTLS_REFUSED || st == ST_TLS_FAILED) return RED;
    return GREY;
}

static int by_certs(const void *a, const void *b)
{
    const struct report_issuer *x = a, *y = b;
    return x->certs < y->certs ? 1 : x->certs > y->certs ? -1 : strcmp(x->name, y->name);
}

/* The ten issuers of most certificates, by CN beside the bar, the rest as one. */
static int issuers_chart(struct buf *out, const struct report *r)
{
    struct svg_bar bars[12];
    int n = 0;
    struct report_issuer top[REPORT_ISSUERS];
    memcpy(top, r->issuers, (size_t)r->nissuers * sizeof top[0]);
    qsort(top, (size_t)r->nissuers, sizeof top[0], by_certs);
    uint64_t other = r->other_issuer_certs;
    char shown[10][128];
    for (int i = 0; i < r->nissuers; i++) {
        if (i < 10) {
            /* the issuer's CN (or the whole name) beside its bar; all of it in the tooltip */
            const char *cn = strstr(top[i].name, "CN=");
            snprintf(shown[i], sizeof shown[i], "%.*s", cn ? (int)strcspn(cn + 3, ",") : 127,
                     cn ? cn + 3 : top[i].name);
            bars[n++] = (struct svg_bar){top[i].name, top[i].certs, BLUE, shown[i]};
        } else {
            other += top[i].certs;
        }
    }
    if (other) bars[n++] = bar("(other issuers)", other, GREY);
    return figure(out, "Issuers (distinct certificates)", "chart-issuers", bars, n, false, NULL);
}

static int charts(struct buf *out, const struct report *r)
{
    static const char *const grade_colors[REPORT_GRADES] = {GREEN, LIGHT_GREEN, YELLOW, ORANGE, RED, GREY, GREY};
    static const char *const version_colors[TLS_VERSION_BITS] = {RED, RED, ORANGE, LIGHT_GREEN, GREEN};
    static const char *const expiry_colors[REPORT_EXPIRY_BINS] = {RED, ORANGE, ORANGE, YELLOW, LIGHT_GREEN,
                                                                  GREEN, GREEN, GREEN, GREEN};
    static const char *const dane_colors[DOMAIN_DANE_COUNT] = {GREEN, LIGHT_GREEN, RED, ORANGE, GREY, GREY, GREY};
    struct svg_bar bars[ST_COUNT + 16];
    int n = 0, rc = buf_append_str(out, "<div class=\"grid\">");
    for (int g = 0; g < REPORT_GRADES - 1; g++)
        bars[n++] = bar(report_grade_names[g], r->grades[g], grade_colors[g]);
    if (rc == 0) rc = figure(out, "Grades (one per domain)", "chart-grades", bars, n, false,
                             "&#8220;-&#8221;: no grade (no MX answered, a null MX, or DNS failed).");
    n = 0;
    for (int s = 0; s < ST_COUNT; s++)
        if (r->by_status[s]) bars[n++] = bar(status_name((enum scan_status)s), r->by_status[s], status_color(s));
    if (rc == 0) rc = figure(out, "Status of every row", "chart-status", bars, n, false, NULL);
    n = 0;
    for (int v = TLS_VERSION_BITS - 1; v >= 0; v--)
        bars[n++] = bar(tls_version_bit_name(v), r->versions[v], version_colors[v]);
    if (rc == 0) rc = figure(out, "TLS version negotiated (rows)", "chart-versions", bars, n, false, NULL);
    n = 0;
    for (int b = 0; b < REPORT_EXPIRY_BINS; b++)
        bars[n++] = bar(report_expiry_labels[b], r->expiry_bins[b], expiry_colors[b]);
    if (rc == 0) rc = figure(out, "Certificate expiry: days left (distinct certificates)", "chart-expiry", bars, n,
                             true, "Counted from each row's scan time; expired in red.");
    if (rc == 0) rc = issuers_chart(out, r);
    n = 0;
    for (int d = 0; d < DOMAIN_DANE_NOT_LOOKED; d++) bars[n++] = bar(domain_dane_names[d], r->dane[d], dane_colors[d]);
    if (rc == 0) rc = figure(out, "DANE (domains, over their MX)", "chart-dane", bars, n, false, NULL);
    n = 0;
    static const int sts_order[] = {MTA_STS_ENFORCE, MTA_STS_TESTING, MTA_STS_MODE_NONE, MTA_STS_NO_POLICY, MTA_STS_ERROR};
    static const char *const sts_labels[] = {"enforce", "testing", "mode none", "no policy", "error"};
    static const char *const sts_colors[] = {GREEN, LIGHT_GREEN, GREY, GREY, RED};
    for (int i = 0; i < 5; i++) bars[n++] = bar(sts_labels[i], r->sts[sts_order[i]], sts_colors[i]);
    if (rc == 0) rc = figure(out, "MTA-STS (mail domains)", "chart-mta-sts", bars, n, false, NULL);
    n = 0;
    static const int rpt_order[] = {RPT_OK, RPT_MALFORMED, RPT_ERROR, RPT_NO_RECORD};
    static const char *const rpt_labels[] = {"published", "malformed", "error", "none"};
    static const char *const rpt_colors[] = {GREEN, ORANGE, RED, GREY};
    for (int i = 0; i < 4; i++) bars[n++] = bar(rpt_labels[i], r->rpt[rpt_order[i]], rpt_colors[i]);
    if (rc == 0) rc = figure(out, "TLS-RPT (mail domains)", "chart-tls-rpt", bars, n, false, NULL);
    return rc ? rc : buf_append_str(out, "</div>");
}

int report_html(const struct report *r, const struct report_meta *m, struct buf *out)
{
    int rc = head(out, m);
    if (rc == 0) rc = cards(out, r);
    if (rc == 0) rc = charts(out, r);
    if (rc == 0) rc = report_tables(out, r);
    if (rc == 0)
        rc = buf_printf(out, "<p class=\"note\">Grades follow the rubric of docs/grades.md in the "
                             "starttls-scan sources; every figure comes from the rows of the file(s) named "
                             "above.</p></main><script>%s</script></body></html>\n",
                        script);
    return rc;
}

