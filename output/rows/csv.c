/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/csv.h"

#include <stdio.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/rows/columns.h"

/* An escaped cell, quoted when it holds a comma or a quote. */
static int quote_cell(struct buf *out, const struct buf *cell, int rc)
{
    if (rc != 0) return rc;
    if (!cell->len || (!memchr(cell->data, ',', cell->len) && !memchr(cell->data, '"', cell->len)))
        return buf_append(out, cell->data, cell->len);
    rc = buf_append(out, "\"", 1);
    for (size_t i = 0; rc == 0 && i < cell->len; i++)
        rc = cell->data[i] == '"' ? buf_append(out, "\"\"", 2) : buf_append(out, cell->data + i, 1);
    return rc ? rc : buf_append(out, "\"", 1);
}

int csv_quoted(struct buf *out, const char *p, size_t len)
{
    struct buf cell = {0};
    int rc = quote_cell(out, &cell, buf_append(&cell, p, len));
    buf_free(&cell);
    return rc;
}

int csv_cell(struct buf *out, const char *p, size_t len, int is_text)
{
    struct buf cell = {0};
    int rc = quote_cell(out, &cell, escape_text(&cell, p, len, is_text));
    buf_free(&cell);
    return rc;
}

static int csv_list(struct buf *out, const char *p, size_t len)
{
    struct buf cell = {0};
    int rc = quote_cell(out, &cell, escape_list(&cell, p, len, 1));
    buf_free(&cell);
    return rc;
}

int csv_header(struct buf *out)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < COL_COUNT; i++) {
        if (i) rc = buf_append(out, ",", 1);
        if (rc == 0) rc = buf_append_str(out, column_names[i]);
    }
    return rc ? rc : buf_append(out, "\r\n", 2);
}

static int put_cell(struct buf *out, const struct cell *c)
{
    char s[32] = "";
    switch (c->type) {
    case CELL_TEXT: return csv_cell(out, c->p, c->len, 1);
    case CELL_WORD: return csv_cell(out, c->p, c->len, 0);
    case CELL_LIST: return csv_list(out, c->p, c->len);
    case CELL_INT:
        if (c->present) snprintf(s, sizeof s, "%lld", (long long)c->v);
        break;
    case CELL_TIME:
        if (c->present) iso8601_utc(c->v, s);
        break;
    case CELL_TRI: snprintf(s, sizeof s, "%s", tri_word(c->tri)); break;
    }
    return buf_append_str(out, s);
}

int csv_row(struct buf *out, const struct row *row)
{
    int rc = 0;
    struct cell c;
    for (int i = 0; rc == 0 && i < COL_COUNT; i++) {
        if (i) rc = buf_append(out, ",", 1);
        row_cell(row, (enum column_id)i, &c);
        if (rc == 0) rc = put_cell(out, &c);
    }
    return rc ? rc : buf_append(out, "\r\n", 2);
}

int csv_read_row(const char *line, size_t len, struct row_cells *cells)
{
    size_t i = 0;
    int col = 0;
    row_cells_reset(cells);
    for (;;) {
        if (col == COL_COUNT) return -1;
        struct buf *v = &cells->v[col];
        if (i < len && line[i] == '"') {
            for (i++;; i++) {
                if (i >= len) return -1; /* an unterminated quote */
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"') {
                    buf_append(v, "\"", 1);
                    i++;
                } else if (line[i] == '"') {
                    i++;
                    break;
                } else {
                    buf_append(v, line + i, 1);
                }
            }
        } else {
            const char *comma = memchr(line + i, ',', len - i);
            size_t end = comma ? (size_t)(comma - line) : len;
            buf_append(v, line + i, end - i);
            i = end;
        }
        col++;
        if (i == len) break;
        if (line[i] != ',') return -1;
        i++;
    }
    return col == COL_COUNT ? 0 : -1;
}

static int csv_domain_cell(struct buf *out, const char *p, size_t len)
{
    return escape_text(out, p, len, 1);
}

/* A CSV file of ours starts with exactly this version's header. */
static long csv_header_len(const char *data, size_t len)
{
    struct buf h = {0};
    long n = -1;
    if (csv_header(&h) == 0 && len >= h.len && memcmp(data, h.data, h.len) == 0) n = (long)h.len;
    buf_free(&h);
    return n;
}

const struct output_format csv_format = {
    .name = "csv",
    .what = "RFC 4180, a header row, spreadsheet-safe (the default)",
    .header = csv_header,
    .row = csv_row,
    .domain_cell = csv_domain_cell,
    .header_len = csv_header_len,
    .read_row = csv_read_row,
};
