/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/jsonl.h"

#include <stdio.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/rows/columns.h"
#include "scanner/base/wordlist.h"

int json_string(struct buf *out, const char *p, size_t len)
{
    struct buf text = {0};
    int rc = escape_text(&text, p, len, 0);
    if (!rc) rc = buf_append(out, "\"", 1);
    /* Escaped text holds no control byte; its backslashes begin \xNN. */
    for (size_t i = 0; !rc && i < text.len; i++) {
        char c = text.data[i];
        rc = (c == '"' || c == '\\') ? buf_printf(out, "\\%c", c) : buf_append(out, &c, 1);
    }
    if (!rc) rc = buf_append(out, "\"", 1);
    buf_free(&text);
    return rc;
}

/* A word list as an array of strings (null when empty); like a CSV cell,
 * at most about CELL_MAX bytes, then "...[truncated]" as the last item. */
static int put_list(struct buf *out, const char *p, size_t len)
{
    struct buf item = {0};
    size_t pos = 0, start = out->len;
    if (len == 0) return buf_append_str(out, "null");
    int rc = buf_append(out, "[", 1);
    for (bool first = true; rc == 0 && wordlist_next(p, len, &pos, &item); first = false) {
        if (!first) rc = buf_append(out, ",", 1);
        if (rc == 0 && out->len - start + item.len > CELL_MAX - sizeof CELL_TRUNCATED) {
            rc = json_string(out, CELL_TRUNCATED, sizeof CELL_TRUNCATED - 1);
            break;
        }
        if (rc == 0) rc = json_string(out, item.data, item.len);
    }
    buf_free(&item);
    return rc ? rc : buf_append(out, "]", 1);
}

static int put_value(struct buf *out, const struct cell *c)
{
    char s[32];
    switch (c->type) {
    case CELL_TEXT:
    case CELL_WORD: return c->len ? json_string(out, c->p, c->len) : buf_append_str(out, "null");
    case CELL_INT:
        if (!c->present) return buf_append_str(out, "null");
        return buf_printf(out, "%lld", (long long)c->v);
    case CELL_TIME:
        if (!c->present) return buf_append_str(out, "null");
        iso8601_utc(c->v, s);
        return buf_printf(out, "\"%s\"", s);
    case CELL_TRI:
        return buf_append_str(out, c->tri == TRI_YES ? "true" : c->tri == TRI_NO ? "false" : "null");
    case CELL_LIST: return put_list(out, c->p, c->len);
    }
    return -1;
}

int jsonl_row(struct buf *out, const struct row *row)
{
    int rc = 0;
    struct cell c;
    for (int i = 0; rc == 0 && i < COL_COUNT; i++) {
        rc = buf_printf(out, "%s\"%s\":", i ? "," : "{", column_names[i]);
        row_cell(row, (enum column_id)i, &c);
        if (rc == 0) rc = put_value(out, &c);
    }
    return rc ? rc : buf_append(out, "}\n", 2);
}

/* The reader: flat objects of strings, numbers, booleans, null and arrays
 * of those, as this writer makes them. */
struct cursor {
    const char *p, *end;
};

static void skip_space(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

static int hexval(char h)
{
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
}

static int put_utf8(struct buf *out, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    return buf_append(out, u, n);
}

/* A string at c->p (at its opening quote) into out (may be NULL: skipped). */
static int read_string(struct cursor *c, struct buf *out)
{
    struct buf scratch = {0};
    struct buf *o = out ? out : &scratch;
    int rc = -1;
    for (c->p++; c->p < c->end; c->p++) {
        char ch = *c->p;
        if (ch == '"') {
            c->p++;
            rc = 0;
            break;
        }
        if (ch != '\\') {
            buf_append(o, &ch, 1);
            continue;
        }
        if (++c->p >= c->end) break;
        const char *simple = strchr("\"\\/bfnrt", *c->p);
        if (simple && *c->p) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            buf_append(o, &map[simple - "\"\\/bfnrt"], 1);
        } else if (*c->p == 'u' && c->end - c->p > 4) {
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(c->p[k]);
                if (h < 0) goto out;
                cp = cp * 16 + (unsigned)h;
            }
            put_utf8(o, cp);
            c->p += 4;
        } else {
            break;
        }
    }
out:
    buf_free(&scratch);
    return rc;
}

/* A scalar (number, true, false, null) into out as its text. */
static int read_scalar(struct cursor *c, struct buf *out)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' && *c->p != ' ') c->p++;
    size_t n = (size_t)(c->p - start);
    if (n == 0) return -1;
    if (!out) return 0;
    if (n == 4 && memcmp(start, "true", 4) == 0) return buf_append_str(out, "yes");
    if (n == 5 && memcmp(start, "false", 5) == 0) return buf_append_str(out, "no");
    if (n == 4 && memcmp(start, "null", 4) == 0) return 0;
    return buf_append(out, start, n);
}

static int read_value(struct cursor *c, struct buf *out)
{
    skip_space(c);
    if (c->p >= c->end) return -1;
    if (*c->p == '"') return read_string(c, out);
    if (*c->p != '[') return read_scalar(c, out);
    c->p++;
    skip_space(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return 0; /* an empty array */
    }
    for (int first = 1;; first = 0) {
        if (!first && out) buf_append(out, " ", 1);
        if (read_value(c, out) != 0) return -1;
        skip_space(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

int jsonl_read_row(const char *line, size_t len, struct row_cells *cells)
{
    struct cursor c = {line, line + len};
    struct buf key = {0};
    int rc = -1, seen = 0;
    row_cells_reset(cells);
    skip_space(&c);
    if (c.p >= c.end || *c.p++ != '{') return -1;
    for (;;) {
        skip_space(&c);
        buf_reset(&key);
        if (c.p >= c.end || *c.p != '"' || read_string(&c, &key) != 0) break;
        skip_space(&c);
        if (c.p >= c.end || *c.p++ != ':') break;
        int col = column_find(key.data ? key.data : "", key.len);
        if (read_value(&c, col >= 0 ? &cells->v[col] : NULL) != 0) break;
        seen += col == COL_DOMAIN;
        skip_space(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (c.p < c.end && *c.p == '}') rc = seen ? 0 : -1;
        break;
    }
    buf_free(&key);
    return rc;
}

static int jsonl_domain_cell(struct buf *out, const char *p, size_t len)
{
    return escape_text(out, p, len, 0);
}

/* A JSONL file of ours has no header: its first line is one of our objects. */
static long jsonl_header_len(const char *data, size_t len)
{
    static const char start[] = "{\"domain\":";
    size_t n = len < sizeof start - 1 ? len : sizeof start - 1;
    return memcmp(data, start, n) == 0 ? 0 : -1; /* a crash may have cut the first line short */
}

const struct output_format jsonl_format = {
    .name = "jsonl",
    .what = "JSON Lines: one object a line, the same keys",
    .header = NULL,
    .row = jsonl_row,
    .domain_cell = jsonl_domain_cell,
    .header_len = jsonl_header_len,
    .read_row = jsonl_read_row,
};
