#include "scanner/feeder.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "output/csv.h"

#define QUEUE_CAP 1024

struct feeder {
    FILE *in;
    bool mx_mode;
    feeder_wake_fn wake;
    void *wake_arg;
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t not_full;
    struct feed_item ring[QUEUE_CAP];
    size_t head, count;
    bool eof, cancelled;
    struct hashset seen;
    const struct hashset *done; /* --resume: targets the output already has */
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
    f->wake(f->wake_arg);
    uv_mutex_unlock(&f->lock);
}

/* Reads one line (without its LF) into line; returns its length, or -1 at
 * the end. A line longer than FEED_LINE_MAX is cut, and *cut is set. */
static long read_line(FILE *in, char *line, int *cut)
{
    long n = 0;
    int ch;
    *cut = 0;
    while ((ch = getc_unlocked(in)) != EOF && ch != '\n') {
        if (n < FEED_LINE_MAX)
            line[n++] = (char)ch;
        else
            *cut = 1;
    }
    if (ch == EOF && n == 0 && !*cut) return -1;
    return n;
}

/* --resume: is there a row for this target already? Rows are matched by
 * their domain cell, which holds the line itself (escaped) when invalid. */
static int already_done(struct feeder *f, const char *domain, size_t len, int is_raw)
{
    if (!f->done) return 0;
    int hit;
    if (is_raw) {
        struct buf cell = {0};
        hit = csv_escape_text(&cell, domain, len, 1) == 0 && hashset_has(f->done, cell.data ? cell.data : "", cell.len);
        buf_free(&cell);
    } else {
        hit = hashset_has(f->done, domain, len);
    }
    if (hit) f->stats.resumed++;
    return hit;
}

static void feed_line(struct feeder *f, const char *line, size_t len, int cut)
{
    struct feed_item item;
    memset(&item, 0, sizeof item);
    f->stats.lines++;
    if (cut) {
        item.kind = TP_INVALID;
        item.why = "line longer than 4096 bytes";
    } else {
        item.kind = target_parse_line(line, len, f->mx_mode, &item.target, &item.why);
    }
    if (item.kind == TP_SKIP) return;
    if (item.kind == TP_OK) {
        char key[TARGET_NAME_MAX + 16];
        target_key(&item.target, key, sizeof key);
        if (!hashset_add(&f->seen, key, strlen(key))) {
            f->stats.duplicates++;
            return;
        }
        if (already_done(f, item.target.name, strlen(item.target.name), 0)) return;
        f->stats.targets++;
    } else {
        size_t keep = len;
        while (keep > 0 && (line[keep - 1] == '\r' || line[keep - 1] == ' ')) keep--;
        text_set(&item.raw, line, keep > 512 ? 512 : keep);
        if (already_done(f, item.raw.p, item.raw.len, 1)) {
            text_free(&item.raw);
            return;
        }
        f->stats.invalid++;
    }
    push(f, &item);
}

static void feeder_main(void *arg)
{
    struct feeder *f = arg;
    char *line = malloc(FEED_LINE_MAX + 1);
    long n;
    int cut, first = 1;
    while (line && !f->cancelled && (n = read_line(f->in, line, &cut)) >= 0) {
        const char *p = line;
        if (first && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3; /* a UTF-8 byte order mark */
            n -= 3;
        }
        first = 0;
        feed_line(f, p, (size_t)n, cut);
    }
    free(line);
    uv_mutex_lock(&f->lock);
    f->eof = true;
    /* After a cancel the workers may be gone (an interrupted scan does not
     * wait for this thread): nobody to wake. */
    if (!f->cancelled) f->wake(f->wake_arg);
    uv_mutex_unlock(&f->lock);
}

struct feeder *feeder_start(FILE *in, bool mx_mode, const struct hashset *done,
                            feeder_wake_fn wake, void *wake_arg)
{
    struct feeder *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->done = done;
    f->in = in;
    f->mx_mode = mx_mode;
    f->wake = wake;
    f->wake_arg = wake_arg;
    uv_mutex_init(&f->lock);
    uv_cond_init(&f->not_full);
    if (uv_thread_create(&f->thread, feeder_main, f) != 0) {
        uv_mutex_destroy(&f->lock);
        uv_cond_destroy(&f->not_full);
        free(f);
        return NULL;
    }
    return f;
}

int feeder_pop(struct feeder *f, struct feed_item *item)
{
    int rc;
    uv_mutex_lock(&f->lock);
    if (f->count > 0) {
        *item = f->ring[f->head];
        f->head = (f->head + 1) % QUEUE_CAP;
        f->count--;
        /* The reader refills half a queue at a time: one wake-up per 512
         * targets, not one per target (a futex call each, bench/README.md). */
        if (f->count == QUEUE_CAP / 2) uv_cond_signal(&f->not_full);
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
    uv_mutex_unlock(&f->lock);
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
    uv_mutex_destroy(&f->lock);
    uv_cond_destroy(&f->not_full);
    hashset_free(&f->seen);
    free(f);
}
