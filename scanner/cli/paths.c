/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/input/targets.h"

/* A name that is no file but looks like a target: say how to scan it. */
static void suggest(const char *path)
{
    struct target t;
    const char *why;
    if (strcmp(path, "help") == 0) {
        fprintf(stderr, "starttls-scan: for help, type: starttls-scan --help (or starttls-scan "
                        "check --help)\n");
    } else if (strcmp(path, "check") == 0) {
        fprintf(stderr, "starttls-scan: 'check' comes first: starttls-scan check HOST [OPTIONS]\n");
    } else if (target_parse_line(path, strlen(path), 0, &t, &why) == TP_OK) {
        fprintf(stderr, "starttls-scan: the argument is a file of targets; to scan %s, type: "
                        "echo %s | starttls-scan (or: starttls-scan check %s)\n", path, path, path);
    }
}

int input_open(const char *path, bool stdin_closed)
{
    int fd;
    const char *name = path && strcmp(path, "-") != 0 ? path : NULL;
    if (!name) {
        if (stdin_closed) {
            fputs("starttls-scan: standard input is closed; give a file of targets, or pipe "
                  "them in\n", stderr);
            return -1;
        }
        fd = STDIN_FILENO;
    } else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "starttls-scan: cannot read %s: %s\n", name, strerror(errno));
        if (errno == ENOENT) suggest(name);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "starttls-scan: cannot read %s: it is a directory\n",
                name ? name : "standard input");
        if (name) close(fd);
        return -1;
    }
    return fd;
}

/* The directory and name of a path, the directory made absolute. */
static int canonical(const char *path, char *out, size_t len)
{
    char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
    snprintf(a, sizeof a, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    if (!realpath(dirname(a), dir)) return -1;
    snprintf(out, len, "%s/%s", dir, basename(b));
    return 0;
}

bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    return canonical(a, ca, sizeof ca) == 0 && canonical(b, cb, sizeof cb) == 0 && strcmp(ca, cb) == 0;
}

bool fd_is_file(int fd, const char *path)
{
    struct stat sf, sp;
    return fstat(fd, &sf) == 0 && S_ISREG(sf.st_mode) && stat(path, &sp) == 0 &&
           sf.st_dev == sp.st_dev && sf.st_ino == sp.st_ino;
}

int side_path_check(const char *opt, const char *path, bool replace)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "starttls-scan: %s: %s is a directory\n", opt, path);
            return -1;
        }
        if (S_ISREG(st.st_mode) && st.st_size > 0 && !replace) {
            fprintf(stderr, "starttls-scan: %s: %s is not empty; pass --overwrite to "
                            "replace it\n", opt, path);
            return -1;
        }
        if (access(path, W_OK) != 0) {
            fprintf(stderr, "starttls-scan: %s: cannot write %s: %s\n", opt, path, strerror(errno));
            return -1;
        }
        return 0;
    }
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", path);
    const char *dir = dirname(d);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "starttls-scan: %s: cannot write %s: %s\n", opt, path,
                stat(dir, &st) != 0 ? strerror(errno) : !S_ISDIR(st.st_mode) ? "not a directory"
                                                                           : strerror(errno));
        return -1;
    }
    return 0;
}
