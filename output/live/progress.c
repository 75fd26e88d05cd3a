/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/live/progress.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void progress_init(struct progress *p, FILE *out, bool quiet, bool forced, uint64_t total,
                   uint64_t now_ns)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = isatty(fileno(out));
    p->enabled = !quiet && (p->tty || forced);
    p->interval_ns = (p->tty ? 1ULL : 10ULL) * 1000000000ULL;
    p->start_ns = p->last_ns = now_ns;
    p->total = total;
}

void progress_tick(struct progress *p, struct summary *s, uint64_t now_ns)
{
    if (!p->enabled || now_ns - p->last_ns < p->interval_ns) return;
    p->last_ns = now_ns;
    double secs = (double)(now_ns - p->start_ns) / 1e9;
    uint64_t done = atomic_load(&s->targets_done), rows = atomic_load(&s->rows);
    uint64_t ok = atomic_load(&s->by_status[ST_OK]);
    double rate = secs > 0 ? (double)done / secs : 0.0;
    char total[32] = "", eta[32] = "";
    if (p->total) {
        snprintf(total, sizeof total, " of ~%llu", (unsigned long long)p->total);
        if (rate > 0 && p->total > done) {
            unsigned long left = (unsigned long)((double)(p->total - done) / rate);
            snprintf(eta, sizeof eta, ", ETA %lu:%02lu:%02lu", left / 3600, left / 60 % 60, left % 60);
        }
    }
    fprintf(p->out, "%sstarttls-scan: %llu%s targets, %.1f/s, %llu in flight, %llu ok, %llu not ok%s%s",
            p->tty ? "\r\033[K" : "", (unsigned long long)done, total, rate,
            (unsigned long long)atomic_load(&s->in_flight), (unsigned long long)ok,
            (unsigned long long)(rows - ok), eta, p->tty ? "" : "\n");
    fflush(p->out);
}

void progress_end(struct progress *p)
{
    if (p->enabled && p->tty) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
}

uint64_t progress_count_targets(const char *path)
{
    struct stat st;
    if (!path || strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint64_t n = 0;
    int c, start = 1, counted = 0;
    while ((c = getc_unlocked(f)) != EOF) {
        if (c == '\n') {
            start = 1;
            counted = 0;
            continue;
        }
        if (start && (c == '#' || c == ' ' || c == '\t' || c == '\r')) {
            if (c == '#') start = 0, counted = 1; /* a comment line: never counted */
            continue;
        }
        start = 0;
        if (!counted) {
            n++;
            counted = 1;
        }
    }
    fclose(f);
    return n;
}
