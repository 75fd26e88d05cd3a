/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/base/wordlist.h"

#include <string.h>

int wordlist_sep(struct buf *list)
{
    return list->len ? buf_append(list, " ", 1) : 0;
}

int wordlist_add(struct buf *list, const void *item, size_t len)
{
    const char *p = item;
    size_t mark = list->len;
    int rc = wordlist_sep(list);
    for (size_t i = 0; rc == 0 && i < len; i++) {
        if (p[i] == ' ') rc = buf_append(list, "\\s", 2);
        else if (p[i] == '\\') rc = buf_append(list, "\\\\", 2);
        else rc = buf_append(list, p + i, 1);
    }
    if (rc != 0) list->len = mark;
    return rc;
}

bool wordlist_next(const char *list, size_t len, size_t *pos, struct buf *item)
{
    size_t i = *pos;
    buf_reset(item);
    if (i >= len) return false;
    for (; i < len && list[i] != ' '; i++) {
        char c = list[i];
        if (c == '\\' && i + 1 < len && (list[i + 1] == 's' || list[i + 1] == '\\')) {
            c = list[++i] == 's' ? ' ' : '\\';
        }
        buf_append(item, &c, 1);
    }
    *pos = i + 1; /* past the separator */
    if (!item->data) buf_append(item, "", 0);
    return true;
}

bool wordlist_has(const char *list, size_t len, const char *word, size_t word_len)
{
    struct buf item = {0};
    size_t pos = 0;
    bool found = false;
    while (!found && wordlist_next(list, len, &pos, &item))
        found = item.len == word_len && memcmp(item.data, word, word_len) == 0;
    buf_free(&item);
    return found;
}
