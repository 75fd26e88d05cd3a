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

struct writer *writer_open(const char *path, bool overwrite)
{
    struct writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    if (!path || strcmp(path, "-") == 0) {
        w->fd = STDOUT_FILENO;
        w->name = "standard output";
    } else {
        struct stat st;
        if (!overwrite && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
            fprintf(stderr, "starttls-scan: %s is not empty; pass --overwrite to replace it\n",
                    path);
            free(w);
            return NULL;
        }
        w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (w->fd < 0) {
            fprintf(stderr, "starttls-scan: cannot write %s: %s\n", path, strerror(errno));
            free(w);
            return NULL;
        }
        w->close_fd = true;
        w->name = path;
    }
    uv_mutex_init(&w->lock);
    w->last_flush = time(NULL);
    if (csv_header(&w->pending) != 0 || flush_locked(w) != 0) {
        writer_close(w);
        return NULL;
    }
    return w;
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
