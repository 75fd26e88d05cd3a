/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The two passes over the input. The first gives every line's key to the
 * prepass (and spools a pipe); the second feeds the lines it did not mark
 * duplicate or resumed. Both read the same bytes with the same reader, so
 * their line numbers agree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/base/tempfile.h"
#include "scanner/input/feeder_internal.h"
#include "scanner/result/row.h"

int feeder_target_key(const struct feed_item *item, const char *protocol, feeder_cell_fn cell,
                      struct buf *key)
{
    struct buf c = {0};
    int rc;
    if (item->kind == TP_OK)
        rc = cell(&c, item->target.name, strlen(item->target.name));
    else
        rc = cell(&c, item->raw.p ? item->raw.p : "", item->raw.len);
    buf_reset(key);
    if (rc == 0)
        rc = row_key(key, c.data ? c.data : "", c.len,
                     item->kind == TP_OK && !item->target.srv ? item->target.port : 0, protocol);
    buf_free(&c);
    return rc;
}

static int plain_cell(struct buf *out, const char *p, size_t len)
{
    return buf_append(out, p, len);
}

/* A line as an item: TP_OK (the port filled in), TP_INVALID (the line kept
 * for its row), or TP_SKIP (blank, a comment). */
static enum target_parse line_item(const struct feeder *f, const char *line, size_t len, bool cut,
                                   struct feed_item *item)
{
    memset(item, 0, sizeof *item);
    if (cut) {
        item->kind = TP_INVALID;
        item->why = "line longer than 4096 bytes";
    } else {
        item->kind = target_parse_line(line, len, f->cfg.mx_mode, &item->target, &item->why);
    }
    if (item->kind == TP_OK && item->target.port == 0) {
        /* "host" and "host:25" are one target when 25 is the default port. */
        item->target.port = f->cfg.default_port;
    }
    if (item->kind == TP_OK) {
        item->target.srv = f->cfg.srv && item->target.kind == TARGET_HOST &&
                           item->target.port == f->cfg.default_port;
    } else if (item->kind == TP_INVALID) {
        size_t keep = len;
        while (keep > 0 && (line[keep - 1] == '\r' || line[keep - 1] == ' ')) keep--;
        text_set(&item->raw, line, keep > FEED_RAW_MAX ? FEED_RAW_MAX : keep);
    }
    return item->kind;
}

/* --shard: is this line's target one of ours? Both passes ask alike. */
static bool in_shard(const struct feeder *f, const struct feed_item *item)
{
    unsigned n = f->cfg.shard.n;
    if (!n || item->kind == TP_SKIP) return true;
    if (item->kind == TP_OK)
        return shard_of(item->target.name, strlen(item->target.name), n) == f->cfg.shard.k;
    return shard_of(item->raw.p ? item->raw.p : "", item->raw.len, n) == f->cfg.shard.k;
}

/* The next line, a UTF-8 byte order mark dropped from the first. */
static enum line_status next_line(struct feeder *f, const char **p, size_t *n, bool *cut)
{
    enum line_status st = line_reader_next(&f->reader, n, cut);
    if (st != LINE_OK) return st;
    *p = f->reader.line;
    if (++f->lineno == 1 && *n >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0) {
        *p += 3;
        *n -= 3;
    }
    return LINE_OK;
}

/* The next line as an item (both passes read lines so): LINE_OK with its
 * kind, and whether it is another shard's; else the reader's end or error. */
static enum line_status next_item(struct feeder *f, struct feed_item *item, enum target_parse *kind,
                                  bool *other_shard)
{
    const char *p;
    size_t n;
    bool cut;
    enum line_status st = next_line(f, &p, &n, &cut);
    if (st != LINE_OK) return st;
    *kind = line_item(f, p, n, cut, item);
    *other_shard = *kind != TP_SKIP && !in_shard(f, item);
    return LINE_OK;
}

static int give_done_keys(struct feeder *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f->cfg.done_keys)) > 0) {
        if (line[n - 1] == '\n') n--;
        rc = prepass_key(f->prepass, PREPASS_DONE, line, (size_t)n, 0);
    }
    free(line);
    return rc;
}

/* Where the second pass reads: the same file from here (a regular file), or
 * a spool of what the first pass read (a pipe, a terminal). */
static int second_pass_source(struct feeder *f, off_t *start)
{
    struct stat st;
    *start = -1;
    if (fstat(f->cfg.fd, &st) == 0 && S_ISREG(st.st_mode) && !f->cfg.read &&
        (*start = lseek(f->cfg.fd, 0, SEEK_CUR)) >= 0)
        return 0;
    if ((f->spool_fd = temp_fd()) < 0) return -1;
    f->reader.copy_fd = f->spool_fd;
    return 0;
}

enum line_status feeder_first_pass(struct feeder *f)
{
    off_t start;
    if (!(f->prepass = prepass_start())) return LINE_ERROR;
    if (second_pass_source(f, &start) != 0) {
        fprintf(stderr, "starttls-scan: no temporary file for the input: %s\n", strerror(errno));
        return LINE_ERROR;
    }
    if (f->cfg.done_keys && give_done_keys(f) != 0) return LINE_ERROR;
    feeder_cell_fn cell = f->cfg.domain_cell ? f->cfg.domain_cell : plain_cell;
    struct buf key = {0};
    struct feed_item item;
    enum target_parse kind;
    bool other;
    enum line_status st;
    while ((st = next_item(f, &item, &kind, &other)) == LINE_OK) {
        if (other) kind = TP_SKIP; /* another shard's: no key */
        int rc = kind == TP_SKIP ? 0 : feeder_target_key(&item, f->cfg.protocol, cell, &key);
        if (rc == 0 && kind != TP_SKIP)
            rc = prepass_key(f->prepass, kind == TP_OK ? PREPASS_TARGET : PREPASS_INVALID,
                             key.data ? key.data : "", key.len, f->lineno);
        text_free(&item.raw);
        if (rc != 0) {
            st = LINE_ERROR;
            break;
        }
    }
    buf_free(&key);
    if (st == LINE_ERROR && f->reader.error) {
        f->stats.read_error = f->reader.error;
        return st;
    }
    if (st != LINE_EOF) return st;
    if (prepass_finish(f->prepass) != 0) return LINE_ERROR;
    off_t back = start >= 0 ? lseek(f->cfg.fd, start, SEEK_SET) : lseek(f->spool_fd, 0, SEEK_SET);
    if (back < 0) {
        f->stats.read_error = errno;
        return LINE_ERROR;
    }
    line_reader_restart(&f->reader, start >= 0 ? f->cfg.fd : f->spool_fd);
    f->lineno = 0;
    return LINE_EOF;
}

enum line_status feeder_second_pass(struct feeder *f)
{
    struct feed_item item;
    enum target_parse kind;
    bool other;
    enum line_status st;
    while ((st = next_item(f, &item, &kind, &other)) == LINE_OK) {
        f->stats.lines++;
        if (kind == TP_SKIP) continue;
        if (other) {
            f->stats.other_shard++;
            text_free(&item.raw);
            continue;
        }
        int why = prepass_skip(f->prepass, f->lineno);
        if (why) {
            if (why == PREPASS_DUPLICATE) f->stats.duplicates++;
            else f->stats.resumed++;
            text_free(&item.raw);
            continue;
        }
        if (kind == TP_OK) f->stats.targets++;
        else f->stats.invalid++;
        feeder_push(f, &item);
    }
    if (st == LINE_ERROR) f->stats.read_error = f->reader.error ? f->reader.error : -1;
    return st;
}
