/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/feeder_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "scanner/base/tempfile.h"
#include "scanner/result/row.h"


void feeder_push(struct feeder *f, struct feed_item *item)
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

void feeder_defer(struct feeder *f, const struct target *t)
{
    uv_mutex_lock(&f->spool_lock);
    if (!f->spool) f->spool = temp_file();
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
        feeder_push(f, &item);
    }
}

static void feeder_main(void *arg)
{
    struct feeder *f = arg;
    enum line_status st = feeder_first_pass(f);
    if (st == LINE_EOF) {
        st = feeder_second_pass(f);
    } else if (st == LINE_ERROR) {
        uv_mutex_lock(&f->lock);
        if (!f->stats.read_error) f->stats.read_error = -1; /* the prepass said why */
        f->stats.first_pass_failed = true;
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
    f->stats.shard = cfg->shard;
    f->spool_fd = -1;
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
    prepass_free(f->prepass);
    if (f->spool_fd >= 0) close(f->spool_fd);
    free(f);
}
