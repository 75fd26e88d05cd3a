/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/base/lines.h"

#include <errno.h>
#include <stdlib.h>

ssize_t line_read(FILE *f, char **line, size_t *cap, size_t max)
{
    size_t len = 0;
    ssize_t rc = LINE_END;
    flockfile(f);
    for (;;) {
        int c = getc_unlocked(f);
        if (c == EOF) {
            rc = ferror(f) ? LINE_ERROR : len ? (ssize_t)len : LINE_END;
            break;
        }
        if (len == max) {
            rc = LINE_TOO_LONG;
            break;
        }
        if (len + 2 > *cap) {
            size_t want = *cap ? *cap * 2 : 4096;
            if (want > max + 2) want = max + 2;
            char *p = realloc(*line, want);
            if (!p) {
                errno = ENOMEM;
                rc = LINE_ERROR;
                break;
            }
            *line = p;
            *cap = want;
        }
        (*line)[len++] = (char)c;
        if (c == '\n') {
            rc = (ssize_t)len;
            break;
        }
    }
    funlockfile(f);
    if (*line && rc >= 0) (*line)[rc] = '\0';
    return rc;
}
