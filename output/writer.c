#include "output/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "output/csv.h"
#include "output/jsonl.h"
#include "scanner/buf.h"

#define FLUSH_BYTES (64 * 1024)

struct writer {
    int fd;
    bool close_fd;
    const char *name;
    uv_mutex_t lock;
    struct buf pending;
    time_t last_flush;
    bool failed;
};

static int write_all(struct writer *w, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(w->fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (!w->failed)
                fprintf(stderr, "starttls-scan: writing %s failed: %s\n", w->name, strerror(errno));
            w->failed = true;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int flush_locked(struct writer *w)
{
    int rc = w->failed ? -1 : write_all(w, w->pending.data, w->pending.len);
    buf_reset(&w->pending);
    w->last_flush = time(NULL);
    return rc;
}

/* The first cell of a CSV line, unquoted (our rows never hold a raw newline). */
static void first_cell(const char *line, size_t len, struct buf *out)
{
    buf_reset(out);
    if (len == 0 || line[0] != '"') {
        const char *comma = memchr(line, ',', len);
        buf_append(out, line, comma ? (size_t)(comma - line) : len);
        return;
    }
    for (size_t i = 1; i < len; i++) {
        if (line[i] != '"') {
            buf_append(out, line + i, 1);
        } else if (i + 1 < len && line[i + 1] == '"') {
            buf_append(out, "\"", 1);
            i++;
        } else {
            return;
        }
    }
}

/* --resume: reads what an earlier run wrote. 1: rows to append to; 0: the
 * file is empty (write a header); -1: refused (reported). */
static int read_earlier_rows(int fd, const char *path, enum output_format format,
                             struct hashset *done)
{
    struct buf header = {0}, data = {0}, cell = {0};
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) buf_append(&data, chunk, (size_t)n);
    int rc = 0;
    if (format == FORMAT_CSV) csv_header(&header);
    if (n < 0) {
        fprintf(stderr, "starttls-scan: cannot read %s: %s\n", path, strerror(errno));
        rc = -1;
    } else if (data.len > 0 && (data.len < header.len || memcmp(data.data, header.data, header.len) != 0)) {
        fprintf(stderr, "starttls-scan: --resume: %s does not start with this version's CSV "
                        "header; refusing to append to it (was it written with --format jsonl?)\n",
                path);
        rc = -1;
    } else if (data.len > 0) {
        size_t pos = header.len, complete = pos;
        while (pos < data.len) {
            const char *nl = memchr(data.data + pos, '\n', data.len - pos);
            if (!nl) break; /* a partial last line: the crash cut it */
            size_t end = (size_t)(nl - data.data);
            size_t len = end - pos - (end > pos && data.data[end - 1] == '\r');
            if (format == FORMAT_CSV)
                first_cell(data.data + pos, len, &cell);
            else if (jsonl_domain(data.data + pos, len, &cell) != 0)
                buf_reset(&cell);
            hashset_add(done, cell.data ? cell.data : "", cell.len);
            pos = complete = end + 1;
        }
        if (complete < data.len && ftruncate(fd, (off_t)complete) != 0) {
            fprintf(stderr, "starttls-scan: cannot cut the partial last line of %s: %s\n", path,
                    strerror(errno));
            rc = -1;
        } else {
            rc = 1;
        }
    }
    buf_free(&header);
    buf_free(&data);
    buf_free(&cell);
    return rc;
}

static int open_file(struct writer *w, const char *path, enum writer_mode mode,
                     enum output_format format, struct hashset *done, bool *need_header)
{
    struct stat st;
    *need_header = true;
    if (mode == WRITER_NEW && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        fprintf(stderr, "starttls-scan: %s is not empty; pass --overwrite to replace it or "
                        "--resume to go on with it\n", path);
        return -1;
    }
    int flags = O_CREAT | O_CLOEXEC | (mode == WRITER_RESUME ? O_RDWR : O_WRONLY | O_TRUNC);
    w->fd = open(path, flags, 0644);
    if (w->fd < 0) {
        fprintf(stderr, "starttls-scan: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    w->close_fd = true;
    w->name = path;
    if (mode == WRITER_RESUME) {
        int rc = read_earlier_rows(w->fd, path, format, done);
        if (rc < 0) return -1;
        *need_header = rc == 0;
        if (lseek(w->fd, 0, SEEK_END) < 0) return -1;
    }
    return 0;
}

struct writer *writer_open(const char *path, enum writer_mode mode, enum output_format format,
                           struct hashset *done)
{
    struct writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    bool need_header = true;
    if (!path || strcmp(path, "-") == 0) {
        w->fd = STDOUT_FILENO;
        w->name = "standard output";
    } else if (open_file(w, path, mode, format, done, &need_header) != 0) {
        if (w->close_fd) close(w->fd);
        free(w);
        return NULL;
    }
    uv_mutex_init(&w->lock);
    w->last_flush = time(NULL);
    if (format == FORMAT_CSV && need_header &&
        (csv_header(&w->pending) != 0 || flush_locked(w) != 0)) {
        writer_close(w);
        return NULL;
    }
    return w;
}

void writer_abort(struct writer *w)
{
    uv_mutex_lock(&w->lock);
    flush_locked(w);
}

int writer_write(struct writer *w, const char *data, size_t len)
{
    uv_mutex_lock(&w->lock);
    int rc = w->failed ? -1 : buf_append(&w->pending, data, len);
    if (rc == 0 && (w->pending.len >= FLUSH_BYTES || time(NULL) != w->last_flush))
        rc = flush_locked(w);
    uv_mutex_unlock(&w->lock);
    return rc;
}

int writer_close(struct writer *w)
{
    int rc = flush_locked(w);
    if (w->close_fd && close(w->fd) != 0 && rc == 0) {
        fprintf(stderr, "starttls-scan: closing %s failed: %s\n", w->name, strerror(errno));
        rc = -1;
    }
    uv_mutex_destroy(&w->lock);
    buf_free(&w->pending);
    free(w);
    return rc;
}
