/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/mailpolicy/policy.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STS_MAX_AGE_MAX 31557600u

int txt_join(const unsigned char *rdata, size_t len, struct buf *out)
{
    buf_reset(out);
    for (size_t p = 0; p < len;) {
        size_t l = rdata[p++];
        if (l > len - p) return -1;
        if (buf_append(out, rdata + p, l) != 0) return -1;
        p += l;
    }
    return buf_append(out, "", 0);
}

int txt_records_add(struct txt_records *t, const unsigned char *rdata, size_t len)
{
    struct buf one = {0};
    int rc = txt_join(rdata, len, &one);
    if (rc == 0 && t->n % 8 == 0) {
        size_t cap = (size_t)t->n + 8;
        size_t *off = realloc(t->off, cap * sizeof *off);
        if (off) t->off = off;
        size_t *lens = off ? realloc(t->lens, cap * sizeof *lens) : NULL;
        if (lens) t->lens = lens;
        const char **txt = lens ? realloc(t->txt, cap * sizeof *txt) : NULL;
        if (txt) t->txt = txt;
        if (!txt) rc = -1;
    }
    /* Each record's own bytes, then a NUL: pointers are set once all are in. */
    if (rc == 0 && buf_append(&t->text, one.data ? one.data : "", one.len + 1) == 0) {
        t->off[t->n] = t->text.len - one.len - 1;
        t->lens[t->n] = one.len;
        t->n++;
        for (int i = 0; i < t->n; i++) t->txt[i] = t->text.data + t->off[i];
    } else {
        rc = -1;
    }
    buf_free(&one);
    return rc;
}

void txt_records_free(struct txt_records *t)
{
    buf_free(&t->text);
    free(t->off);
    free(t->lens);
    free(t->txt);
    *t = (struct txt_records){0};
}

static int wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* A field of a TXT record: the bytes between two ';', without the WSP
 * around them. */
struct field {
    const char *p;
    size_t n;
};

/* The next field of s[0, n) from *pos: the bytes up to the next ';' (or
 * the end), without the WSP around them; false once past the end. */
static bool next_field(const char *s, size_t n, size_t *pos, struct field *f)
{
    if (*pos > n) return false;
    const char *semi = memchr(s + *pos, ';', n - *pos);
    size_t a = *pos, b = semi ? (size_t)(semi - s) : n;
    *pos = b + 1;
    while (a < b && wsp(s[a])) a++;
    while (b > a && wsp(s[b - 1])) b--;
    *f = (struct field){s + a, b - a};
    return true;
}

static int is_ext_name(const char *p, size_t n)
{
    if (n < 1 || n > 32 || !isalnum((unsigned char)p[0])) return 0;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-' && p[i] != '.') return 0;
    return 1;
}

/* A "key=value" field: the split, and whether the value's bytes are
 * printable ASCII other than ';' and '=' (RFC 8461's, RFC 8460's). */
static int key_value(const struct field *f, struct field *key, struct field *val)
{
    const char *eq = memchr(f->p, '=', f->n);
    if (!eq) return -1;
    *key = (struct field){f->p, (size_t)(eq - f->p)};
    *val = (struct field){eq + 1, f->n - key->n - 1};
    if (!is_ext_name(key->p, key->n) || val->n == 0) return -1;
    for (size_t i = 0; i < val->n; i++) {
        unsigned char c = (unsigned char)val->p[i];
        /* WSP inside: rua lists may hold spaces around their commas */
        if ((c < 0x21 || c > 0x7e || c == ';' || c == '=') && !wsp((char)c)) return -1;
    }
    return 0;
}

/* Does the record begin with version v ("v=STSv1"), followed by ';', WSP
 * or its end? */
static int begins_with(const char *s, size_t n, const char *v)
{
    size_t l = strlen(v);
    return n >= l && memcmp(s, v, l) == 0 && (n == l || s[l] == ';' || wsp(s[l]));
}

/* The record's fields after the version: each key=value, the last one may
 * be empty (a trailing ';'). Calls want(key, value) for each; -1 malformed. */
static int record_fields(const char *s, size_t n, const char *version, struct field *wanted_key,
                         struct field *wanted, const char **why)
{
    struct field f, key, val;
    size_t pos = 0;
    next_field(s, n, &pos, &f);
    if (f.n != strlen(version) || memcmp(f.p, version, f.n) != 0)
        return *why = "the version is not the first field", -1;
    int found = 0;
    for (int i = 1; next_field(s, n, &pos, &f); i++) {
        if (f.n == 0 && pos > n && i > 1) break; /* a trailing ';' */
        if (key_value(&f, &key, &val) != 0) return *why = "a field is not key=value", -1;
        if (key.n == wanted_key->n && memcmp(key.p, wanted_key->p, key.n) == 0) {
            if (found) return *why = "a field is given twice", -1;
            found = 1;
            *wanted = val;
        }
    }
    if (!found) return *why = "a required field is missing", -1;
    return 0;
}

/* Of n records, the one that begins with version: its index, -1 none, -2 several. */
static int only_record(const char *const *txt, const size_t *lens, int n, const char *version)
{
    int at = -1;
    for (int i = 0; i < n; i++) {
        if (!begins_with(txt[i], lens[i], version)) continue;
        if (at >= 0) return -2;
        at = i;
    }
    return at;
}

int sts_txt_pick(const char *const *txt, const size_t *lens, int n, char id[POLICY_ID_MAX + 1],
                 const char **why)
{
    int at = only_record(txt, lens, n, "v=STSv1");
    if (at == -1) return 0;
    if (at == -2) return *why = "more than one v=STSv1 TXT record (RFC 8461 3.1: exactly one, or the domain has no policy)", -1;
    struct field key = {"id", 2}, val;
    if (record_fields(txt[at], lens[at], "v=STSv1", &key, &val, why) != 0) return -1;
    if (val.n > POLICY_ID_MAX) return *why = "the id is longer than 32 characters", -1;
    for (size_t i = 0; i < val.n; i++)
        if (!isalnum((unsigned char)val.p[i])) return *why = "the id holds a character other than a letter or digit", -1;
    memcpy(id, val.p, val.n);
    id[val.n] = '\0';
    return 1;
}

int tlsrpt_pick(const char *const *txt, const size_t *lens, int n, struct buf *rua, const char **why)
{
    int at = only_record(txt, lens, n, "v=TLSRPTv1");
    if (at == -1) return 0;
    if (at == -2) return *why = "more than one v=TLSRPTv1 TXT record (RFC 8460 3: exactly one, or no TLS-RPT)", -1;
    struct field key = {"rua", 3}, val;
    if (record_fields(txt[at], lens[at], "v=TLSRPTv1", &key, &val, why) != 0) return -1;
    /* Each URI mailto: or https: (RFC 8460 3), separated by commas. */
    size_t start = 0;
    for (size_t i = 0; i <= val.n; i++) {
        if (i < val.n && val.p[i] != ',') continue;
        size_t a = start, b = i;
        while (a < b && wsp(val.p[a])) a++;
        while (b > a && wsp(val.p[b - 1])) b--;
        if (!((b - a > 7 && strncasecmp(val.p + a, "mailto:", 7) == 0) ||
              (b - a > 8 && strncasecmp(val.p + a, "https://", 8) == 0)))
            return *why = "a rua URI is neither mailto: nor https:", -1;
        for (size_t c = a; c < b; c++)
            if (wsp(val.p[c])) return *why = "a rua URI holds a space", -1;
        start = i + 1;
    }
    buf_reset(rua);
    return buf_append(rua, val.p, val.n) == 0 && buf_append(rua, "", 0) == 0 ? 1 : (*why = "out of memory", -1);
}

const char *sts_mode_name(enum sts_mode m)
{
    return m == STS_ENFORCE ? "enforce" : m == STS_TESTING ? "testing" : "none";
}

/* An mx pattern: ["*."] a domain of LDH labels (1-63 octets, 253 in all). */
static int mx_pattern_ok(const char *p, size_t n)
{
    if (n >= 2 && p[0] == '*' && p[1] == '.') {
        p += 2;
        n -= 2;
    }
    if (n == 0 || n > 253) return 0;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '.') {
            if (label == 0) return 0;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)p[i]) && p[i] != '-') return 0;
        if (++label > 63) return 0;
    }
    return label > 0;
}

struct seen {
    int version, mode, max_age;
};

/* One "key: value" line of the policy. */
static int policy_line(const char *line, size_t n, struct sts_policy *out, struct seen *seen,
                       const char **why)
{
    const char *colon = memchr(line, ':', n);
    if (!colon) return *why = "a line is not key: value", -1;
    size_t kn = (size_t)(colon - line), vn = n - kn - 1;
    const char *v = colon + 1;
    while (vn && wsp(*v)) v++, vn--;
    while (vn && wsp(v[vn - 1])) vn--;
    if (!is_ext_name(line, kn) || vn == 0) return *why = "a line is not key: value", -1;
#define KEY(s) (kn == sizeof(s) - 1 && memcmp(line, s, kn) == 0)
#define VAL(s) (vn == sizeof(s) - 1 && memcmp(v, s, vn) == 0)
    if (KEY("version")) {
        if (seen->version++) return *why = "version is given twice", -1;
        if (!VAL("STSv1")) return *why = "the version is not STSv1", -1;
    } else if (KEY("mode")) {
        if (seen->mode++) return *why = "mode is given twice", -1;
        if (VAL("enforce")) out->mode = STS_ENFORCE;
        else if (VAL("testing")) out->mode = STS_TESTING;
        else if (VAL("none")) out->mode = STS_NONE;
        else return *why = "the mode is not enforce, testing or none", -1;
    } else if (KEY("max_age")) {
        if (seen->max_age++) return *why = "max_age is given twice", -1;
        uint64_t age = 0;
        for (size_t i = 0; i < vn; i++) {
            if (!isdigit((unsigned char)v[i]) || vn > 10) return *why = "max_age is not a number of seconds", -1;
            age = age * 10 + (uint64_t)(v[i] - '0');
        }
        if (age > STS_MAX_AGE_MAX) return *why = "max_age is above 31557600 (a year)", -1;
        out->max_age = (uint32_t)age;
    } else if (KEY("mx")) {
        if (!mx_pattern_ok(v, vn)) return *why = "an mx pattern is not a host name or *.name", -1;
        if (buf_reserve(&out->mx, vn + 1) != 0) return *why = "out of memory", -1;
        for (size_t i = 0; i < vn; i++) out->mx.data[out->mx.len++] = (char)tolower((unsigned char)v[i]);
        out->mx.data[out->mx.len++] = '\0';
        out->nmx++;
    } /* else an extension: ignored (RFC 8461 3.2) */
#undef KEY
#undef VAL
    return 0;
}

void sts_policy_free(struct sts_policy *p)
{
    buf_free(&p->mx);
    *p = (struct sts_policy){0};
}

const char *sts_policy_mx(const struct sts_policy *p, size_t *pos)
{
    if (*pos >= p->mx.len) return NULL;
    const char *m = p->mx.data + *pos;
    *pos += strlen(m) + 1;
    return m;
}

static int policy_lines(const char *body, size_t len, struct sts_policy *out, const char **why);

int sts_policy_parse(const char *body, size_t len, struct sts_policy *out, const char **why)
{
    sts_policy_free(out);
    if (policy_lines(body, len, out, why) == 0) return 0;
    sts_policy_free(out);
    return -1;
}

static int policy_lines(const char *body, size_t len, struct sts_policy *out, const char **why)
{
    struct seen seen = {0};
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(body + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - body) : len, n = end - pos;
        if (n && body[end - 1] == '\r') n--;
        if (n == 0) { /* only the end may be empty lines */
            for (size_t i = end; i < len; i++)
                if (body[i] != '\r' && body[i] != '\n') return *why = "an empty line between fields", -1;
            break;
        }
        if (memchr(body + pos, '\0', n)) return *why = "a NUL byte in the policy", -1;
        if (policy_line(body + pos, n, out, &seen, why) != 0) return -1;
        pos = end + 1;
    }
    if (!seen.version) return *why = "no version field", -1;
    if (!seen.mode) return *why = "no mode field", -1;
    if (!seen.max_age) return *why = "no max_age field", -1;
    if (out->mode != STS_NONE && out->nmx == 0) return *why = "no mx pattern (mode enforce or testing)", -1;
    return 0;
}

int sts_mx_matches(const struct sts_policy *p, const char *host)
{
    size_t hn = strlen(host);
    if (hn && host[hn - 1] == '.') hn--;
    size_t pos = 0;
    for (const char *m; (m = sts_policy_mx(p, &pos));) {
        size_t mn = strlen(m);
        if (mn > 2 && m[0] == '*' && m[1] == '.') {
            /* one label, then exactly the rest */
            const char *dot = memchr(host, '.', hn);
            if (dot && dot > host && (size_t)(host + hn - dot - 1) == mn - 2 &&
                strncasecmp(dot + 1, m + 2, mn - 2) == 0)
                return 1;
        } else if (hn == mn && strncasecmp(host, m, mn) == 0) {
            return 1;
        }
    }
    return 0;
}
