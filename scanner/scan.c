#include "scanner/scan.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "output/progress.h"
#include "output/writer.h"
#include "scanner/config.h"
#include "scanner/conn.h"
#include "scanner/dedup.h"
#include "scanner/feeder.h"
#include "scanner/worker.h"

static void wake_all(void *arg)
{
    struct scan *s = arg;
    for (int i = 0; i < s->nworkers; i++) worker_wake(&s->workers[i]);
}

static FILE *open_input(const struct config *cfg)
{
    const char *path = cfg->input;
    if (cfg->check_target) { /* check: the one target from the command line */
        static char line[300];
        snprintf(line, sizeof line, "%s\n", cfg->check_target);
        return fmemopen(line, strlen(line), "r");
    }
    if (!path || strcmp(path, "-") == 0) return stdin;
    FILE *in = fopen(path, "rb");
    if (!in) fprintf(stderr, "starttls-scan: cannot read %s: %s\n", path, strerror(errno));
    return in;
}

/* Everything set up before the first target is read; 0 or -1 (reported). */
static int scan_prepare(struct scan *s, const struct config *cfg)
{
    char err[256];
    s->cfg = cfg;
    s->dialog = cfg->dialog;
    s->tls = tls_client_ctx_new(cfg->ca_file, err, sizeof err);
    if (!s->tls) {
        fprintf(stderr, "starttls-scan: %s\n", err);
        return -1;
    }
    if (summary_init(&s->summary, cfg->expiring_within) != 0) return -1;
    s->summary_ready = true;
    s->dedup = dedup_new();
    if (hostlimit_init(&s->hosts, cfg->per_host) != 0) {
        fputs("starttls-scan: out of memory\n", stderr);
        return -1;
    }
    s->hosts_ready = true;
    ratelimit_init(&s->rate, cfg->rate);
    s->workers = calloc((size_t)cfg->workers, sizeof *s->workers);
    if (!s->dedup || !s->workers) {
        fputs("starttls-scan: out of memory\n", stderr);
        return -1;
    }
    for (; s->nworkers < cfg->workers; s->nworkers++) {
        if (worker_init(&s->workers[s->nworkers], s, s->nworkers, err, sizeof err) != 0) {
            fprintf(stderr, "starttls-scan: %s\n", err);
            return -1;
        }
    }
    return 0;
}

static void scan_teardown(struct scan *s)
{
    for (int i = 0; i < s->nworkers; i++) worker_destroy(&s->workers[i]);
    free(s->workers);
    dedup_free(s->dedup);
    if (s->summary_ready) summary_free(&s->summary);
    if (s->hosts_ready) {
        hostlimit_free(&s->hosts);
        ratelimit_free(&s->rate);
    }
    tls_client_ctx_free(s->tls);
}

/* Stops at once: what is buffered is written (whole rows only) and the
 * targets in flight are left for --resume. */
static void stop_now(struct scan *s, int sig)
{
    writer_abort(s->writer);
    fprintf(stderr, "starttls-scan: stopped by %s; run again with --resume to scan the rest\n",
            strsignal(sig));
    _exit(128 + sig);
}

/* The main thread's part while the workers run: SIGINT and SIGTERM. The
 * first stops the input and lets probes in flight finish for a few
 * seconds; the second, or the end of those seconds, stops at once.
 * Returns the signal that stopped the scan, 0 when it ran to its end. */
static int wait_for_workers(struct scan *s, const sigset_t *signals, struct progress *progress)
{
    int stop_sig = 0;
    uint64_t grace_end = 0;
    while (atomic_load(&s->running) > 0) {
        progress_tick(progress, &s->summary, uv_hrtime());
        struct timespec tick = {0, 100 * 1000 * 1000};
        int sig = sigtimedwait(signals, NULL, &tick);
        if (sig > 0 && stop_sig) stop_now(s, sig);
        if (sig > 0) {
            stop_sig = sig;
            grace_end = uv_hrtime() + (uint64_t)STOP_GRACE_SECONDS * 1000000000ULL;
            fprintf(stderr, "starttls-scan: %s: no new targets; letting probes in flight finish "
                            "for up to %d s (again to stop now)\n",
                    strsignal(sig), STOP_GRACE_SECONDS);
            s->failed = true; /* workers take no more targets */
            feeder_cancel(s->feeder);
            wake_all(s);
        }
        if (stop_sig && uv_hrtime() > grace_end) stop_now(s, stop_sig);
    }
    return stop_sig;
}

int scan_run(const struct config *cfg)
{
    struct scan s;
    memset(&s, 0, sizeof s);
    FILE *in = open_input(cfg);
    if (!in) return 2;
    int status = 2;
    struct hashset done = {0};
    enum writer_mode mode = cfg->resume ? WRITER_RESUME : cfg->overwrite ? WRITER_OVERWRITE : WRITER_NEW;
    s.writer = writer_open(cfg->output, mode, (enum output_format)cfg->format, &done);
    if (!s.writer || scan_prepare(&s, cfg) != 0) goto out;

    /* Signals wait for the main thread: every thread started from here on
     * inherits the mask. */
    sigset_t signals, old;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, &old);
    uint64_t t0 = uv_hrtime();
    s.feeder = feeder_start(in, cfg->mx_mode, cfg->resume ? &done : NULL, wake_all, &s);
    if (!s.feeder) {
        fputs("starttls-scan: cannot start the input reader\n", stderr);
        goto out;
    }
    int started = 0;
    for (; started < s.nworkers; started++) {
        atomic_fetch_add(&s.running, 1);
        if (worker_start(&s.workers[started]) != 0) {
            atomic_fetch_sub(&s.running, 1);
            break;
        }
    }
    if (started < s.nworkers) {
        fputs("starttls-scan: cannot start the worker threads\n", stderr);
        s.failed = true;
        feeder_cancel(s.feeder);
    }
    struct progress progress;
    progress_init(&progress, stderr, cfg->quiet, cfg->progress, 0, t0);
    if (progress.enabled) progress.total = progress_count_targets(cfg->input); /* a second read */
    int stop_sig = wait_for_workers(&s, &signals, &progress);
    progress_end(&progress);
    for (int i = 0; i < started; i++) worker_join(&s.workers[i]);
    struct feeder_stats stats;
    if (stop_sig) {
        /* The reader may be blocked on its input for good: leave it be. */
        feeder_snapshot(s.feeder, &stats);
    } else {
        feeder_join(s.feeder, &stats);
    }
    double seconds = (double)(uv_hrtime() - t0) / 1e9;
    status = stop_sig ? 128 + stop_sig : s.failed ? 2 : 0;
    if (!cfg->quiet) summary_print(&s.summary, &stats, seconds, stderr);
    if (cfg->summary_file && summary_write_json(&s.summary, &stats, seconds, cfg->summary_file) != 0)
        status = status ? status : 2;
    /* For cron: 3 when a certificate expires within the days asked. */
    if (status == 0 && cfg->expiring_within >= 0 && s.summary.expiring_total > 0) status = 3;
    if (stop_sig)
        fprintf(stderr, "starttls-scan: interrupted; run again with --resume to scan the rest\n");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
    scan_teardown(&s);
    if (s.writer && writer_close(s.writer) != 0) status = 2;
    /* After an interrupt the reader thread may still be blocked on the input,
     * and would look at both once it wakes: the process is about to exit. */
    if (status <= 128) {
        if (in != stdin) fclose(in);
        hashset_free(&done);
    }
    return status;
}
