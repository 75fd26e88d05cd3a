/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/prepass.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scanner/base/buf.h"

extern char **environ;

/* One sort(1) with a pipe to its input and one from its output. */
struct sorter {
    pid_t pid;
    FILE *in, *out;
};

struct prepass {
    struct sorter keys;  /* "KEY\tKIND\tLINE": key order, the output's first */
    struct sorter skips; /* "LINE\tWHY": line order */
    uint64_t next_line;  /* the next line to skip, UINT64_MAX: none left */
    int next_why;
    bool failed;
};

static void report(const char *what)
{
    fprintf(stderr, "starttls-scan: the input's first pass: %s: %s\n", what, strerror(errno ? errno : EIO));
}

/* sort(1) in C collation, at most `mem` of memory, spilling to TMPDIR. */
static int sorter_start(struct sorter *s, const char *const *keys, const char *mem)
{
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0) return -1;
    if (pipe2(from, O_CLOEXEC) != 0) {
        close(to[0]);
        close(to[1]);
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    char tflag[4096];
    snprintf(tflag, sizeof tflag, "--temporary-directory=%s", tmp && *tmp ? tmp : "/tmp");
    char *argv[12];
    int n = 0;
    argv[n++] = "sort";
    argv[n++] = "--field-separator=\t";
    for (int i = 0; keys[i]; i++) argv[n++] = (char *)keys[i];
    argv[n++] = (char *)mem;
    argv[n++] = tflag;
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    /* The C collation: bytes compare as bytes. */
    char *envp[64];
    int ne = 0;
    for (char **e = environ; *e && ne < 62; e++)
        if (strncmp(*e, "LC_", 3) != 0 && strncmp(*e, "LANG", 4) != 0) envp[ne++] = *e;
    envp[ne++] = "LC_ALL=C";
    envp[ne] = NULL;
    int rc = posix_spawnp(&s->pid, "sort", &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(to[0]);
    close(from[1]);
    if (rc != 0) {
        errno = rc;
        close(to[1]);
        close(from[0]);
        return -1;
    }
    s->in = fdopen(to[1], "w");
    s->out = fdopen(from[0], "r");
    return s->in && s->out ? 0 : -1;
}

/* Closes its pipes (a sort still writing then stops) and waits for it; 0
 * when it exited 0. kill_it: it is not wanted any more. */
static int sorter_end(struct sorter *s, bool kill_it)
{
    int status = 0, rc = 0;
    if (s->in && fclose(s->in) != 0) rc = -1;
    s->in = NULL;
    if (s->pid > 0 && kill_it) kill(s->pid, SIGTERM);
    if (s->out) fclose(s->out);
    s->out = NULL;
    if (s->pid > 0) {
        while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = -1;
        s->pid = 0;
    }
    return rc;
}

struct prepass *prepass_start(void)
{
    static const char *const key_order[] = {"--key=1,1", "--key=2,2n", "--key=3,3n", NULL};
    static const char *const line_order[] = {"--key=1,1n", NULL};
    struct prepass *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (sorter_start(&p->keys, key_order, "--buffer-size=32M") != 0 ||
        sorter_start(&p->skips, line_order, "--buffer-size=16M") != 0) {
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
    int rc = fclose(p->keys.in) == 0 ? 0 : -1;
    p->keys.in = NULL;
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
    if (sorter_end(&p->keys, false) != 0) rc = -1;
    if (fclose(p->skips.in) != 0) rc = -1;
    p->skips.in = NULL;
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
    if (p->keys.pid) sorter_end(&p->keys, true);
    if (p->skips.pid) sorter_end(&p->skips, early);
    free(p);
}
