#include "output/csv.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const columns[] = {
    "domain",          "mx_host",        "mx_pref",       "ip",
    "port",            "protocol",       "status",        "error",
    "banner",          "starttls",       "tls_version",   "cipher",
    "kex_group",       "cert_subject",   "cert_issuer",   "cert_san",
    "cert_serial",     "cert_not_before", "cert_not_after", "cert_days_left",
    "cert_key",        "cert_sig_alg",   "cert_sha256",   "chain_valid",
    "chain_error",     "hostname_match", "connect_ms",    "tls_ms",
    "scanned_at",      "auth_mechs",     "auth_mechs_plain", "handshake",
    "versions",
};

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is invalid.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned int cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return n;
}

/* Escapes p into out (without quoting), stopping before CSV_CELL_MAX. */
static int escape_into(struct buf *out, const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t start = out->len;
    size_t limit = CSV_CELL_MAX - sizeof CSV_TRUNCATED;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(s + i, len - i);
        char esc[5];
        const char *piece;
        size_t piece_len;
        if (n == 0 || s[i] < 0x20 || s[i] == 0x7F || s[i] == '\\') {
            snprintf(esc, sizeof esc, "\\x%02x", s[i]);
            piece = esc;
            piece_len = 4;
            n = 1;
        } else {
            piece = (const char *)s + i;
            piece_len = n;
        }
        if (out->len - start + piece_len > limit) {
            return buf_append_str(out, CSV_TRUNCATED);
        }
        if (buf_append(out, piece, piece_len) != 0) return -1;
        i += n;
    }
    return 0;
}

int csv_escape_text(struct buf *out, const char *p, size_t len, int is_text)
{
    int rc = 0;
    /* OWASP CSV injection: a cell starting with one of these is a formula. */
    if (is_text && len > 0 && strchr("=+-@\t\r", p[0]) != NULL) rc = buf_append(out, "'", 1);
    return rc ? rc : escape_into(out, p, len);
}

int csv_cell(struct buf *out, const char *p, size_t len, int is_text)
{
    struct buf cell = {0};
    int rc = csv_escape_text(&cell, p, len, is_text);
    if (rc == 0) {
        int quote = cell.len && (memchr(cell.data, ',', cell.len) || memchr(cell.data, '"', cell.len));
        if (!quote) {
            rc = buf_append(out, cell.data, cell.len);
        } else {
            rc = buf_append(out, "\"", 1);
            for (size_t i = 0; rc == 0 && i < cell.len; i++) {
                rc = cell.data[i] == '"' ? buf_append(out, "\"\"", 2)
                                         : buf_append(out, cell.data + i, 1);
            }
            if (rc == 0) rc = buf_append(out, "\"", 1);
        }
    }
    buf_free(&cell);
    return rc;
}

int csv_header(struct buf *out)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof columns / sizeof columns[0]; i++) {
        if (i) rc = buf_append(out, ",", 1);
        if (rc == 0) rc = buf_append_str(out, columns[i]);
    }
    return rc ? rc : buf_append(out, "\r\n", 2);
}

void iso8601_utc(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) out[0] = '\0';
}

static const char *tri_word(enum tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "";
}

struct row_writer {
    struct buf *out;
    int rc;
    int first;
};

static void put(struct row_writer *w, const char *p, size_t len, int is_text)
{
    if (w->rc) return;
    if (!w->first) w->rc = buf_append(w->out, ",", 1);
    w->first = 0;
    if (w->rc == 0) w->rc = csv_cell(w->out, p ? p : "", p ? len : 0, is_text);
}

static void put_str(struct row_writer *w, const char *s)
{
    put(w, s, s ? strlen(s) : 0, 0);
}

static void put_text(struct row_writer *w, const struct text *t)
{
    put(w, t->p, t->len, 1);
}

static void put_int(struct row_writer *w, int64_t v, int present)
{
    char n[32] = "";
    if (present) snprintf(n, sizeof n, "%lld", (long long)v);
    put_str(w, n);
}

static void put_time(struct row_writer *w, int64_t t, int present)
{
    char s[32] = "";
    if (present) iso8601_utc(t, s);
    put_str(w, s);
}

int csv_row(struct buf *out, const struct row *row)
{
    const struct probe_result *r = row->result;
    const struct cert_facts *c = &r->cert;
    struct row_writer w = {out, 0, 1};
    put_text(&w, &row->domain);
    put(&w, row->mx_host, row->mx_host ? strlen(row->mx_host) : 0, 1);
    put_int(&w, row->mx_pref, row->mx_pref >= 0);
    put_str(&w, row->ip);
    put_int(&w, row->port, row->port > 0);
    put_str(&w, row->protocol);
    put_str(&w, status_name(r->status));
    put_text(&w, &r->error);
    put_text(&w, &r->banner);
    put_str(&w, tri_word(r->starttls));
    put_str(&w, r->tls_version);
    put_str(&w, r->cipher);
    put_str(&w, r->kex_group);
    put_text(&w, &c->subject);
    put_text(&w, &c->issuer);
    put_text(&w, &c->san);
    put_str(&w, c->serial);
    put_time(&w, c->not_before, c->present && c->dates_valid);
    put_time(&w, c->not_after, c->present && c->dates_valid);
    put_int(&w, cert_days_left(r), c->present && c->dates_valid);
    put_str(&w, c->key);
    put_str(&w, c->sig_alg);
    put_str(&w, c->sha256);
    put_str(&w, tri_word(r->chain_valid));
    put_text(&w, &r->chain_error);
    put_str(&w, tri_word(r->hostname_match));
    put_int(&w, r->connect_ms, r->connect_ms >= 0);
    put_int(&w, r->tls_ms, r->tls_ms >= 0);
    put_time(&w, r->scanned_at, r->scanned_at > 0);
    put_text(&w, &r->auth_mechs);
    put_text(&w, &r->auth_mechs_plain);
    put_str(&w, r->handshake);
    put_str(&w, r->versions);
    if (w.rc == 0) w.rc = buf_append(out, "\r\n", 2);
    return w.rc;
}
