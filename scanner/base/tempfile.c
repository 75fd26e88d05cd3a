/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/base/tempfile.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

const char *temp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

int temp_fd(void)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/starttls-scan.XXXXXX", temp_dir()) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    return fd;
}

FILE *temp_file(void)
{
    int fd = temp_fd();
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f && fd >= 0) {
        int err = errno;
        close(fd);
        errno = err;
    }
    return f;
}
