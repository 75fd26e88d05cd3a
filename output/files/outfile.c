/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/files/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Written through, as it is: standard output, a FIFO, a terminal, a link
 * that names nothing yet. */
static int open_through(struct outfile *o, const char *path, int flags)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);
    if (fd < 0) return errno;
    if (!(o->f = fdopen(fd, "w"))) {
        int err = errno;
        close(fd);
        return err;
    }
    o->own_f = true;
    return 0;
}

int outfile_open(struct outfile *o, const char *path, const char *tag)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    struct stat st, lst;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return open_through(o, path, 0);
    /* A symbolic link (/dev/stdout onto a file too): the file it names is
     * replaced, never the link; one that names nothing yet is written through. */
    const char *where = path;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        if (!(o->resolved = realpath(path, NULL))) return open_through(o, path, O_CREAT | O_TRUNC);
        where = o->resolved;
    }
    size_t len = strlen(where) + strlen(tag) + 16;
    if (!(o->tmp = malloc(len))) return ENOMEM;
    snprintf(o->tmp, len, "%s.%s.XXXXXX", where, tag);
    int fd = mkstemp(o->tmp);
    if (fd >= 0 && (o->f = fdopen(fd, "w")) != NULL) return 0;
    int err = errno ? errno : EIO;
    if (fd >= 0) {
        close(fd);
        unlink(o->tmp);
    }
    free(o->tmp);
    o->tmp = NULL;
    free(o->resolved);
    o->resolved = NULL;
    return err;
}

int outfile_close(struct outfile *o, bool keep)
{
    int err = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) err = errno ? errno : EIO;
    if (!o->tmp) { /* written through: what was written stays */
        if (o->own_f && fclose(o->f) != 0 && !err) err = errno;
        o->f = NULL;
        return err;
    }
    if (keep && !err && fsync(fileno(o->f)) != 0) err = errno;
    if (fclose(o->f) != 0 && !err) err = errno;
    const char *where = o->resolved ? o->resolved : o->path;
    if (keep && !err && (chmod(o->tmp, 0644) != 0 || rename(o->tmp, where) != 0)) err = errno;
    if (!keep || err) unlink(o->tmp);
    free(o->tmp);
    free(o->resolved);
    o->f = NULL;
    o->tmp = NULL;
    o->resolved = NULL;
    return err;
}

int outfile_finish(struct outfile *o, bool keep, char *why, size_t len)
{
    bool whole = o->tmp != NULL; /* else written through: what was written stays */
    int err = outfile_close(o, keep);
    if (err) snprintf(why, len, "writing failed: %s%s", strerror(err), whole ? "; nothing was written" : "");
    return err;
}

enum outfile_check outfile_check(const char *path, const char *const *inputs, int ninputs, bool overwrite)
{
    struct stat out, in;
    if (!path || strcmp(path, "-") == 0 || stat(path, &out) != 0) return OUTFILE_OK;
    for (int i = 0; i < ninputs; i++)
        if (stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            return OUTFILE_IS_INPUT;
    return S_ISREG(out.st_mode) && out.st_size > 0 && !overwrite ? OUTFILE_NOT_EMPTY : OUTFILE_OK;
}
