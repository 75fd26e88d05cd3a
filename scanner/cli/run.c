/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/run.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "output/live/progress.h"
#include "output/live/summary.h"
#include "output/report/metrics.h"
#include "scanner/base/tempfile.h"
#include "output/files/writer.h"
#include "scanner/cli/paths.h"
#include "scanner/cli/provenance.h"
#include "scanner/cli/rollup_cmd.h"
#include "scanner/dialog/services.h"
#include "scanner/engine/scan.h"
#include "scanner/input/feeder.h"

/* Seconds in-flight probes get after the first SIGINT/SIGTERM/SIGHUP. */
#define STOP_GRACE_SECONDS 5

/* One run of the command: its files, the scan, and what is said at the end. */
struct run {
    const struct config *cfg;
    struct scan *scan;
    struct feeder *feeder;
    struct writer *writer;
    struct summary summary;
    int input_fd, summary_fd;
    bool summary_created, ran;
    bool joined;              /* the workers are done: what they kept may be read */
    atomic_bool write_failed; /* the output failed: stop at once */
    uint64_t t0;              /* uv_hrtime() at the start */
    int64_t started;          /* ...and its Unix time */
};

/* The default sink: a target's rows in one write, then counted. A row is
 * in the summary only once it is in the file. */
static void write_rows(void *arg, const struct row *rows, int n)
{
    struct run *r = arg;
    struct buf b = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) rc = r->cfg->format->row(&b, &rows[i]);
    if (rc != 0 || (b.len && writer_write(r->writer, b.data, b.len) != 0)) {
        if (rc != 0) fputs("starttls-scan: out of memory\n", stderr);
        r->write_failed = true;
        buf_free(&b);
        return;
    }
    buf_free(&b);
    summary_count_rows(&r->summary, rows, n);
    atomic_fetch_add(&r->summary.targets_done, 1);
}

/* --resume: the rows already in the file count as well. */
static void count_earlier_row(void *arg, const struct row *row)
{
    struct run *r = arg;
    summary_count_read(&r->summary, row);
    atomic_fetch_add(&r->summary.rows_resumed, 1);
}

/* check: the one target named on the command line, as one input line. */
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

/* The files: none is the input, none the other, each may be written. */
static int check_files(const struct config *cfg, int input_fd)
{
    const char *out = cfg->output && strcmp(cfg->output, "-") != 0 ? cfg->output : NULL;
    if (out && fd_is_file(input_fd, out)) {
        fprintf(stderr, "starttls-scan: -o %s is the input file; write the rows elsewhere\n", out);
        return -1;
    }
    const char *opts[] = {"--summary", "--rollup", "--report", "--metrics"};
    const char *paths[] = {cfg->summary_file, cfg->rollup_file, cfg->report_file, cfg->metrics_file};
    for (int i = 0; i < 4; i++) {
        if (!paths[i]) continue;
        if (fd_is_file(input_fd, paths[i])) {
            fprintf(stderr, "starttls-scan: %s %s is the input file\n", opts[i], paths[i]);
            return -1;
        }
        for (int k = -1; k < i; k++) {
            const char *other = k < 0 ? out : paths[k];
            if (other && same_file(other, paths[i])) {
                fprintf(stderr, "starttls-scan: %s %s is also %s; give it a name of its own\n", opts[i],
                        paths[i], k < 0 ? "the output file (-o)" : opts[k]);
                return -1;
            }
        }
        /* --metrics is a state, replaced each run: when it is one --metrics wrote. */
        bool replace = cfg->overwrite || cfg->resume || (i == 3 && metrics_file_replaceable(paths[i]));
        if (i == 3 && !replace) {
            fprintf(stderr, "starttls-scan: --metrics: %s is not a file that --metrics wrote; pass "
                            "--overwrite to replace it\n", paths[i]);
            return -1;
        }
        if (side_path_check(opts[i], paths[i], replace) != 0) return -1;
    }
    return 0;
}

/* The output and the summary file, in that order; the summary's is made now,
 * so that its directory is known to take it before the first probe. */
static int open_outputs(struct run *r, FILE *done_keys)
{
    const struct config *cfg = r->cfg;
    struct writer_options o = {
        .path = cfg->output,
        .mode = cfg->resume ? WRITER_RESUME : cfg->overwrite ? WRITER_OVERWRITE : WRITER_NEW,
        .format = cfg->format,
        .done_keys = done_keys,
        .on_row = count_earlier_row,
        .arg = r,
    };
    r->writer = writer_open(&o);
    if (!r->writer) return -1;
    if (!cfg->summary_file) return 0;
    r->summary_fd = open(cfg->summary_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    r->summary_created = r->summary_fd >= 0;
    if (r->summary_fd < 0 && errno == EEXIST) r->summary_fd = open(cfg->summary_file, O_WRONLY | O_CLOEXEC);
    if (r->summary_fd < 0) {
        fprintf(stderr, "starttls-scan: --summary: cannot write %s: %s\n", cfg->summary_file,
                strerror(errno));
        return -1;
    }
    return 0;
}

static uint64_t left_over(const struct feeder_stats *in, uint64_t done)
{
    uint64_t read = in->targets + in->invalid;
    return read > done ? read - done : 0;
}

/* The end: the summary on stderr and in --summary FILE, and the status.
 * stop_sig: the signal that stopped the scan, 0, or -1 for a failed output. */
static int finish(struct run *r, const struct feeder_stats *stats, int stop_sig)
{
    const struct config *cfg = r->cfg;
    const struct scan_options *opt = &cfg->scan;
    double seconds = (double)(uv_hrtime() - r->t0) / 1e9;
    int status = stop_sig > 0 ? 128 + stop_sig : stop_sig < 0 ? 2 : 0;
    if (stats->read_error && !stop_sig) {
        fprintf(stderr, "starttls-scan: reading %s failed: %s; %s\n",
                cfg->input && strcmp(cfg->input, "-") ? cfg->input : "standard input",
                stats->read_error > 0 ? strerror(stats->read_error) : "see above",
                stats->first_pass_failed ? "nothing was scanned"
                                         : "the targets read so far were scanned (run again with "
                                           "--resume after fixing the input)");
        status = 2;
    }
    struct run_provenance *prov = calloc(1, sizeof *prov);
    if (prov) provenance_fill(prov, cfg, r->started, r->joined ? r->scan : NULL);
    struct summary_context ctx = {
        .run = prov,
        .interrupted = stop_sig != 0,
        .left = left_over(stats, atomic_load(&r->summary.targets_done)),
        .input_unread = stop_sig != 0 || stats->read_error != 0,
        .resolvers = opt->resolvers,
        .nresolvers = opt->nresolvers,
        .allow_private = opt->allow_private,
        .lists = opt->blocklist.n > 0 || opt->allowlist.path != NULL,
    };
    if (!cfg->quiet) {
        summary_print(&r->summary, stats, seconds, stderr);
        summary_warn(&r->summary, &ctx, stderr);
    } else {
        summary_print_expiring(&r->summary, stderr); /* cron mails exactly the alert */
    }
    bool nothing = status == 0 && !stop_sig && !cfg->check_target && summary_nothing_measured(&r->summary);
    if (nothing) summary_nothing_line(&r->summary, &ctx, stderr);
    if (r->summary_fd >= 0 && summary_write_json(&r->summary, stats, &ctx, seconds, r->summary_fd,
                                                 cfg->summary_file) != 0)
        status = status ? status : 2;
    /* For cron: 3 when a certificate expires within the days asked. */
    if (status == 0 && cfg->expiring_within >= 0 && r->summary.expiring_total > 0) status = 3;
    /* ...and 4 when nothing was measured: cron must not read that as fine. */
    if (status == 0 && nothing) status = 4;
    free(prov);
    return status;
}

/* --rollup, --report after a scan that did not finish: they would describe
 * half of it. */
static void rollup_skipped(const struct config *cfg)
{
    const char *names[3];
    int n = 0;
    if (cfg->rollup_file) names[n++] = "--rollup";
    if (cfg->report_file) names[n++] = "--report";
    if (cfg->metrics_file) names[n++] = "--metrics";
    if (n == 0) return;
    fprintf(stderr, "starttls-scan: %s%s%s%s%s not written: the scan did not finish (--resume goes on, and "
                    "writes %s at its end)\n",
            names[0], n > 1 ? (n > 2 ? ", " : " and ") : "", n > 1 ? names[1] : "", n > 2 ? " and " : "",
            n > 2 ? names[2] : "", n > 1 ? "them" : "it");
}

/* Stops at once: nothing more is written (the file ends with a whole row),
 * the summary says what the file holds, and the targets in flight are left
 * for --resume. sig 0: the output failed. */
static void stop_now(struct run *r, int sig)
{
    if (r->writer) writer_abort(r->writer);
    struct feeder_stats stats;
    feeder_snapshot(r->feeder, &stats);
    finish(r, &stats, sig ? sig : -1);
    if (sig)
        fprintf(stderr, "starttls-scan: stopped by %s; run again with --resume to scan the rest\n",
                strsignal(sig));
    else
        fputs("starttls-scan: the output failed; the scan stopped (the file ends with the last "
              "whole row: fix the output, then run again with --resume)\n", stderr);
    rollup_skipped(r->cfg);
    _exit(sig ? 128 + sig : 2);
}

/* The main thread's part while the workers run: signals and write errors.
 * The first SIGINT, SIGTERM or SIGHUP stops the input and lets probes in
 * flight finish for a few seconds; a second one, the end of those seconds,
 * or a write error stops at once. Returns the signal that stopped the
 * scan, 0 when it ran to its end. */
static int wait_for_workers(struct run *r, const sigset_t *signals, struct progress *progress)
{
    int stop_sig = 0;
    uint64_t grace_end = 0;
    while (scan_running(r->scan)) {
        progress_tick(progress, &r->summary, uv_hrtime());
        struct timespec tick = {0, 100 * 1000 * 1000};
        int sig = sigtimedwait(signals, NULL, &tick);
        if (r->write_failed || (sig > 0 && stop_sig) || (stop_sig && uv_hrtime() > grace_end)) {
            progress_end(progress);
            stop_now(r, r->write_failed ? 0 : sig > 0 ? sig : stop_sig);
        }
        if (sig > 0) {
            stop_sig = sig;
            grace_end = uv_hrtime() + (uint64_t)STOP_GRACE_SECONDS * 1000000000ULL;
            fprintf(stderr, "starttls-scan: %s: no new targets; letting probes in flight finish "
                            "for up to %d s (again to stop now)\n", strsignal(sig), STOP_GRACE_SECONDS);
            scan_stop(r->scan);
        }
    }
    return stop_sig;
}

/* From the feeder's start to the final report; the status. */
static int scan_and_report(struct run *r, FILE *done_keys, bool own_sink)
{
    const struct config *cfg = r->cfg;
    /* Signals wait for the main thread: every thread started from here on
     * inherits the mask. */
    sigset_t signals, old;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, &old);
    r->t0 = uv_hrtime();
    r->started = (int64_t)time(NULL);
    struct feeder_config fc = {
        .fd = r->input_fd,
        .mx_mode = cfg->scan.mx_mode,
        .default_port = cfg->scan.port,
        .srv = cfg->scan.srv,
        .protocol = cfg->scan.service->name,
        .done_keys = cfg->resume ? done_keys : NULL,
        .shard = cfg->shard,
        .domain_cell = cfg->format->domain_cell,
        .wake = scan_wake,
        .wake_arg = r->scan,
        .retry = cfg->scan.retry,
    };
    if (!(r->feeder = feeder_start(&fc))) {
        fputs("starttls-scan: cannot start the input reader\n", stderr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return 2;
    }
    r->ran = true;
    if (cfg->ehlo_guessed && !cfg->quiet && !own_sink)
        fprintf(stderr, "starttls-scan: this machine has no fully qualified name; EHLO says %s "
                        "(set one with --ehlo NAME)\n", cfg->scan.ehlo);
    scan_start(r->scan, r->feeder);
    struct progress progress;
    bool out_is_tty = !cfg->output || strcmp(cfg->output, "-") == 0 ? isatty(STDOUT_FILENO) : false;
    /* Rows on the terminal: a progress line would land between them. */
    progress_init(&progress, stderr, cfg->quiet || out_is_tty || own_sink, cfg->progress, 0, r->t0);
    if (progress.enabled) progress.total = progress_count_targets(cfg->input); /* a second read */
    int stop_sig = wait_for_workers(r, &signals, &progress);
    progress_end(&progress);
    scan_join(r->scan);
    r->joined = true;
    struct feeder_stats stats;
    feeder_join(r->feeder, &stats);
    int status = finish(r, &stats, stop_sig);
    if (status == 0 && scan_stopped(r->scan)) status = 2; /* the workers could not start */
    if (stop_sig) fprintf(stderr, "starttls-scan: interrupted; run again with --resume to scan the rest\n");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return status;
}

/* --rollup, --report: from every row of -o FILE (earlier runs' too, after
 * --resume), once the scan has ended; the grades' line ends the summary. */
static int rollup_after(const struct run *r, int status)
{
    const struct config *cfg = r->cfg;
    if (!cfg->rollup_file && !cfg->report_file && !cfg->metrics_file) return status;
    if (status != 0 && status != 3 && status != 4) {
        rollup_skipped(cfg);
        return status;
    }
    const char *inputs[] = {cfg->output};
    struct rollup_job j = {.inputs = inputs, .ninputs = 1, .rollup = cfg->rollup_file,
                           .report = cfg->report_file,
                           .expiring_within = cfg->expiring_within >= 0 ? cfg->expiring_within : 30,
                           .overwrite = true, .quiet = cfg->quiet, .who = "",
                           .metrics = cfg->metrics_file, .metrics_aggregate = cfg->metrics_aggregate,
                           .run = {.started = r->started, .ended = (int64_t)time(NULL),
                                   .duration = (double)(uv_hrtime() - r->t0) / 1e9}};
    return rollup_job_run(&j) == 0 ? status : 2;
}

int run_scan(const struct config *cfg, void (*sink)(void *, const struct row *, int), void *sink_arg)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.summary_fd = -1;
    r.input_fd = cfg->check_target ? check_input(cfg) : input_open(cfg->input, cfg->stdin_closed);
    if (r.input_fd < 0) return 2;
    int status = 2;
    char err[256];
    /* --resume: the keys of the rows already there, on disk (issue 17: memory
     * never grows with the input or the output). */
    FILE *done_keys = NULL;
    if (summary_init(&r.summary, cfg->expiring_within) != 0) goto out;
    if (cfg->resume && !(done_keys = temp_file())) {
        fprintf(stderr, "starttls-scan: --resume: no temporary file: %s\n", strerror(errno));
        goto out;
    }
    struct scan_hooks hooks = {sink ? sink : write_rows, sink ? sink_arg : &r, &r.summary.in_flight,
                               &r.summary.dns_queries};
    if (check_files(cfg, r.input_fd) != 0) goto out;
    if (!(r.scan = scan_new(&cfg->scan, &hooks, err, sizeof err))) {
        fprintf(stderr, "starttls-scan: %s\n", err);
        goto out;
    }
    if (!sink && open_outputs(&r, done_keys) != 0) goto out;
    if (done_keys && (fflush(done_keys) != 0 || fseek(done_keys, 0, SEEK_SET) != 0)) {
        fprintf(stderr, "starttls-scan: --resume: the temporary file failed: %s\n", strerror(errno));
        goto out;
    }
    status = scan_and_report(&r, done_keys, sink != NULL);
out:
    scan_free(r.scan);
    /* A run that never started leaves nothing behind to block its rerun. */
    if (r.writer && !r.ran) writer_discard(r.writer);
    else if (r.writer && writer_close(r.writer) != 0) status = 2;
    if (r.summary_fd >= 0) close(r.summary_fd);
    if (!r.ran && r.summary_created) unlink(cfg->summary_file);
    if (r.ran && !sink) status = rollup_after(&r, status);
    if (r.input_fd > STDIN_FILENO) close(r.input_fd);
    summary_free(&r.summary);
    if (done_keys) fclose(done_keys);
    return status;
}
