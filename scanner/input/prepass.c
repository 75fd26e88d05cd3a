/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/prepass.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/base/buf.h"
#include "scanner/base/extsort.h"

struct prepass {
    struct extsort keys;  /* "KEY\tKIND\tLINE": key order, the output's first */
    struct extsort skips; /* "LINE\tWHY": line order */
    uint64_t next_line;   /* the next line to skip, UINT64_MAX: none left */
    int next_why;
    bool failed;
};

static void report(const char *what)
{
    fprintf(stderr, "starttls-scan: the input's first pass: %s: %s\n", what, strerror(errno ? errno : EIO));
}

struct prepass *prepass_start(void)
{
    static const char *const key_order[] = {"--key=1,1", "--key=2,2n", "--key=3,3n", NULL};
    static const char *const line_order[] = {"--key=1,1n", NULL};
    struct prepass *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (extsort_start(&p->keys, key_order, "--buffer-size=32M") != 0 ||
        extsort_start(&p->skips, line_order, "--buffer-size=16M") != 0) {
        report("cannot run sort(1)");
        prepass_free(p);
        return NULL;
    }
    return p;
}

int prepass_key(struct prepass *p, enum prepass_kind kind, const char *key, size_t len, uint64_t lineno)
{
    if (p->failed) return -1;
    if (fwrite(key, 1, len, p->keys.in) != len ||
        fprintf(p->keys.in, "\t%d\t%" PRIu64 "\n", (int)kind, lineno) < 0) {
        report("sort(1) stopped taking keys");
        p->failed = true;
        return -1;
    }
    return 0;
}

/* One line of the key sort's output, parsed in place. */
static int parse_sorted(char *line, size_t n, size_t *key_len, int *kind, uint64_t *lineno)
{
    if (n && line[n - 1] == '\n') line[--n] = '\0';
    char *tab2 = n ? memrchr(line, '\t', n) : NULL;
    if (!tab2 || tab2 == line) return -1;
    char *tab1 = memrchr(line, '\t', (size_t)(tab2 - line));
    if (!tab1) return -1;
    *key_len = (size_t)(tab1 - line);
    *kind = atoi(tab1 + 1);
    *lineno = strtoull(tab2 + 1, NULL, 10);
    return 0;
}

static int skip_out(struct prepass *p, uint64_t lineno, char why)
{
    return fprintf(p->skips.in, "%" PRIu64 "\t%c\n", lineno, why) < 0 ? -1 : 0;
}

int prepass_finish(struct prepass *p)
{
    if (p->failed) return -1;
    int rc = extsort_close_input(&p->keys);
    struct buf key = {0};
    bool done = false, seen = false;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (rc == 0 && (n = getline(&line, &cap, p->keys.out)) > 0) {
        size_t len;
        int kind;
        uint64_t lineno;
        if (parse_sorted(line, (size_t)n, &len, &kind, &lineno) != 0) {
            rc = -1;
            break;
        }
        if (key.len != len || (len && memcmp(key.data, line, len) != 0)) {
            buf_reset(&key);
            buf_append(&key, line, len);
            done = seen = false;
        }
        if (kind == PREPASS_DONE) done = true;
        else if (done) rc = skip_out(p, lineno, PREPASS_RESUMED);
        else if (kind == PREPASS_TARGET && seen) rc = skip_out(p, lineno, PREPASS_DUPLICATE);
        else if (kind == PREPASS_TARGET) seen = true;
    }
    free(line);
    buf_free(&key);
    if (extsort_end(&p->keys, false) != 0) rc = -1;
    if (extsort_close_input(&p->skips) != 0) rc = -1;
    if (rc != 0) {
        report("sorting the keys failed (is TMPDIR full?)");
        p->failed = true;
    }
    p->next_line = 0;
    return rc;
}

int prepass_skip(struct prepass *p, uint64_t lineno)
{
    while (p->next_line != UINT64_MAX && p->next_line < lineno) {
        char line[64];
        if (!p->skips.out || !fgets(line, sizeof line, p->skips.out)) {
            p->next_line = UINT64_MAX;
            break;
        }
        char *tab = strchr(line, '\t');
        p->next_line = strtoull(line, NULL, 10);
        p->next_why = tab ? tab[1] : 0;
    }
    return p->next_line == lineno ? p->next_why : 0;
}

void prepass_free(struct prepass *p)
{
    if (!p) return;
    bool early = p->next_line != UINT64_MAX; /* skips not all read: stop the sort */
    if (p->keys.pid) extsort_end(&p->keys, true);
    if (p->skips.pid) extsort_end(&p->skips, early);
    free(p);
}
