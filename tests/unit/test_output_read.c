/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files read back: CSV and JSONL rows into cells, resume keys, and
 * the line reader's errors. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "output/rows/csv.h"
#include "output/rows/jsonl.h"
#include "output/rows/rowcells.h"
#include "scanner/input/feeder.h"
#include "scanner/input/linereader.h"
#include "scanner/result/row.h"
#include "tests/unit/test.h"

static void hostile_row(struct row *row, struct probe_result *r)
{
    probe_result_init(r);
    r->status = ST_OK;
    r->starttls = TRI_YES;
    r->chain_valid = TRI_NO;
    r->scanned_at = 1767225600;
    r->cert.present = true;
    r->cert.dates_valid = true;
    r->cert.not_before = 1735689600;
    r->cert.not_after = 1767225600 + 86400 * 3;
    snprintf(r->cert.sha256, sizeof r->cert.sha256, "%s", "ab12");
    snprintf(r->cipher, sizeof r->cipher, "%s", "TLS_AES_256_GCM_SHA384");
    r->attempts = 2;
    text_set(&r->banner, "220 a,\"b\"\x00=\\c\r\n", 15);
    memset(row, 0, sizeof *row);
    text_set_str(&row->domain, "=cmd|' /C calc'!A0");
    row->mx_host = "mx.example";
    row->mx_pref = 10;
    row->ip = "192.0.2.1";
    row->port = 25;
    row->protocol = "smtp";
    row->result = r;
}

static void read_back(const struct output_format *f)
{
    struct row row, back;
    struct probe_result r, rb;
    struct buf line = {0}, cell = {0}, k1 = {0}, k2 = {0};
    struct row_cells cells = {0};
    hostile_row(&row, &r);
    ASSERT_EQ(f->row(&line, &row), 0);
    ASSERT(line.len > 2 && line.data[line.len - 1] == '\n');
    size_t len = line.len - 1 - (line.data[line.len - 2] == '\r');
    ASSERT_EQ(f->read_row(line.data, len, &cells), 0);
    row_from_cells(&cells, &back, &rb);
    ASSERT_EQ(rb.status, ST_OK);
    ASSERT_EQ(rb.starttls, TRI_YES);
    ASSERT_EQ(rb.chain_valid, TRI_NO);
    ASSERT_EQ(rb.scanned_at, r.scanned_at);
    ASSERT_EQ(rb.cert.not_after, r.cert.not_after);
    ASSERT(rb.cert.present && rb.cert.dates_valid);
    ASSERT_EQ(rb.attempts, 2);
    ASSERT_EQ(back.port, 25);
    ASSERT_EQ(back.mx_pref, 10);
    ASSERT_STR_EQ(back.protocol, "smtp");
    ASSERT_STR_EQ(rb.cipher, "TLS_AES_256_GCM_SHA384");
    /* The key read back is the key the feeder makes for the same target. */
    ASSERT_EQ(f->domain_cell(&cell, row.domain.p, row.domain.len), 0);
    ASSERT_EQ(row_key(&k1, cell.data, cell.len, 25, "smtp"), 0);
    ASSERT_EQ(row_key(&k2, cells.v[COL_DOMAIN].data, cells.v[COL_DOMAIN].len, back.port, back.protocol), 0);
    ASSERT_EQ(k1.len, k2.len);
    ASSERT(memcmp(k1.data, k2.data, k1.len) == 0);
    /* Not rows: cut lines, other formats' lines. */
    ASSERT_EQ(f->read_row(line.data, len / 2, &cells), -1);
    ASSERT_EQ(f->read_row("", 0, &cells), -1);
    probe_result_free(&rb);
    probe_result_free(&r);
    text_free(&row.domain);
    row_cells_free(&cells);
    buf_free(&line);
    buf_free(&cell);
    buf_free(&k1);
    buf_free(&k2);
}

TEST_IMPL(output_rows_read_back)
{
    read_back(&csv_format);
    read_back(&jsonl_format);
    struct row_cells cells = {0};
    /* A CSV line of the other format, or of too few columns, is no row. */
    ASSERT_EQ(csv_read_row("{\"domain\":\"x\"}", 14, &cells), -1);
    ASSERT_EQ(csv_read_row("a,b,c", 5, &cells), -1);
    ASSERT_EQ(jsonl_read_row("a,b,c", 5, &cells), -1);
    ASSERT_EQ(jsonl_read_row("{\"domain\":\"x\",\"cert_san\":[\"a\",\"b\"],\"port\":25}", 46, &cells), 0);
    ASSERT_STR_EQ(cells.v[COL_CERT_SAN].data, "a b");
    ASSERT_STR_EQ(cells.v[COL_PORT].data, "25");
    row_cells_free(&cells);
}

TEST_IMPL(output_keys_whole_target)
{
    /* host:25 and host:587 are two targets; so are smtp and submission. */
    struct buf a = {0}, b = {0};
    row_key(&a, "host", 4, 25, "smtp");
    row_key(&b, "host", 4, 587, "smtp");
    ASSERT(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
    row_key(&b, "host", 4, 25, "submission");
    ASSERT(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
    row_key(&b, "host", 4, 25, "smtp");
    ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    buf_free(&a);
    buf_free(&b);
}

static int reads_before_error;

static ssize_t failing_read(int fd, void *buf, size_t len)
{
    (void)fd;
    if (reads_before_error-- <= 0) {
        errno = EIO;
        return -1;
    }
    const char text[] = "one.example\ntwo.example\n";
    size_t n = sizeof text - 1 < len ? sizeof text - 1 : len;
    memcpy(buf, text, n);
    return (ssize_t)n;
}

TEST_IMPL(linereader_errors_are_errors)
{
    int fd = open("/dev/zero", O_RDONLY); /* always readable for poll */
    ASSERT(fd >= 0);
    struct line_reader *r = calloc(1, sizeof *r);
    reads_before_error = 1;
    ASSERT_EQ(line_reader_init(r, fd, failing_read), 0);
    size_t n;
    bool cut;
    ASSERT_EQ(line_reader_next(r, &n, &cut), LINE_OK);
    ASSERT_STR_EQ(r->line, "one.example");
    ASSERT_EQ(line_reader_next(r, &n, &cut), LINE_OK);
    ASSERT_EQ(line_reader_next(r, &n, &cut), LINE_ERROR);
    ASSERT_EQ(r->error, EIO);
    line_reader_free(r);
    free(r);
    close(fd);
}

TEST_IMPL(linereader_cancel_wakes_a_blocked_reader)
{
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    struct line_reader *r = calloc(1, sizeof *r);
    ASSERT_EQ(line_reader_init(r, p[0], NULL), 0);
    ASSERT_EQ(write(p[1], "a.example\nhalf", 14), 14);
    size_t n;
    bool cut;
    ASSERT_EQ(line_reader_next(r, &n, &cut), LINE_OK);
    line_reader_cancel(r); /* the writer stays open: without the cancel, it would block */
    ASSERT_EQ(line_reader_next(r, &n, &cut), LINE_CANCELLED);
    line_reader_free(r);
    free(r);
    close(p[0]);
    close(p[1]);
}

static int wakes;
static void count_wake(void *arg)
{
    (void)arg;
    wakes++;
}

static int identity_cell(struct buf *out, const char *p, size_t len)
{
    return buf_append(out, p, len);
}

TEST_IMPL(feeder_reports_read_errors)
{
    int fd = open("/dev/zero", O_RDONLY);
    reads_before_error = 1;
    struct feeder_config fc = {.fd = fd, .mx_mode = true, .default_port = 25, .protocol = "smtp",
                               .domain_cell = identity_cell, .wake = count_wake, .read = failing_read};
    struct feeder *f = feeder_start(&fc);
    ASSERT(f != NULL);
    struct feed_item item;
    int got = 0, rc;
    for (int spins = 0; spins < 2000 && (rc = feeder_pop(f, &item)) != -1; spins++) {
        if (rc == 1) {
            got++;
            ASSERT_EQ(item.target.port, 25); /* the default is filled in */
            text_free(&item.raw);
        } else {
            usleep(1000);
        }
    }
    struct feeder_stats st;
    feeder_join(f, &st);
    /* The first pass meets the error: nothing is scanned from a broken input. */
    ASSERT_EQ(got, 0);
    ASSERT_EQ(st.read_error, EIO);
    ASSERT(st.first_pass_failed);
    close(fd);
}

/* Every item a feeder gives out, its names joined by spaces. */
static int drain(struct feeder *f, struct buf *names)
{
    struct feed_item item;
    int got = 0, rc;
    for (int idle = 0; idle < 20000 && (rc = feeder_pop(f, &item)) != -1;) {
        if (rc != 1) {
            usleep(1000);
            idle++;
            continue;
        }
        got++;
        buf_printf(names, "%s%s", names->len ? " " : "", item.kind == TP_OK ? item.target.name : item.raw.p);
        text_free(&item.raw);
        feeder_done(f);
    }
    return got;
}

static void pipe_in(int fds[2], const char *text)
{
    ASSERT_EQ(pipe(fds), 0);
    ASSERT_EQ(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
}

TEST_IMPL(feeder_skips_duplicates_and_resumed_in_two_passes)
{
    int fds[2];
    pipe_in(fds, "\xEF\xBB\xBF" "a.example\nb.example\nA.example.\na.example:25\nc.example\n"
                 "bad line!\n# a comment\n\nbad line!\nd.example\nb.example:26\n");
    FILE *done = tmpfile();
    struct buf key = {0};
    ASSERT_EQ(row_key(&key, "c.example", 9, 25, "smtp"), 0);
    fprintf(done, "%s\n", key.data);
    ASSERT_EQ(row_key(&key, "bad line!", 9, 0, "smtp"), 0);
    fprintf(done, "%s\n", key.data);
    rewind(done);
    struct feeder_config fc = {.fd = fds[0], .mx_mode = false, .default_port = 25, .protocol = "smtp",
                               .domain_cell = identity_cell, .wake = count_wake, .done_keys = done};
    struct feeder *f = feeder_start(&fc);
    ASSERT(f != NULL);
    struct buf names = {0};
    int got = drain(f, &names);
    struct feeder_stats st;
    feeder_join(f, &st);
    ASSERT_EQ(got, 4);
    ASSERT_STR_EQ(names.data, "a.example b.example d.example b.example"); /* input order */
    ASSERT_EQ(st.duplicates, 2); /* A.example. and a.example:25 */
    ASSERT_EQ(st.resumed, 3);    /* c.example and both bad lines */
    ASSERT_EQ(st.targets, 4);
    ASSERT_EQ(st.lines, 11);
    ASSERT_EQ(st.read_error, 0);
    fclose(done);
    close(fds[0]);
    buf_free(&key);
    buf_free(&names);
}

TEST_IMPL(feeder_many_lines_from_a_file)
{
    char path[] = "/tmp/sts-feeder-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    unlink(path);
    FILE *w = fdopen(dup(fd), "w");
    for (int i = 0; i < 50000; i++) fprintf(w, "h%d.example\n", i % 10 == 9 ? i - 9 : i);
    fclose(w);
    ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
    struct feeder_config fc = {.fd = fd, .mx_mode = false, .default_port = 25, .protocol = "smtp",
                               .domain_cell = identity_cell, .wake = count_wake};
    struct feeder *f = feeder_start(&fc);
    ASSERT(f != NULL);
    struct buf names = {0};
    int got = drain(f, &names);
    struct feeder_stats st;
    feeder_join(f, &st);
    ASSERT_EQ(got, 45000);
    ASSERT_EQ(st.duplicates, 5000);
    ASSERT_EQ(st.lines, 50000);
    close(fd);
    buf_free(&names);
}

/* --shard K/N: over all K, every target exactly once, duplicates and
 * invalid lines each in one shard. */
TEST_IMPL(feeder_shards_partition_the_input)
{
    char path[] = "/tmp/sts-shard-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    unlink(path);
    FILE *w = fdopen(dup(fd), "w");
    for (int i = 0; i < 20000; i++) fprintf(w, "H%d.example%s\n", i % 5 == 4 ? i - 4 : i, i % 5 == 4 ? "." : "");
    for (int i = 0; i < 30; i++) fprintf(w, "bad..%d\n", i);
    fclose(w);
    uint64_t targets = 0, dups = 0, invalid = 0, other = 0;
    struct buf all = {0};
    for (unsigned k = 0; k < 4; k++) {
        ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
        struct feeder_config fc = {.fd = fd, .mx_mode = false, .default_port = 25, .protocol = "smtp",
                                   .domain_cell = identity_cell, .wake = count_wake,
                                   .shard = {.k = k, .n = 4}};
        struct feeder *f = feeder_start(&fc);
        ASSERT(f != NULL);
        struct buf names = {0};
        drain(f, &names);
        struct feeder_stats st;
        feeder_join(f, &st);
        ASSERT(st.shard.k == k && st.shard.n == 4);
        ASSERT(st.targets > 3000 && st.targets < 5000); /* about a quarter of 16,000 */
        targets += st.targets;
        dups += st.duplicates;
        invalid += st.invalid;
        other += st.other_shard;
        buf_printf(&all, "%s%s", all.len ? " " : "", names.data ? names.data : "");
        buf_free(&names);
    }
    close(fd);
    ASSERT_EQ(targets, 16000);
    ASSERT_EQ(dups, 4000);
    ASSERT_EQ(invalid, 30);
    ASSERT_EQ(other, 3 * 20030);
    /* The union, each name once. */
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(all.data, " ", &save); t; t = strtok_r(NULL, " ", &save)) n++;
    ASSERT_EQ(n, 16030);
    buf_free(&all);
}
