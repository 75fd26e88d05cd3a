/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lists of words in one buffer (certificate names, SASL mechanisms, protocol
 * versions): items joined by one space. A server chooses some items, and a
 * certificate name may hold a space or a backslash, so an item's own space
 * is kept as "\s" and its backslash as "\\": the list splits back into
 * exactly the items that went in (the JSONL arrays, the CSV cell). */
#ifndef STS_WORDLIST_H
#define STS_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/base/buf.h"

/* Appends one item (0, or -1 when memory runs out). */
int wordlist_add(struct buf *list, const void *item, size_t len);
/* Starts a new item: the separator when the list is not empty. Its bytes
 * then follow with buf_append (they must hold no space and no backslash). */
int wordlist_sep(struct buf *list);
/* The next item at *pos of list[0, len), decoded into item (reset first);
 * false at the end. */
bool wordlist_next(const char *list, size_t len, size_t *pos, struct buf *item);
/* Does the list hold this item? */
bool wordlist_has(const char *list, size_t len, const char *item, size_t item_len);

#endif
