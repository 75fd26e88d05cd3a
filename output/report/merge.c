/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/rows/formats.h"
#include "output/files/outfile.h"
#include "scanner/base/lines.h"
#include "output/rows/rowcells.h"
#include "scanner/base/buf.h"
#include "scanner/base/extsort.h"

struct shard_file {
    const char *path;
    FILE *f;
    long header; /* bytes of header before the first row */
    uint64_t rows;
};

/* One row of a target's group in the sorted keys. */
struct entry {
    int file;
    int64_t stamp;
    uint64_t line;
};

struct merger {
    const struct merge_options *o;
    struct merge_stats *st;
    struct shard_file *files;
    struct extsort keys;  /* "KEY\tFILE\tSTAMP\tLINE", key then file order */
    struct extsort drops; /* "FILE\tLINE" of the rows left out, in file order */
    struct row_cells cells;
    struct buf key;
    char *line;
    size_t cap;
};

static const char *who = "merge"; /* the command, for its messages */

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "starttls-scan %s: %s%s%s\n", who, what, path ? ": " : "", path ? path : "");
    return 2;
}

/* The format a shard's first bytes say it is in; its header consumed. */
static int open_shard(struct merger *m, int i)
{
    struct shard_file *s = &m->files[i];
    s->path = m->o->inputs[i];
    if (!(s->f = fopen(s->path, "r"))) return fail(strerror(errno), s->path);
    char head[65536];
    size_t n = fread(head, 1, sizeof head, s->f);
    if (ferror(s->f)) return fail(strerror(errno), s->path);
    if (n == 0) return 0; /* an empty shard: a task that had no target */
    const struct output_format *fmt = NULL;
    for (int k = 0; output_formats[k] && !fmt; k++)
        if ((s->header = output_formats[k]->header_len(head, n)) >= 0) fmt = output_formats[k];
    if (!fmt) return fail("not a file of starttls-scan's (another version's header, or another "
                          "program's file?); refusing to merge it", s->path);
    if (m->st->format && m->st->format != fmt) {
        char why[300];
        snprintf(why, sizeof why, "its format is %s, the shards before it are %s; refusing to mix them",
                 fmt->name, m->st->format->name);
        return fail(why, s->path);
    }
    m->st->format = fmt;
    if (fseek(s->f, s->header, SEEK_SET) != 0) return fail(strerror(errno), s->path);
    return 0;
}

/* The next whole line of a shard (a partial last line is counted and left
 * out); its length, 0 at the end, -1 on a read error, a line past
 * ROW_LINE_MAX or no memory (reported, naming the line). */
static ssize_t next_line(struct merger *m, struct shard_file *s, uint64_t lineno, bool count_partial)
{
    if (!s->f) return 0;
    ssize_t n = line_read(s->f, &m->line, &m->cap, ROW_LINE_MAX);
    if (n < 0) {
        char why[160];
        if (n == LINE_TOO_LONG)
            snprintf(why, sizeof why, "row %" PRIu64 " is longer than %u bytes: not a row of ours", lineno,
                     ROW_LINE_MAX);
        else
            snprintf(why, sizeof why, "row %" PRIu64 ": %s", lineno, strerror(errno));
        fail(why, s->path);
        return -1;
    }
    if (n == 0) return 0;
    if (m->line[n - 1] != '\n') {
        if (count_partial) m->st->partial_lines++;
        return 0;
    }
    return n;
}

/* A line of a shard as a row: its target's key and its scan time. */
static int parse_row(struct merger *m, const struct shard_file *s, uint64_t lineno, size_t n,
                     struct row *row, struct probe_result *r)
{
    size_t len = n - 1;
    if (len > 0 && m->line[len - 1] == '\r') len--;
    if (m->st->format->read_row(m->line, len, &m->cells) != 0) {
        char why[128];
        snprintf(why, sizeof why, "row %" PRIu64 " is not a row of ours", lineno);
        return fail(why, s->path);
    }
    row_from_cells(&m->cells, row, r);
    const struct buf *d = &m->cells.v[COL_DOMAIN];
    row_key(&m->key, d->data ? d->data : "", d->len, row_key_port(row), row->protocol);
    return 0;
}

/* Pass 1: every row's key, file, time and line to the key sort. */
static int keys_pass(struct merger *m)
{
    for (int i = 0; i < m->o->ninputs; i++) {
        struct shard_file *s = &m->files[i];
        ssize_t n;
        while ((n = next_line(m, s, s->rows + 1, true)) > 0) {
            struct row row;
            struct probe_result r;
            if (parse_row(m, s, s->rows + 1, (size_t)n, &row, &r) != 0) return 2;
            s->rows++;
            m->st->rows_in++;
            int64_t stamp = r.scanned_at;
            probe_result_free(&r);
            if (fwrite(m->key.data ? m->key.data : "", 1, m->key.len, m->keys.in) != m->key.len ||
                fprintf(m->keys.in, "\t%d\t%" PRId64 "\t%" PRIu64 "\n", i, stamp, s->rows) < 0)
                return fail("sort(1) stopped taking keys (is TMPDIR full?)", NULL);
        }
        if (n < 0) return 2;
        if (s->rows == 0) m->st->files_empty++;
    }
    return extsort_close_input(&m->keys) == 0 ? 0 : fail("sort(1) failed", NULL);
}

/* One target's rows from the sorted keys: the copy in the file with the
 * newest row wins (a tie: the file named later); the others' rows go to
 * the drop list. */
static int settle(struct merger *m, const struct entry *e, size_t n)
{
    int best = e[0].file;
    int64_t best_stamp = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (e[i].stamp > best_stamp || (e[i].stamp == best_stamp && e[i].file > best)) {
            best = e[i].file;
            best_stamp = e[i].stamp;
        }
    }
    m->st->targets++;
    int last_dropped = -1;
    for (size_t i = 0; i < n; i++) {
        if (e[i].file == best) continue;
        if (e[i].file != last_dropped) m->st->copies_dropped++;
        last_dropped = e[i].file;
        m->st->rows_dropped++;
        if (fprintf(m->drops.in, "%d\t%" PRIu64 "\n", e[i].file, e[i].line) < 0) return -1;
    }
    return 0;
}

/* The sorted keys, a target at a time. */
static int choose(struct merger *m)
{
    struct buf cur = {0};
    struct entry *group = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    ssize_t len = 0;
    /* The keys come from rows within ROW_LINE_MAX, and sort(1)'s fields after them. */
    while (rc == 0 && (len = line_read(m->keys.out, &m->line, &m->cap, ROW_LINE_MAX + 128)) > 0) {
        char *tabs[3], *p = m->line + len;
        for (int t = 2; t >= 0; t--) {
            while (p > m->line && *--p != '\t') {
            }
            tabs[t] = p;
        }
        if (tabs[0] == m->line && *tabs[0] != '\t') {
            rc = -1;
            break;
        }
        size_t klen = (size_t)(tabs[0] - m->line);
        if (cur.len != klen || memcmp(cur.data ? cur.data : "", m->line, klen) != 0) {
            if (n && settle(m, group, n) != 0) rc = -1;
            n = 0;
            buf_reset(&cur);
            if (buf_append(&cur, m->line, klen) != 0) {
                rc = -1;
                break;
            }
        }
        if (n == cap) {
            struct entry *more = realloc(group, (cap ? 2 * cap : 16) * sizeof *group);
            if (!more) {
                rc = -1;
                break;
            }
            group = more;
            cap = cap ? 2 * cap : 16;
        }
        group[n++] = (struct entry){atoi(tabs[0] + 1), strtoll(tabs[1] + 1, NULL, 10),
                                    strtoull(tabs[2] + 1, NULL, 10)};
    }
    if (rc == 0 && len < 0) rc = -1; /* a read error, no memory: never a short merge */
    if (rc == 0 && n && settle(m, group, n) != 0) rc = -1;
    free(group);
    buf_free(&cur);
    if (extsort_end(&m->keys, rc != 0) != 0) rc = -1;
    if (extsort_close_input(&m->drops) != 0) rc = -1;
    return rc == 0 ? 0 : fail("sorting the keys failed (is TMPDIR full?)", NULL);
}

/* The next row to leave out, in file order. */
static void next_drop(struct merger *m, int *file, uint64_t *line)
{
    char text[64];
    *file = -1;
    *line = 0;
    if (m->drops.out && fgets(text, sizeof text, m->drops.out)) {
        char *tab = strchr(text, '\t');
        *file = atoi(text);
        *line = tab ? strtoull(tab + 1, NULL, 10) : 0;
    }
}

/* Pass 2: the header once, then every shard's rows but the dropped ones. */
static int write_pass(struct merger *m, FILE *out)
{
    struct buf header = {0};
    if (!m->st->format) return 0; /* every shard empty (JSON Lines without a row): so is the merge */
    if (m->st->format->header && m->st->format->header(&header) != 0) return fail("out of memory", NULL);
    int rc = !out || fwrite(header.data ? header.data : "", 1, header.len, out) == header.len ? 0 : 2;
    buf_free(&header);
    int dfile = -1;
    uint64_t dline = 0;
    next_drop(m, &dfile, &dline);
    for (int i = 0; rc == 0 && i < m->o->ninputs; i++) {
        struct shard_file *s = &m->files[i];
        if (!s->f || fseek(s->f, s->header, SEEK_SET) != 0) continue;
        ssize_t n;
        for (uint64_t lineno = 1; rc == 0 && (n = next_line(m, s, lineno, false)) > 0; lineno++) {
            if (dfile == i && dline == lineno) {
                next_drop(m, &dfile, &dline);
                continue;
            }
            struct row row;
            struct probe_result r;
            if (parse_row(m, s, lineno, (size_t)n, &row, &r) != 0) return 2;
            if (m->o->on_row) m->o->on_row(m->o->arg, &row);
            probe_result_free(&r);
            m->st->rows_out++;
            if (out && fwrite(m->line, 1, (size_t)n, out) != (size_t)n) rc = 2;
        }
        if (n < 0) rc = 2;
    }
    return rc;
}

/* The output may be written: not a shard, not a non-empty file unless
 * --overwrite. */
static int check_output(const struct merge_options *o)
{
    switch (outfile_check(o->output, o->inputs, o->ninputs, o->overwrite)) {
    case OUTFILE_IS_INPUT: return fail("the output is one of the shards", o->output);
    case OUTFILE_NOT_EMPTY: return fail("the output is not empty (--overwrite replaces it)", o->output);
    default: return 0;
    }
}

/* Standard output, or a temporary file beside the output (output/files/outfile.h). */
static FILE *open_output(const struct merge_options *o, struct outfile *file)
{
    int err = outfile_open(file, o->output, "merging");
    if (err) fail(strerror(err), o->output);
    return err ? NULL : file->f;
}

static int finish_output(const struct merge_options *o, struct outfile *file, int rc)
{
    char why[256];
    if (outfile_finish(file, rc == 0, why, sizeof why) != 0 && rc == 0) return fail(why, o->output);
    return rc;
}

int merge_run(const struct merge_options *o, struct merge_stats *st)
{
    static const char *const key_order[] = {"--key=1,1", "--key=2,2n", NULL};
    static const char *const drop_order[] = {"--key=1,1n", "--key=2,2n", NULL};
    memset(st, 0, sizeof *st);
    who = o->who ? o->who : "merge";
    struct merger m = {.o = o, .st = st};
    int rc = check_output(o);
    if (rc == 0 && !(m.files = calloc((size_t)o->ninputs, sizeof *m.files))) rc = fail("out of memory", NULL);
    for (int i = 0; rc == 0 && i < o->ninputs; i++) rc = open_shard(&m, i);
    if (rc == 0 && (extsort_start(&m.keys, key_order, "--buffer-size=32M") != 0 ||
                    extsort_start(&m.drops, drop_order, "--buffer-size=16M") != 0))
        rc = fail("cannot run sort(1)", strerror(errno));
    if (rc == 0) rc = keys_pass(&m);
    if (rc == 0 && choose(&m) != 0) rc = 2;
    struct outfile file = {0};
    FILE *out = rc == 0 && o->output ? open_output(o, &file) : NULL;
    if (rc == 0 && o->output && !out) rc = 2;
    if (rc == 0) rc = write_pass(&m, out);
    if (out) rc = finish_output(o, &file, rc);
    if (m.keys.pid) extsort_end(&m.keys, true);
    if (m.drops.pid) extsort_end(&m.drops, rc != 0);
    for (int i = 0; m.files && i < o->ninputs; i++)
        if (m.files[i].f) fclose(m.files[i].f);
    free(m.files);
    free(m.line);
    buf_free(&m.key);
    row_cells_free(&m.cells);
    return rc;
}
