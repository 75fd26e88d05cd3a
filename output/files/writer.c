/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/formats.h"
#include "output/files/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "output/rows/rowcells.h"
#include "scanner/base/buf.h"
#include "scanner/base/lines.h"

struct writer {
    int fd;
    bool close_fd;
    bool regular;  /* a regular file: a short write can be cut off again */
    bool created;  /* this run created the file */
    const char *name;
    char *path;
    uv_mutex_t lock;
    off_t committed; /* where the last whole target ends */
    off_t start;     /* where this run began to write */
    bool failed;
};

static void report(struct writer *w, const char *what, int err)
{
    fprintf(stderr, "starttls-scan: %s %s failed: %s\n", what, w->name, strerror(err));
}

static int write_all(int fd, const char *p, size_t len, size_t *done)
{
    *done = 0;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        *done += (size_t)n;
    }
    return 0;
}

/* Under the lock. */
static int append(struct writer *w, const char *data, size_t len)
{
    if (w->failed) return -1;
    size_t done;
    if (write_all(w->fd, data, len, &done) == 0) {
        w->committed += (off_t)len;
        return 0;
    }
    int err = errno;
    w->failed = true;
    /* Part of the rows may have landed: cut the file back to its last whole row. */
    if (done > 0 && w->regular && ftruncate(w->fd, w->committed) != 0)
        fprintf(stderr, "starttls-scan: cannot cut %s back to its last whole row: %s\n", w->name,
                strerror(errno));
    report(w, "writing", err);
    return -1;
}

/* --resume reads an earlier run's rows target by target: the last target
 * of the file is held back, since a run that died inside its write (SIGKILL,
 * the OOM killer, ulimit -f) may have left part of its rows, even ending at
 * a row's end. Its rows are cut off and it is scanned again: every target's
 * rows are in the file completely or not at all. */
struct earlier {
    struct row_cells cells;
    struct buf key, held_key;
    struct buf held;  /* the held target's lines, each with its '\n' */
    off_t held_start; /* where they begin in the file */
};

/* One complete line: its target's key. -1 when the line is not a row of
 * this format. With row, also the row (release r with probe_result_free). */
static int parse_line(const struct writer_options *o, const char *line, size_t len, struct row_cells *cells,
                      struct buf *key, struct row *row, struct probe_result *r)
{
    if (len > 0 && line[len - 1] == '\r') len--;
    if (o->format->read_row(line, len, cells) != 0) return -1;
    struct row tmp_row;
    struct probe_result tmp;
    row_from_cells(cells, row ? row : &tmp_row, r ? r : &tmp);
    const struct row *got = row ? row : &tmp_row;
    row_key(key, cells->v[COL_DOMAIN].data ? cells->v[COL_DOMAIN].data : "", cells->v[COL_DOMAIN].len,
            row_key_port(got), got->protocol);
    if (!r) probe_result_free(&tmp);
    return 0;
}

/* The held target is whole (another one follows it): its key is done, its
 * rows count. */
static void release_held(const struct writer_options *o, struct earlier *e)
{
    if (e->held.len && o->done_keys) {
        fwrite(e->held_key.data ? e->held_key.data : "", 1, e->held_key.len, o->done_keys);
        fputc('\n', o->done_keys);
    }
    struct buf key = {0}; /* e->key holds the next target's */
    for (size_t pos = 0; o->on_row && pos < e->held.len;) {
        const char *nl = memchr(e->held.data + pos, '\n', e->held.len - pos);
        size_t end = (size_t)(nl - e->held.data);
        struct row row;
        struct probe_result r;
        if (parse_line(o, e->held.data + pos, end - pos, &e->cells, &key, &row, &r) == 0) {
            o->on_row(o->arg, &row);
            probe_result_free(&r);
        }
        pos = end + 1;
    }
    buf_free(&key);
    buf_reset(&e->held);
}

/* Complete lines at the start of data (data[0] at file offset base), each
 * an earlier row; returns how many bytes they take, or -1 (reported) at a
 * line that is not a row. */
static long earlier_lines(struct writer *w, const struct writer_options *o, const struct buf *data, off_t base,
                          long *lineno, struct earlier *e)
{
    size_t pos = 0;
    const char *nl;
    while ((nl = memchr(data->data + pos, '\n', data->len - pos)) != NULL) {
        size_t end = (size_t)(nl - data->data);
        ++*lineno;
        if (parse_line(o, data->data + pos, end - pos, &e->cells, &e->key, NULL, NULL) != 0) {
            fprintf(stderr, "starttls-scan: --resume: line %ld of %s is not a row of ours; "
                            "refusing to append to it\n", *lineno, w->name);
            return -1;
        }
        bool same = e->held.len && e->key.len == e->held_key.len &&
                    memcmp(e->key.data, e->held_key.data, e->key.len) == 0;
        if (!same) {
            release_held(o, e);
            buf_reset(&e->held_key);
            e->held_start = base + (off_t)pos;
            if (buf_append(&e->held_key, e->key.data ? e->key.data : "", e->key.len) != 0) {
                report(w, "reading", ENOMEM);
                return -1;
            }
        }
        if (buf_append(&e->held, data->data + pos, end + 1 - pos) != 0) {
            report(w, "reading", ENOMEM);
            return -1;
        }
        pos = end + 1;
    }
    return (long)pos;
}

/* The start of an earlier run's file: this format's header, consumed; its
 * length, or -1 (reported) when the file is not one of this format's. */
static long file_header(struct writer *w, const struct writer_options *o, struct buf *data)
{
    long header = o->format->header_len(data->data, data->len);
    if (header < 0) {
        char names[64];
        output_format_names(names, sizeof names);
        fprintf(stderr, "starttls-scan: --resume: %s is not a %s file written by this version "
                        "(another -f of %s, or another version?); refusing to append to it\n",
                w->name, o->format->name, names);
        return -1;
    }
    buf_consume(data, (size_t)header);
    return header;
}

/* --resume: reads what an earlier run wrote, a chunk at a time. 1: rows to
 * append to; 0: the file is empty (write a header); -1: refused (reported). */
static int read_earlier_rows(struct writer *w, const struct writer_options *o)
{
    struct buf data = {0};
    struct earlier e = {0};
    char chunk[65536];
    off_t base = 0; /* the file offset of data.data[0] */
    long lineno = 0;
    bool checked = false;
    int rc = 1;
    for (;;) {
        ssize_t n = read(w->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            report(w, "reading", errno);
            rc = -1;
            break;
        }
        if (n > 0 && buf_append(&data, chunk, (size_t)n) != 0) {
            report(w, "reading", ENOMEM);
            rc = -1;
            break;
        }
        if (!checked && (n == 0 || data.len >= sizeof chunk || memchr(data.data, '\n', data.len))) {
            if (data.len == 0) {
                rc = 0;
                break;
            }
            long header = file_header(w, o, &data);
            if (header < 0) {
                rc = -1;
                break;
            }
            base = header;
            lineno = header > 0;
            checked = true;
        }
        if (checked) {
            long used = earlier_lines(w, o, &data, base, &lineno, &e);
            if (used < 0) {
                rc = -1;
                break;
            }
            buf_consume(&data, (size_t)used);
            base += used;
            if (data.len > ROW_LINE_MAX) {
                fprintf(stderr, "starttls-scan: --resume: line %ld of %s is longer than %u bytes: not a row "
                                "of ours; refusing to append to it\n", lineno + 1, w->name, ROW_LINE_MAX);
                rc = -1;
                break;
            }
        }
        if (n == 0) break;
    }
    /* The last target's rows, and a partial last line: a crash may have cut them. */
    off_t keep = e.held.len ? e.held_start : base;
    if (rc > 0 && keep < base + (off_t)data.len && ftruncate(w->fd, keep) != 0) {
        fprintf(stderr, "starttls-scan: cannot cut the last target's rows of %s: %s\n", w->name, strerror(errno));
        rc = -1;
    }
    if (rc > 0 && keep == 0) rc = 0; /* nothing but a partial line: start afresh */
    if (rc >= 0) w->committed = keep;
    buf_free(&data);
    buf_free(&e.key);
    buf_free(&e.held_key);
    buf_free(&e.held);
    row_cells_free(&e.cells);
    return rc;
}

/* Opens without truncating, locks, then decides: a second run on the same
 * file must not cut the first one's rows before it learns of the lock. */
static int open_locked(struct writer *w, const char *path)
{
    w->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    w->created = w->fd >= 0;
    if (w->fd < 0 && errno == EEXIST) w->fd = open(path, O_RDWR | O_CLOEXEC);
    if (w->fd < 0 && (errno == EACCES || errno == EISDIR || errno == ETXTBSY))
        w->fd = open(path, O_WRONLY | O_CLOEXEC); /* a device or a write-only file */
    if (w->fd < 0) {
        fprintf(stderr, "starttls-scan: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    w->close_fd = true;
    struct stat st;
    w->regular = fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode);
    if (w->regular && flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "starttls-scan: %s is being written by another starttls-scan (it holds "
                        "the file's lock); wait for it to end, or write elsewhere\n", path);
        return -1;
    }
    return 0;
}

static int open_file(struct writer *w, const struct writer_options *o, bool *need_header)
{
    *need_header = true;
    if (open_locked(w, o->path) != 0) return -1;
    if (!w->regular) return 0;
    struct stat st;
    if (fstat(w->fd, &st) != 0) return -1;
    if (o->mode == WRITER_NEW && st.st_size > 0) {
        fprintf(stderr, "starttls-scan: %s is not empty; pass --overwrite to replace it or "
                        "--resume to go on with it\n", o->path);
        return -1;
    }
    if (o->mode == WRITER_OVERWRITE && ftruncate(w->fd, 0) != 0) {
        report(w, "truncating", errno);
        return -1;
    }
    if (o->mode == WRITER_RESUME) {
        int rc = read_earlier_rows(w, o);
        if (rc < 0) return -1;
        *need_header = rc == 0;
    }
    if (lseek(w->fd, w->committed, SEEK_SET) < 0) return -1;
    return 0;
}

static void writer_free(struct writer *w, bool remove_file)
{
    if (remove_file && w->path) unlink(w->path);
    if (w->close_fd) close(w->fd);
    free(w->path);
    free(w);
}

struct writer *writer_open(const struct writer_options *o)
{
    struct writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    bool need_header = true;
    if (!o->path || strcmp(o->path, "-") == 0) {
        w->fd = STDOUT_FILENO;
        w->name = "standard output";
    } else {
        w->name = o->path;
        w->path = strdup(o->path);
        if (!w->path || open_file(w, o, &need_header) != 0) {
            writer_free(w, w->created);
            return NULL;
        }
    }
    uv_mutex_init(&w->lock);
    w->start = w->committed;
    struct buf header = {0};
    if (o->format->header && need_header &&
        (o->format->header(&header) != 0 || append(w, header.data, header.len) != 0)) {
        buf_free(&header);
        uv_mutex_destroy(&w->lock);
        writer_free(w, w->created);
        return NULL;
    }
    buf_free(&header);
    return w;
}

int writer_write(struct writer *w, const char *data, size_t len)
{
    uv_mutex_lock(&w->lock);
    int rc = append(w, data, len);
    uv_mutex_unlock(&w->lock);
    return rc;
}

void writer_abort(struct writer *w)
{
    uv_mutex_lock(&w->lock);
    w->failed = true; /* and the lock stays taken */
}

int writer_close(struct writer *w)
{
    int rc = w->failed ? -1 : 0;
    if (w->close_fd && close(w->fd) != 0 && rc == 0) {
        report(w, "closing", errno);
        rc = -1;
    }
    w->close_fd = false;
    uv_mutex_destroy(&w->lock);
    writer_free(w, false);
    return rc;
}

void writer_discard(struct writer *w)
{
    /* Nothing of this run's may stay: no header-only file blocks the rerun. */
    if (!w->created && w->regular && ftruncate(w->fd, w->start) != 0)
        fprintf(stderr, "starttls-scan: cannot cut %s back: %s\n", w->name, strerror(errno));
    uv_mutex_destroy(&w->lock);
    writer_free(w, w->created);
}
