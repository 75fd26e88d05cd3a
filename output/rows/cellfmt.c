/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/cellfmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scanner/base/wordlist.h"

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

/* Escapes p into out, stopping before CELL_MAX bytes from start (where the
 * cell began); space: a space is escaped too (an item of a list). 1 when it
 * cut the cell, 0 when not, -1 when memory ran out. */
static int escape_into(struct buf *out, const char *p, size_t len, size_t start, bool space)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t limit = CELL_MAX - sizeof CELL_TRUNCATED;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(s + i, len - i);
        char esc[5];
        const char *piece;
        size_t piece_len;
        if (n == 0 || s[i] < 0x20 || s[i] == 0x7F || s[i] == '\\' || (space && s[i] == ' ')) {
            snprintf(esc, sizeof esc, "\\x%02x", s[i]);
            piece = esc;
            piece_len = 4;
            n = 1;
        } else {
            piece = (const char *)s + i;
            piece_len = n;
        }
        if (out->len - start + piece_len > limit) return buf_append_str(out, CELL_TRUNCATED) ? -1 : 1;
        if (buf_append(out, piece, piece_len) != 0) return -1;
        i += n;
    }
    return 0;
}

/* OWASP CSV injection: a cell starting with one of these is a formula. */
static bool formula_start(const char *p, size_t len)
{
    return len > 0 && p[0] != '\0' && strchr("=+-@\t\r", p[0]) != NULL;
}

int escape_text(struct buf *out, const char *p, size_t len, int guard)
{
    int rc = 0;
    if (guard && formula_start(p, len)) rc = buf_append(out, "'", 1);
    return rc ? rc : escape_into(out, p, len, out->len, false) < 0 ? -1 : 0;
}

int escape_list(struct buf *out, const char *p, size_t len, int guard)
{
    struct buf item = {0};
    size_t pos = 0, start = out->len;
    int rc = 0;
    while (rc == 0 && wordlist_next(p, len, &pos, &item)) {
        if (out->len > start) rc = buf_append(out, " ", 1);
        else if (guard && formula_start(item.data, item.len)) rc = buf_append(out, "'", 1);
        if (rc == 0) rc = escape_into(out, item.data, item.len, start, true);
    }
    buf_free(&item);
    return rc < 0 ? -1 : 0; /* 1: cut, and the rest left out */
}

void iso8601_utc(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) out[0] = '\0';
}

int iso8601_parse(const char *s, size_t len, int64_t *out)
{
    char tmp[32];
    if (len != 20 || s[19] != 'Z') return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(tmp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end != '\0') return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

const char *tri_word(enum tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "";
}

enum tri tri_of_word(const char *s, size_t len)
{
    if (len == 3 && memcmp(s, "yes", 3) == 0) return TRI_YES;
    if (len == 2 && memcmp(s, "no", 2) == 0) return TRI_NO;
    return TRI_UNKNOWN;
}
