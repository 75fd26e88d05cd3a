/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/base/extsort.h"
#include "scanner/base/tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int extsort_start(struct extsort *s, const char *const *keys, const char *mem)
{
    memset(s, 0, sizeof *s);
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0) return -1;
    if (pipe2(from, O_CLOEXEC) != 0) {
        close(to[0]);
        close(to[1]);
        return -1;
    }
    char tflag[4096];
    snprintf(tflag, sizeof tflag, "--temporary-directory=%s", temp_dir());
    char *argv[16];
    int n = 0;
    argv[n++] = "sort";
    argv[n++] = "--field-separator=\t";
    for (int i = 0; keys[i] && n < 12; i++) argv[n++] = (char *)keys[i];
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
        s->pid = 0;
        close(to[1]);
        close(from[0]);
        errno = rc;
        return -1;
    }
    s->in = fdopen(to[1], "w");
    s->out = fdopen(from[0], "r");
    return s->in && s->out ? 0 : -1;
}

int extsort_close_input(struct extsort *s)
{
    int rc = s->in && fclose(s->in) == 0 ? 0 : -1;
    s->in = NULL;
    return rc;
}

int extsort_end(struct extsort *s, bool kill_it)
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
