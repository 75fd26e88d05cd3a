/* The one output writer all workers share. Rows are whole when they reach
 * the file: a buffer of complete rows is written out at 64 KiB, at least
 * once a second, and at the end. */
#ifndef STS_WRITER_H
#define STS_WRITER_H

#include <stdbool.h>
#include <stddef.h>

struct writer;

/* path NULL or "-": stdout. A non-empty file is refused unless overwrite.
 * Returns NULL after printing the reason to stderr. */
struct writer *writer_open(const char *path, bool overwrite);
/* 0, or -1 after a write error (printed once; later calls fail too). */
int writer_write(struct writer *w, const char *data, size_t len);
/* Flushes and closes; 0, or -1 when anything failed. */
int writer_close(struct writer *w);

#endif
