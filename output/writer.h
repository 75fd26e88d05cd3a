/* The one output writer all workers share. Rows are whole when they reach
 * the file: a buffer of complete rows is written out at 64 KiB, at least
 * once a second, and at the end. */
#ifndef STS_WRITER_H
#define STS_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/hashset.h"

struct writer;

enum writer_mode { WRITER_NEW, WRITER_OVERWRITE, WRITER_RESUME };
enum output_format { FORMAT_CSV, FORMAT_JSONL };

/* path NULL or "-": stdout. A non-empty file is refused with WRITER_NEW.
 * WRITER_RESUME appends to a file this program wrote: the header must
 * match, a partial last line (a crash) is cut off, and the domain cell of
 * every row goes into done. Returns NULL after printing the reason. */
struct writer *writer_open(const char *path, enum writer_mode mode, enum output_format format,
                           struct hashset *done);
/* Writes out what is buffered (whole rows) and keeps the lock for good:
 * the process is about to exit, and no row may follow half-written. */
void writer_abort(struct writer *w);
/* 0, or -1 after a write error (printed once; later calls fail too). */
int writer_write(struct writer *w, const char *data, size_t len);
/* Flushes and closes; 0, or -1 when anything failed. */
int writer_close(struct writer *w);

#endif
