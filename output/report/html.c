/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/html.h"

#include <string.h>

static int escape(struct buf *out, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        switch (s[i]) {
        case '&': rc = buf_append_str(out, "&amp;"); break;
        case '<': rc = buf_append_str(out, "&lt;"); break;
        case '>': rc = buf_append_str(out, "&gt;"); break;
        case '"': rc = buf_append_str(out, "&quot;"); break;
        case '\'': rc = buf_append_str(out, "&#39;"); break;
        case '\0': rc = buf_append_str(out, "\\x00"); break;
        default: rc = buf_append(out, s + i, 1); break;
        }
    }
    return rc;
}

int html_text(struct buf *out, const char *s)
{
    return escape(out, s ? s : "", s ? strlen(s) : 0);
}

int html_text_cut(struct buf *out, const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n <= max) return escape(out, s ? s : "", n);
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--; /* not inside a character */
    int rc = escape(out, s, max);
    return rc ? rc : buf_append_str(out, "\xE2\x80\xA6");
}
