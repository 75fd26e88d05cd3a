#include "scanner/engine/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "output/progress.h"
#include "output/writer.h"
#include "scanner/cli/config.h"
#include "scanner/engine/conn.h"
#include "scanner/engine/dedup.h"
#include "scanner/input/feeder.h"
#include "scanner/cli/paths.h"
#include "scanner/engine/worker.h"

static void wake_all(void *arg)
{
    struct scan *s = arg;
    for (int i = 0; i < s->nworkers; i++) worker_wake(&s->workers[i]);
}

/* The default sink: a target's rows in one write, then counted. A row is
 * in the summary only once it is in the file. */
static void write_rows(void *arg, const struct row *rows, int n)
{
    struct scan *s = arg;
    struct buf b = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) rc = s->format->row(&b, &rows[i]);
    if (rc != 0 || (b.len && writer_write(s->writer, b.data, b.len) != 0)) {
        if (rc != 0) fputs("starttls-scan: out of memory\n", stderr);
        s->failed = true;
        s->write_failed = true;
        buf_free(&b);
        return;
    }
    buf_free(&b);
    for (int i = 0; i < n; i++) summary_count(&s->summary, &rows[i]);
    atomic_fetch_add(&s->summary.targets_done, 1);
}

/* --resume: the rows already in the file count as well. */
static void count_earlier_row(void *arg, const struct row *row)
{
    struct scan *s = arg;
    summary_count(&s->summary, row);
    atomic_fetch_add(&s->summary.rows_resumed, 1);
}

/* The check target, as one input line. */
static int check_input(const struct config *cfg)
{
    int p[2];
    char line[300];
    int n = snprintf(line, sizeof line, "%s\n", cfg->check_target);
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    if (write(p[1], line, (size_t)n) != n) {
        close(p[0]);
        p[0] = -1;
    }
    close(p[1]);
    return p[0];
}

/* Everything that can fail before the output file exists. 0 or -1 (reported). */
static int scan_prepare(struct scan *s, const struct config *cfg)
{
    char err[256];
    s->cfg = cfg;
    s->dialog = cfg->dialog;
    s->format = cfg->format;
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

/* The files: none is the input, none the other, each may be written. */
static int check_files(const struct config *cfg, int input_fd)
{
    const char *out = cfg->output && strcmp(cfg->output, "-") != 0 ? cfg->output : NULL;
    if (out && fd_is_file(input_fd, out)) {
        fprintf(stderr, "starttls-scan: -o %s is the input file; write the rows elsewhere\n", out);
        return -1;
    }
    if (!cfg->summary_file) return 0;
    if (fd_is_file(input_fd, cfg->summary_file)) {
        fprintf(stderr, "starttls-scan: --summary %s is the input file\n", cfg->summary_file);
        return -1;
    }
    if (out && same_file(out, cfg->summary_file)) {
        fprintf(stderr, "starttls-scan: --summary %s is the output file (-o); give it a name of "
                        "its own\n", cfg->summary_file);
        return -1;
    }
    return summary_path_check(cfg->summary_file, cfg->overwrite || cfg->resume);
}

/* The output and the summary file, in that order; the summary's is made now,
 * so that its directory is known to take it before the first probe. */
static int open_outputs(struct scan *s, const struct config *cfg, struct hashset *done,
                        int *summary_fd, bool *summary_created)
{
    struct writer_options o = {
        .path = cfg->output,
        .mode = cfg->resume ? WRITER_RESUME : cfg->overwrite ? WRITER_OVERWRITE : WRITER_NEW,
        .format = cfg->format,
        .done = done,
        .on_row = count_earlier_row,
        .arg = s,
    };
    s->writer = writer_open(&o);
    if (!s->writer) return -1;
    if (!cfg->summary_file) return 0;
    *summary_fd = open(cfg->summary_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    *summary_created = *summary_fd >= 0;
    if (*summary_fd < 0 && errno == EEXIST) *summary_fd = open(cfg->summary_file, O_WRONLY | O_CLOEXEC);
    if (*summary_fd < 0) {
        fprintf(stderr, "starttls-scan: --summary: cannot write %s: %s\n", cfg->summary_file,
                strerror(errno));
        writer_discard(s->writer);
        s->writer = NULL;
        return -1;
    }
    return 0;
}

static int finish(struct scan *s, const struct feeder_stats *stats, int stop_sig);

/* Stops at once: nothing more is written (the file ends with a whole row),
 * the summary says what the file holds, and the targets in flight are left
 * for --resume. sig 0: the output failed. */
static void stop_now(struct scan *s, int sig)
{
    writer_abort(s->writer);
    struct feeder_stats stats;
    feeder_snapshot(s->feeder, &stats);
    finish(s, &stats, sig ? sig : -1);
    if (sig)
        fprintf(stderr, "starttls-scan: stopped by %s; run again with --resume to scan the rest\n",
                strsignal(sig));
    else
        fputs("starttls-scan: the output failed; the scan stopped (the file ends with the last "
              "whole row: fix the output, then run again with --resume)\n", stderr);
    _exit(sig ? 128 + sig : 2);
}

struct stop_state {
    int sig;
    uint64_t grace_end;
};

static void begin_stop(struct scan *s, struct stop_state *st, int sig)
{
    st->sig = sig;
    st->grace_end = uv_hrtime() + (uint64_t)STOP_GRACE_SECONDS * 1000000000ULL;
    fprintf(stderr, "starttls-scan: %s: no new targets; letting probes in flight finish for up to "
                    "%d s (again to stop now)\n", strsignal(sig), STOP_GRACE_SECONDS);
    s->failed = true; /* workers take no more targets */
    feeder_cancel(s->feeder);
    wake_all(s);
}

/* The main thread's part while the workers run: signals and write errors.
 * The first SIGINT, SIGTERM or SIGHUP stops the input and lets probes in
 * flight finish for a few seconds; a second one, the end of those seconds,
 * or a write error stops at once. Returns the signal that stopped the
 * scan, 0 when it ran to its end. */
static int wait_for_workers(struct scan *s, const sigset_t *signals, struct progress *progress)
{
    struct stop_state st = {0, 0};
    while (atomic_load(&s->running) > 0) {
        progress_tick(progress, &s->summary, uv_hrtime());
        struct timespec tick = {0, 100 * 1000 * 1000};
        int sig = sigtimedwait(signals, NULL, &tick);
        if (s->write_failed || (sig > 0 && st.sig) || (st.sig && uv_hrtime() > st.grace_end)) {
            progress_end(progress);
            stop_now(s, s->write_failed ? 0 : sig > 0 ? sig : st.sig);
        }
        if (sig > 0) begin_stop(s, &st, sig);
    }
    return st.sig;
}

static int start_workers(struct scan *s)
{
    int started = 0;
    for (; started < s->nworkers; started++) {
        atomic_fetch_add(&s->running, 1);
        if (worker_start(&s->workers[started]) != 0) {
            atomic_fetch_sub(&s->running, 1);
            break;
        }
    }
    if (started < s->nworkers) {
        fputs("starttls-scan: cannot start the worker threads\n", stderr);
        s->failed = true;
        feeder_cancel(s->feeder);
    }
    return started;
}

static uint64_t left_over(const struct feeder_stats *in, uint64_t done)
{
    uint64_t read = in->targets + in->invalid;
    return read > done ? read - done : 0;
}

/* The end: the summary on stderr and in --summary FILE, and the status.
 * stop_sig: the signal that stopped the scan, 0, or -1 for a failed output. */
static int finish(struct scan *s, const struct feeder_stats *stats, int stop_sig)
{
    const struct config *cfg = s->cfg;
    double seconds = (double)(uv_hrtime() - s->t0) / 1e9;
    int status = stop_sig > 0 ? 128 + stop_sig : s->failed || stop_sig < 0 ? 2 : 0;
    if (stats->read_error && !stop_sig) {
        fprintf(stderr, "starttls-scan: reading %s failed: %s; the targets read so far were "
                        "scanned (run again with --resume after fixing the input)\n",
                cfg->input && strcmp(cfg->input, "-") ? cfg->input : "standard input",
                stats->read_error > 0 ? strerror(stats->read_error) : "error");
        status = 2;
    }
    struct summary_context ctx = {
        .interrupted = stop_sig != 0,
        .left = left_over(stats, atomic_load(&s->summary.targets_done)),
        .input_unread = stop_sig != 0 || stats->read_error != 0,
        .resolvers = cfg->resolvers,
        .nresolvers = cfg->nresolvers,
        .allow_private = cfg->allow_private,
        .lists = cfg->blocklist.n > 0 || cfg->allowlist.path != NULL,
    };
    if (!cfg->quiet) {
        summary_print(&s->summary, stats, seconds, stderr);
        summary_warn(&s->summary, &ctx, stderr);
    }
    if (s->summary_fd >= 0 && summary_write_json(&s->summary, stats, &ctx, seconds, s->summary_fd,
                                                 cfg->summary_file) != 0)
        status = status ? status : 2;
    /* For cron: 3 when a certificate expires within the days asked. */
    if (status == 0 && cfg->expiring_within >= 0 && s->summary.expiring_total > 0) status = 3;
    return status;
}

int scan_run(const struct config *cfg, row_sink_fn sink, void *sink_arg)
{
    struct scan s;
    memset(&s, 0, sizeof s);
    s.input_fd = cfg->check_target ? check_input(cfg) : input_open(cfg->input, cfg->stdin_closed);
    if (s.input_fd < 0) return 2;
    int status = 2;
    bool summary_created = false, ran = false;
    s.summary_fd = -1;
    struct hashset done = {0};
    if (check_files(cfg, s.input_fd) != 0 || scan_prepare(&s, cfg) != 0) goto out;
    s.sink = sink ? sink : write_rows;
    s.sink_arg = sink ? sink_arg : &s;
    if (!sink && open_outputs(&s, cfg, &done, &s.summary_fd, &summary_created) != 0) goto out;

    /* Signals wait for the main thread: every thread started from here on
     * inherits the mask. */
    sigset_t signals, old;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, &old);
    s.t0 = uv_hrtime();
    struct feeder_config fc = {
        .fd = s.input_fd,
        .mx_mode = cfg->mx_mode,
        .default_port = cfg->port,
        .protocol = cfg->dialog->name,
        .done = cfg->resume ? &done : NULL,
        .domain_cell = cfg->format->domain_cell,
        .wake = wake_all,
        .wake_arg = &s,
        .retry = cfg->retry,
    };
    s.feeder = feeder_start(&fc);
    if (!s.feeder) {
        fputs("starttls-scan: cannot start the input reader\n", stderr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        goto out;
    }
    ran = true;
    if (cfg->ehlo_guessed && !cfg->quiet && !sink)
        fprintf(stderr, "starttls-scan: this machine has no fully qualified name; EHLO says %s "
                        "(set one with --ehlo NAME)\n", cfg->ehlo);
    int started = start_workers(&s);
    struct progress progress;
    bool out_is_tty = !cfg->output || strcmp(cfg->output, "-") == 0 ? isatty(STDOUT_FILENO) : false;
    /* Rows on the terminal: a progress line would land between them. */
    progress_init(&progress, stderr, cfg->quiet || out_is_tty || sink, cfg->progress, 0, s.t0);
    if (progress.enabled) progress.total = progress_count_targets(cfg->input); /* a second read */
    int stop_sig = wait_for_workers(&s, &signals, &progress);
    progress_end(&progress);
    for (int i = 0; i < started; i++) worker_join(&s.workers[i]);
    struct feeder_stats stats;
    feeder_join(s.feeder, &stats);
    status = finish(&s, &stats, stop_sig);
    if (stop_sig)
        fprintf(stderr, "starttls-scan: interrupted; run again with --resume to scan the rest\n");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
    scan_teardown(&s);
    /* A run that never started leaves nothing behind to block its rerun. */
    if (s.writer && !ran) writer_discard(s.writer);
    else if (s.writer && writer_close(s.writer) != 0) status = 2;
    if (s.summary_fd >= 0) close(s.summary_fd);
    if (!ran && summary_created) unlink(cfg->summary_file);
    if (s.input_fd > STDIN_FILENO) close(s.input_fd);
    hashset_free(&done);
    return status;
}
