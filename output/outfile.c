/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outfile_open(struct outfile *o, const char *path, const char *tag)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    size_t len = strlen(path) + strlen(tag) + 16;
    if (!(o->tmp = malloc(len))) return ENOMEM;
    snprintf(o->tmp, len, "%s.%s.XXXXXX", path, tag);
    int fd = mkstemp(o->tmp);
    if (fd >= 0 && (o->f = fdopen(fd, "w")) != NULL) return 0;
    int err = errno ? errno : EIO;
    if (fd >= 0) {
        close(fd);
        unlink(o->tmp);
    }
    free(o->tmp);
    o->tmp = NULL;
    return err;
}

int outfile_close(struct outfile *o, bool keep)
{
    int err = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) err = errno ? errno : EIO;
    if (keep && !err && fsync(fileno(o->f)) != 0) err = errno;
    if (fclose(o->f) != 0 && !err) err = errno;
    if (keep && !err && (chmod(o->tmp, 0644) != 0 || rename(o->tmp, o->path) != 0)) err = errno;
    if (!keep || err) unlink(o->tmp);
    free(o->tmp);
    o->f = NULL;
    o->tmp = NULL;
    return err;
}

enum outfile_check outfile_check(const char *path, const char *const *inputs, int ninputs, bool overwrite)
{
    struct stat out, in;
    if (!path || stat(path, &out) != 0) return OUTFILE_OK;
    for (int i = 0; i < ninputs; i++)
        if (stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            return OUTFILE_IS_INPUT;
    return S_ISREG(out.st_mode) && out.st_size > 0 && !overwrite ? OUTFILE_NOT_EMPTY : OUTFILE_OK;
}
