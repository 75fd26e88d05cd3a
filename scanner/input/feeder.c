/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/feeder.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "scanner/result/row.h"

#define QUEUE_CAP 1024

struct feeder {
    struct feeder_config cfg;
    struct line_reader reader;
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t not_full;
    struct feed_item ring[QUEUE_CAP];
    size_t head, count;
    bool eof, cancelled;
    uv_cond_t idle;  /* count and active reached 0 */
    uint64_t active; /* items given out, not finished */
    uv_mutex_t spool_lock;
    FILE *spool;     /* deferred targets, struct target each */
    uint64_t deferred;
    struct hashset seen;
    struct feeder_stats stats;
};

static void push(struct feeder *f, struct feed_item *item)
{
    uv_mutex_lock(&f->lock);
    while (f->count == QUEUE_CAP && !f->cancelled) uv_cond_wait(&f->not_full, &f->lock);
    if (f->cancelled) {
        uv_mutex_unlock(&f->lock);
        text_free(&item->raw);
        return;
    }
    f->ring[(f->head + f->count) % QUEUE_CAP] = *item;
    f->count++;
    /* Woken under the lock: a worker that has seen the end (or the cancel)
     * may close its wake handle, and it can only see it under this lock. */
    f->cfg.wake(f->cfg.wake_arg);
    uv_mutex_unlock(&f->lock);
}

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
        rc = row_key(key, c.data ? c.data : "", c.len, item->kind == TP_OK ? item->target.port : 0,
                     protocol);
    buf_free(&c);
    return rc;
}

/* --resume: are this target's rows in the output already? */
static int already_done(struct feeder *f, const struct feed_item *item)
{
    if (!f->cfg.done) return 0;
    struct buf key = {0};
    int hit = feeder_target_key(item, f->cfg.protocol, f->cfg.domain_cell, &key) == 0 &&
              hashset_has(f->cfg.done, key.data ? key.data : "", key.len);
    buf_free(&key);
    if (hit) f->stats.resumed++;
    return hit;
}

static void feed_line(struct feeder *f, const char *line, size_t len, bool cut)
{
    struct feed_item item;
    memset(&item, 0, sizeof item);
    f->stats.lines++;
    if (cut) {
        item.kind = TP_INVALID;
        item.why = "line longer than 4096 bytes";
    } else {
        item.kind = target_parse_line(line, len, f->cfg.mx_mode, &item.target, &item.why);
    }
    if (item.kind == TP_SKIP) return;
    if (item.kind == TP_OK) {
        /* "host" and "host:25" are one target when 25 is the default port. */
        if (item.target.port == 0) item.target.port = f->cfg.default_port;
        char key[TARGET_NAME_MAX + 16];
        target_key(&item.target, key, sizeof key);
        if (!hashset_add(&f->seen, key, strlen(key))) {
            f->stats.duplicates++;
            return;
        }
        if (already_done(f, &item)) return;
        f->stats.targets++;
    } else {
        size_t keep = len;
        while (keep > 0 && (line[keep - 1] == '\r' || line[keep - 1] == ' ')) keep--;
        text_set(&item.raw, line, keep > FEED_RAW_MAX ? FEED_RAW_MAX : keep);
        if (already_done(f, &item)) {
            text_free(&item.raw);
            return;
        }
        f->stats.invalid++;
    }
    push(f, &item);
}

void feeder_defer(struct feeder *f, const struct target *t)
{
    uv_mutex_lock(&f->spool_lock);
    if (!f->spool) f->spool = tmpfile();
    if (f->spool && fwrite(t, sizeof *t, 1, f->spool) == 1) f->deferred++;
    else fputs("starttls-scan: cannot keep a target for its retry (the temporary directory?)\n", stderr);
    uv_mutex_unlock(&f->spool_lock);
}

void feeder_done(struct feeder *f)
{
    uv_mutex_lock(&f->lock);
    if (f->active > 0 && --f->active == 0) uv_cond_signal(&f->idle);
    uv_mutex_unlock(&f->lock);
}

/* The retry pass: once every first-pass target is finished (so that no
 * more can be deferred), the deferred ones, in the order they came. */
static void retry_pass(struct feeder *f)
{
    uv_mutex_lock(&f->lock);
    while (!f->cancelled && (f->count > 0 || f->active > 0)) uv_cond_wait(&f->idle, &f->lock);
    bool go = !f->cancelled;
    uv_mutex_unlock(&f->lock);
    uv_mutex_lock(&f->spool_lock);
    FILE *spool = f->spool;
    uv_mutex_unlock(&f->spool_lock);
    if (!go || !spool || fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0) return;
    struct feed_item item;
    memset(&item, 0, sizeof item);
    while (!f->cancelled && fread(&item.target, sizeof item.target, 1, spool) == 1) {
        item.kind = TP_OK;
        item.retry = true;
        f->stats.retried++;
        push(f, &item);
    }
}

static void feeder_main(void *arg)
{
    struct feeder *f = arg;
    size_t n;
    bool cut, first = true;
    enum line_status st;
    while ((st = line_reader_next(&f->reader, &n, &cut)) == LINE_OK) {
        const char *p = f->reader.line;
        if (first && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3; /* a UTF-8 byte order mark */
            n -= 3;
        }
        first = false;
        feed_line(f, p, n, cut);
    }
    if (st == LINE_ERROR) {
        uv_mutex_lock(&f->lock);
        f->stats.read_error = f->reader.error ? f->reader.error : -1;
        uv_mutex_unlock(&f->lock);
    }
    if (f->cfg.retry && st != LINE_CANCELLED) retry_pass(f);
    uv_mutex_lock(&f->lock);
    f->eof = true;
    /* After a cancel the workers may be closing: nobody to wake. */
    if (!f->cancelled) f->cfg.wake(f->cfg.wake_arg);
    uv_mutex_unlock(&f->lock);
}

struct feeder *feeder_start(const struct feeder_config *cfg)
{
    struct feeder *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->cfg = *cfg;
    if (line_reader_init(&f->reader, cfg->fd, cfg->read) != 0) {
        free(f);
        return NULL;
    }
    uv_mutex_init(&f->lock);
    uv_mutex_init(&f->spool_lock);
    uv_cond_init(&f->not_full);
    uv_cond_init(&f->idle);
    if (uv_thread_create(&f->thread, feeder_main, f) != 0) {
        line_reader_free(&f->reader);
        uv_mutex_destroy(&f->lock);
        uv_mutex_destroy(&f->spool_lock);
        uv_cond_destroy(&f->not_full);
        uv_cond_destroy(&f->idle);
        free(f);
        return NULL;
    }
    return f;
}

int feeder_pop(struct feeder *f, struct feed_item *item)
{
    int rc;
    uv_mutex_lock(&f->lock);
    if (f->count > 0 && !f->cancelled) {
        *item = f->ring[f->head];
        f->head = (f->head + 1) % QUEUE_CAP;
        f->count--;
        /* The reader refills half a queue at a time: one wake-up per 512
         * targets, not one per target (a futex call each, bench/README.md). */
        if (f->count == QUEUE_CAP / 2) uv_cond_signal(&f->not_full);
        f->active++;
        rc = 1;
    } else {
        rc = (f->eof || f->cancelled) ? -1 : 0;
    }
    uv_mutex_unlock(&f->lock);
    return rc;
}

void feeder_snapshot(struct feeder *f, struct feeder_stats *stats)
{
    uv_mutex_lock(&f->lock);
    *stats = f->stats;
    uv_mutex_unlock(&f->lock);
}

void feeder_cancel(struct feeder *f)
{
    uv_mutex_lock(&f->lock);
    f->cancelled = true;
    uv_cond_broadcast(&f->not_full);
    uv_cond_broadcast(&f->idle);
    uv_mutex_unlock(&f->lock);
    line_reader_cancel(&f->reader);
}

void feeder_join(struct feeder *f, struct feeder_stats *stats)
{
    uv_thread_join(&f->thread);
    if (stats) *stats = f->stats;
    while (f->count > 0) { /* left behind by a cancelled scan */
        text_free(&f->ring[f->head].raw);
        f->head = (f->head + 1) % QUEUE_CAP;
        f->count--;
    }
    line_reader_free(&f->reader);
    if (f->spool) fclose(f->spool);
    uv_mutex_destroy(&f->lock);
    uv_mutex_destroy(&f->spool_lock);
    uv_cond_destroy(&f->not_full);
    uv_cond_destroy(&f->idle);
    hashset_free(&f->seen);
    free(f);
}
