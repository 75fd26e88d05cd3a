/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Growable byte buffers and length-carrying text.
 *
 * Text that a server chose (banners, certificate names, error messages that
 * quote a reply) may hold NUL or any other byte, so it is kept as bytes with
 * a length, never as a C string; the output writers escape it. */
#ifndef STS_BUF_H
#define STS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
};

/* All return 0 on success, -1 when memory runs out (the buffer is unchanged). */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

struct text {
    char *p; /* NUL-terminated for convenience, but may also hold NULs */
    size_t len;
};

int text_set(struct text *t, const void *p, size_t n);
int text_set_str(struct text *t, const char *s);
int text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int text_copy(struct text *dst, const struct text *src);
void text_free(struct text *t);

#endif
