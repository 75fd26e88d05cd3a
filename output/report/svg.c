/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/svg.h"

#include <inttypes.h>

#include "output/report/html.h"

#define WIDTH 480
#define LABEL_W 190
#define COUNT_W 70
#define ROW_H 24

static uint64_t largest(const struct svg_bar *bars, int n)
{
    uint64_t max = 0;
    for (int i = 0; i < n; i++)
        if (bars[i].value > max) max = bars[i].value;
    return max ? max : 1;
}

/* The bar's group: its data and its tooltip. */
static int open_bar(struct buf *out, const struct svg_bar *b)
{
    int rc = buf_append_str(out, "<g class=\"bar\" data-label=\"");
    if (rc == 0) rc = html_text(out, b->label);
    if (rc == 0) rc = buf_printf(out, "\" data-count=\"%" PRIu64 "\"><title>", b->value);
    if (rc == 0) rc = html_text(out, b->label);
    return rc ? rc : buf_printf(out, ": %" PRIu64 "</title>", b->value);
}

int svg_bars(struct buf *out, const char *id, const struct svg_bar *bars, int n)
{
    uint64_t max = largest(bars, n);
    int h = n * ROW_H + 4, span = WIDTH - LABEL_W - COUNT_W;
    int rc = buf_printf(out, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                             "role=\"img\">", id, WIDTH, h, WIDTH, h);
    for (int i = 0; rc == 0 && i < n; i++) {
        int y = i * ROW_H + 2;
        int w = (int)((double)bars[i].value / (double)max * span);
        if (bars[i].value && w < 2) w = 2;
        rc = open_bar(out, &bars[i]);
        if (rc == 0) rc = buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">",
                                     LABEL_W - 8, y + 16);
        if (rc == 0) rc = html_text_cut(out, bars[i].shown ? bars[i].shown : bars[i].label, 24);
        if (rc == 0)
            rc = buf_printf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"%s\"/>"
                                 "<text x=\"%d\" y=\"%d\" class=\"cnt\">%" PRIu64 "</text></g>",
                            LABEL_W, y + 3, w, ROW_H - 6, bars[i].color, LABEL_W + w + 6, y + 16, bars[i].value);
    }
    return rc ? rc : buf_append_str(out, "</svg>");
}

int svg_columns(struct buf *out, const char *id, const struct svg_bar *bars, int n)
{
    const int h = 210, top = 22, bottom = 40, gap = 8;
    uint64_t max = largest(bars, n);
    int colw = (WIDTH - gap) / (n ? n : 1) - gap, span = h - top - bottom;
    int rc = buf_printf(out, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                             "role=\"img\"><line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>",
                        id, WIDTH, h, WIDTH, h, h - bottom, WIDTH, h - bottom);
    for (int i = 0; rc == 0 && i < n; i++) {
        int x = gap + i * (colw + gap);
        int ch = (int)((double)bars[i].value / (double)max * span);
        if (bars[i].value && ch < 2) ch = 2;
        rc = open_bar(out, &bars[i]);
        if (rc == 0)
            rc = buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"%s\"/>"
                                 "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"cnt\">%" PRIu64 "</text>"
                                 "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"lbl\">",
                            x, h - bottom - ch, colw, ch, bars[i].color, x + colw / 2, h - bottom - ch - 5,
                            bars[i].value, x + colw / 2, h - bottom + 16);
        if (rc == 0) rc = html_text_cut(out, bars[i].shown ? bars[i].shown : bars[i].label, 12);
        if (rc == 0) rc = buf_append_str(out, "</text></g>");
    }
    return rc ? rc : buf_append_str(out, "</svg>");
}
