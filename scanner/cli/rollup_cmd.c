/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/rollup_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/files/outfile.h"
#include "output/report/report.h"
#include "output/report/rollup_csv.h"
#include "output/report/rollup_read.h"
#include "output/live/summary.h"
#include "scanner/cli/config.h"
#include "scanner/cli/optable.h"
#include "scanner/cli/usage.h"

struct job_state {
    const struct rollup_job *j;
    struct outfile rollup;
    struct buf line;
    int write_error;
    struct report report;
    struct metrics *metrics;
};

static const char *prefix(const struct rollup_job *j)
{
    return j->who[0] ? j->who : "scan";
}

static int fail(const struct rollup_job *j, const char *path, const char *why)
{
    fprintf(stderr, "starttls-scan %s: %s: %s\n", prefix(j), path, why);
    return 2;
}

/* An output may be written: not an input, not a non-empty file unless allowed. */
static int check_output(const struct rollup_job *j, const char *path)
{
    switch (outfile_check(path, j->inputs, j->ninputs, j->overwrite)) {
    case OUTFILE_IS_INPUT: return fail(j, path, "the output is one of the inputs");
    case OUTFILE_NOT_EMPTY: return fail(j, path, "the output is not empty (--overwrite replaces it)");
    default: return 0;
    }
}

/* A temporary file beside path (output/files/outfile.h): 0, or 2 after a message. */
static int open_beside(const struct rollup_job *j, struct outfile *f, const char *path)
{
    int err = outfile_open(f, path, "writing");
    return err ? fail(j, path, strerror(err)) : 0;
}

/* Renames f into place when rc is 0, else removes it. */
static int close_into(const struct rollup_job *j, struct outfile *f, int rc)
{
    char why[256];
    if (outfile_finish(f, rc == 0, why, sizeof why) != 0 && rc == 0) return fail(j, f->path, why);
    return rc;
}

static void on_target(void *arg, const struct rollup_target *t)
{
    struct job_state *s = arg;
    if (s->rollup.f && !s->write_error) {
        buf_reset(&s->line);
        if (rollup_csv_row(&s->line, t) != 0 || fwrite(s->line.data, 1, s->line.len, s->rollup.f) != s->line.len)
            s->write_error = errno ? errno : ENOMEM;
    }
    report_add(&s->report, t);
    if (s->metrics) metrics_add(s->metrics, t);
}

static void grade_line(const struct report *r)
{
    fprintf(stderr, "starttls-scan: grades of %llu %s:", (unsigned long long)r->targets,
            summary_plural(r->targets, "domain", "domains"));
    for (int g = 0; g < REPORT_GRADES - 1; g++)
        fprintf(stderr, " %s=%llu", report_grade_names[g], (unsigned long long)r->grades[g]);
    fputs(" (docs/grades.md)\n", stderr);
}

static int write_report(struct job_state *s)
{
    const struct rollup_job *j = s->j;
    struct buf page = {0};
    struct report_meta meta = {j->inputs, j->ninputs, (int64_t)time(NULL), usage_version_string()};
    if (report_html(&s->report, &meta, &page) != 0) {
        buf_free(&page);
        return fail(j, j->report, "out of memory");
    }
    struct outfile f;
    int rc = open_beside(j, &f, j->report);
    if (rc == 0) {
        int err = fwrite(page.data, 1, page.len, f.f) != page.len ? errno : 0;
        rc = close_into(j, &f, err ? 2 : 0);
        if (err) rc = fail(j, j->report, strerror(err));
    }
    buf_free(&page);
    return rc;
}

static int write_metrics(struct job_state *s)
{
    const struct rollup_job *j = s->j;
    struct outfile f;
    int rc = open_beside(j, &f, j->metrics);
    if (rc != 0) return rc;
    struct metrics_run run = j->run;
    run.version = usage_version_string();
    int err = metrics_write(s->metrics, &s->report, &run, f.f);
    rc = close_into(j, &f, err ? 2 : 0);
    return err ? fail(j, j->metrics, strerror(err)) : rc;
}

int rollup_job_run(const struct rollup_job *j)
{
    struct job_state s = {.j = j};
    /* --metrics: whether FILE may be replaced was judged before the scan (run.c). */
    if (check_output(j, j->rollup) || check_output(j, j->report) || check_output(j, j->metrics)) return 2;
    if (j->metrics && !(s.metrics = metrics_new(j->metrics_aggregate)))
        return fail(j, j->metrics, strerror(errno));
    if (report_init(&s.report, j->expiring_within) != 0) {
        metrics_free(s.metrics);
        return fail(j, "report", "out of memory");
    }
    int rc = j->rollup ? open_beside(j, &s.rollup, j->rollup) : 0;
    if (rc == 0 && s.rollup.f &&
        (rollup_csv_header(&s.line) != 0 || fwrite(s.line.data, 1, s.line.len, s.rollup.f) != s.line.len))
        rc = fail(j, j->rollup, "writing failed");
    struct rollup_reader reader = {j->inputs, j->ninputs, prefix(j), on_target, &s};
    uint64_t rows = 0;
    if (rc == 0) rc = rollup_read(&reader, &rows);
    if (rc == 0 && s.write_error) rc = fail(j, j->rollup, strerror(s.write_error));
    if (s.rollup.f) rc = close_into(j, &s.rollup, rc);
    if (rc == 0 && j->report) rc = write_report(&s);
    if (rc == 0 && j->metrics) rc = write_metrics(&s);
    if (rc == 0 && !j->quiet) grade_line(&s.report);
    buf_free(&s.line);
    report_free(&s.report);
    metrics_free(s.metrics);
    return rc;
}

/* report --expiring-within D: its default and the command line's, alike. */
static int expiring_within(struct rollup_job *j, const char *arg)
{
    return parse_count("--expiring-within", arg, 0, 100000, &j->expiring_within);
}

/* The table's defaults (the report's list of certificates: rollup keeps
 * the same number, unused). */
static void set_default(void *arg, int id, const char *def)
{
    if (id == OPT_REPORT_EXPIRING && expiring_within(arg, def) != 0) abort();
}

/* The subcommands' shared command line: INPUT... -o OUT. */
static int parse(int argc, char **argv, struct rollup_job *j, const char **out, bool report)
{
    unsigned cmd = report ? CMD_REPORT : CMD_ROLLUP;
    const char *shorts;
    const struct option *opts = optable_getopt(cmd, &shorts);
    int ch;
    optable_each_default(CMD_REPORT, set_default, j);
    optind = 1;
    while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        switch (optable_id(ch, cmd)) {
        case OPT_ROLLUP_OUTPUT:
        case OPT_REPORT_OUTPUT: *out = optarg; break;
        case OPT_ROLLUP_OVERWRITE: j->overwrite = true; break;
        case OPT_REPORT_EXPIRING:
            if (expiring_within(j, optarg) != 0) return 2;
            break;
        case OPT_ROLLUP_QUIET: j->quiet = true; break;
        case OPT_TOOL_HELP: usage_print_rollup(stdout, report); return 1;
        default: goto usage;
        }
    }
    j->inputs = (const char *const *)argv + optind;
    j->ninputs = argc - optind;
    if (j->ninputs < 1 || !*out) {
        fprintf(stderr, "starttls-scan %s: %s (starttls-scan %s -o OUT FILE...)\n", j->who,
                j->ninputs < 1 ? "no input file" : "-o FILE is needed", j->who);
        return 2;
    }
    return 0;
usage:
    fprintf(stderr, "Try 'starttls-scan %s --help'.\n", j->who);
    return 2;
}

int rollup_main(int argc, char **argv)
{
    struct rollup_job j = {.who = "rollup"};
    int rc = parse(argc, argv, &j, &j.rollup, false);
    return rc ? (rc == 1 ? 0 : rc) : rollup_job_run(&j);
}

int report_main(int argc, char **argv)
{
    struct rollup_job j = {.who = "report"};
    int rc = parse(argc, argv, &j, &j.report, true);
    return rc ? (rc == 1 ? 0 : rc) : rollup_job_run(&j);
}
