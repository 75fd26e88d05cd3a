/* SPDX-License-Identifier: GPL-2.0-or-later */
/* starttls-scan merge: the command line of output/report/merge.c, and the summary
 * of the merged rows. */
#include "scanner/cli/merge_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "output/rows/format.h"
#include "output/report/merge.h"
#include "output/live/summary.h"
#include "scanner/cli/config.h"
#include "scanner/cli/optable.h"
#include "scanner/cli/provenance.h"
#include "scanner/cli/usage.h"
#include "scanner/input/feeder.h"

struct merge_cli {
    struct merge_options m;
    const char *summary_file;
    long expiring_within;
    bool quiet;
};

static void count_row(void *arg, const struct row *row)
{
    summary_count_read(arg, row);
}

static int parse(int argc, char **argv, struct merge_cli *c)
{
    const char *shorts;
    const struct option *opts = optable_getopt(CMD_MERGE, &shorts);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        switch (optable_id(ch, CMD_MERGE)) {
        case OPT_MERGE_OUTPUT: c->m.output = optarg; break;
        case OPT_MERGE_OVERWRITE: c->m.overwrite = true; break;
        case OPT_MERGE_SUMMARY: c->summary_file = optarg; break;
        case OPT_MERGE_EXPIRING:
            if (parse_count("--expiring-within", optarg, 0, 100000, &c->expiring_within)) return 2;
            break;
        case OPT_MERGE_QUIET: c->quiet = true; break;
        case OPT_TOOL_HELP: usage_print_merge(stdout); return 1;
        default: fputs("Try 'starttls-scan merge --help'.\n", stderr); return 2;
        }
    }
    c->m.inputs = (const char *const *)argv + optind;
    c->m.ninputs = argc - optind;
    if (c->m.ninputs < 1) {
        fputs("starttls-scan merge: no shard files (starttls-scan merge -o OUT SHARD...)\n", stderr);
        return 2;
    }
    return 0;
}

/* --summary FILE, made before the merge so that a bad path stops it early. */
static int open_summary(const struct merge_cli *c)
{
    if (!c->summary_file) return -1;
    int fd = open(c->summary_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    struct stat st;
    if (fd < 0) {
        fprintf(stderr, "starttls-scan merge: --summary %s: %s\n", c->summary_file, strerror(errno));
        return -2;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && !c->m.overwrite) {
        fprintf(stderr, "starttls-scan merge: --summary %s is not empty (--overwrite replaces it)\n",
                c->summary_file);
        close(fd);
        return -2;
    }
    return fd;
}

static void report(const struct merge_cli *c, const struct merge_stats *st, struct summary *s)
{
    fprintf(stderr, "starttls-scan merge: %d shard %s (%llu without a row) -> %llu %s of %llu %s in %s",
            c->m.ninputs, summary_plural((uint64_t)c->m.ninputs, "file", "files"),
            (unsigned long long)st->files_empty, (unsigned long long)st->rows_out,
            summary_plural(st->rows_out, "row", "rows"), (unsigned long long)st->targets,
            summary_plural(st->targets, "target", "targets"), strcmp(c->m.output, "-") ? c->m.output : "stdout");
    if (st->copies_dropped)
        fprintf(stderr, "; %llu older %s of a target (a rerun task) left out, %llu %s",
                (unsigned long long)st->copies_dropped, summary_plural(st->copies_dropped, "copy", "copies"),
                (unsigned long long)st->rows_dropped, summary_plural(st->rows_dropped, "row", "rows"));
    fputc('\n', stderr);
    if (st->partial_lines)
        fprintf(stderr, "starttls-scan merge: %llu partial last %s (a task killed while writing) left "
                        "out: rerun those tasks with --resume\n",
                (unsigned long long)st->partial_lines, summary_plural(st->partial_lines, "line", "lines"));
    summary_print_body(s, stderr);
}

int merge_main(int argc, char **argv)
{
    struct merge_cli c = {.m = {.output = "-"}, .expiring_within = -1};
    int rc = parse(argc, argv, &c);
    if (rc) return rc == 1 ? 0 : rc;
    int fd = open_summary(&c);
    if (fd == -2) return 2;
    struct summary s;
    if (summary_init(&s, c.expiring_within) != 0) return 2;
    c.m.on_row = count_row;
    c.m.arg = &s;
    uint64_t t0 = uv_hrtime();
    int64_t started = (int64_t)time(NULL);
    struct merge_stats st;
    rc = merge_run(&c.m, &st);
    double seconds = (double)(uv_hrtime() - t0) / 1e9;
    if (rc == 0 && !c.quiet) report(&c, &st, &s);
    if (rc == 0 && fd >= 0) {
        struct feeder_stats in = {.targets = st.targets, .duplicates = st.copies_dropped};
        /* merge knows its own run: the shards' summaries say theirs. */
        struct run_provenance run;
        provenance_basic(&run, started);
        struct summary_context ctx = {.run = &run};
        if (summary_write_json(&s, &in, &ctx, seconds, fd, c.summary_file) != 0) rc = 2;
    }
    if (fd >= 0) close(fd);
    if (rc == 0 && c.expiring_within >= 0 && s.expiring_total > 0) rc = 3;
    summary_free(&s);
    return rc;
}
