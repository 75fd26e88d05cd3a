/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text into HTML: what the report and its SVG charts write of a row. The
 * text is a cell's (control bytes already escaped as \xNN); here & < > " '
 * become entities, so it stays text in an element and in an attribute. */
#ifndef STS_HTML_H
#define STS_HTML_H

#include <stddef.h>

#include "scanner/base/buf.h"

int html_text(struct buf *out, const char *s);
/* At most max bytes of s (cut on a UTF-8 boundary, "…" added when cut). */
int html_text_cut(struct buf *out, const char *s, size_t max);

#endif
