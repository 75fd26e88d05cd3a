/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/policy.h"

#include <ctype.h>
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

/* Splits s at ';' into at most cap fields; the count, -1 when more. */
static int split_fields(const char *s, size_t n, struct field *f, int cap)
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ';') continue;
        size_t a = start, b = i;
        while (a < b && wsp(s[a])) a++;
        while (b > a && wsp(s[b - 1])) b--;
        if (k == cap) return -1;
        f[k++] = (struct field){s + a, b - a};
        start = i + 1;
    }
    return k;
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
    struct field f[64], key, val;
    int k = split_fields(s, n, f, 64);
    if (k < 0) return *why = "too many fields", -1;
    if (f[0].n != strlen(version) || memcmp(f[0].p, version, f[0].n) != 0)
        return *why = "the version is not the first field", -1;
    int found = 0;
    for (int i = 1; i < k; i++) {
        if (f[i].n == 0 && i == k - 1 && i > 1) break; /* a trailing ';' */
        if (key_value(&f[i], &key, &val) != 0) return *why = "a field is not key=value", -1;
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
    if (at == -2) return *why = "more than one v=STSv1 TXT record", -1;
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
    if (at == -2) return *why = "more than one v=TLSRPTv1 TXT record", -1;
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
        if (out->nmx == POLICY_MX_MAX) return *why = "more than 64 mx patterns", -1;
        char *m = out->mx[out->nmx++];
        for (size_t i = 0; i < vn; i++) m[i] = (char)tolower((unsigned char)v[i]);
        m[vn] = '\0';
    } /* else an extension: ignored (RFC 8461 3.2) */
#undef KEY
#undef VAL
    return 0;
}

int sts_policy_parse(const char *body, size_t len, struct sts_policy *out, const char **why)
{
    memset(out, 0, sizeof *out);
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
    for (int i = 0; i < p->nmx; i++) {
        const char *m = p->mx[i];
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
