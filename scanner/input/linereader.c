/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/linereader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

int line_reader_init(struct line_reader *r, int fd, line_read_fn read_fn)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->read = read_fn ? read_fn : read;
    r->copy_fd = -1;
    if (pipe2(r->cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    return 0;
}

void line_reader_free(struct line_reader *r)
{
    close(r->cancel_pipe[0]);
    close(r->cancel_pipe[1]);
}

void line_reader_cancel(struct line_reader *r)
{
    /* A full pipe already holds a byte: the reader wakes either way. */
    ssize_t n = write(r->cancel_pipe[1], "x", 1);
    (void)n;
}

static bool cancelled(struct line_reader *r)
{
    struct pollfd p = {r->cancel_pipe[0], POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

static int copy_out(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t put = write(fd, p, n);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) return -1;
        p += put;
        n -= (size_t)put;
    }
    return 0;
}

void line_reader_restart(struct line_reader *r, int fd)
{
    r->fd = fd;
    r->pos = r->len = 0;
    r->eof = false;
    r->error = 0;
    r->copy_fd = -1;
    r->read = read; /* the second pass reads what the first already read well */
}

/* Refills the buffer: LINE_OK with bytes, LINE_EOF, LINE_ERROR or
 * LINE_CANCELLED. Waits in poll so that a cancel wakes it. */
static enum line_status fill(struct line_reader *r)
{
    for (;;) {
        if (cancelled(r)) return LINE_CANCELLED;
        struct pollfd p[2] = {{r->fd, POLLIN, 0}, {r->cancel_pipe[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            r->error = errno;
            return LINE_ERROR;
        }
        if (p[1].revents) return LINE_CANCELLED;
        ssize_t n = r->read(r->fd, r->buf, sizeof r->buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) {
            r->error = errno;
            return LINE_ERROR;
        }
        if (n > 0 && r->copy_fd >= 0 && copy_out(r->copy_fd, r->buf, (size_t)n) != 0) {
            r->error = errno;
            return LINE_ERROR;
        }
        r->pos = 0;
        r->len = (size_t)n;
        if (n == 0) r->eof = true;
        return n == 0 ? LINE_EOF : LINE_OK;
    }
}

enum line_status line_reader_next(struct line_reader *r, size_t *len, bool *cut)
{
    size_t n = 0;
    bool any = false;
    *cut = false;
    for (;;) {
        if (r->pos == r->len) {
            if (r->error) return LINE_ERROR;
            if (r->eof) break;
            enum line_status st = fill(r);
            if (st == LINE_EOF) break;
            if (st != LINE_OK) return st;
        }
        any = true;
        const char *start = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        const char *nl = memchr(start, '\n', avail);
        size_t chunk = nl ? (size_t)(nl - start) : avail;
        size_t room = LINE_MAX_BYTES - n;
        if (chunk > room) {
            *cut = true;
            memcpy(r->line + n, start, room);
            n += room;
        } else {
            memcpy(r->line + n, start, chunk);
            n += chunk;
        }
        r->pos += chunk + (nl ? 1 : 0);
        if (nl) break;
    }
    if (!any) return LINE_EOF;
    r->line[n] = '\0';
    *len = n;
    return LINE_OK;
}
