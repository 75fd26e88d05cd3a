/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A file written whole, then renamed into place, so that a failed run leaves
 * none: what merge, the rollup and the report write. A symbolic link stays:
 * the regular file it names is replaced. What is not a regular file ("-"
 * for standard output, a FIFO, a terminal, /dev/stdout onto a pipe) is
 * written through as it is, never replaced. The callers say what failed, in
 * their own words; these return errno values. */
#ifndef STS_OUTFILE_H
#define STS_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
    FILE *f;
    char *tmp; /* PATH.TAG.XXXXXX beside it, until renamed; NULL: written through */
    const char *path;
    char *resolved; /* path was a symbolic link: the file it names */
    bool own_f;     /* written through a file opened here */
};

/* 0, or an errno. tag names the temporary file ("merging", "writing"). */
int outfile_open(struct outfile *o, const char *path, const char *tag);
/* Flushes, syncs and renames into place when keep, else removes it: 0, or
 * the errno of what failed (nothing is then in place). */
int outfile_close(struct outfile *o, bool keep);

/* outfile_close, and when it failed, what to say: "writing failed: REASON"
 * and, for a file written whole, that nothing was written. 0, or the errno. */
int outfile_finish(struct outfile *o, bool keep, char *why, size_t len);

enum outfile_check { OUTFILE_OK = 0, OUTFILE_IS_INPUT, OUTFILE_NOT_EMPTY };
/* May path be written over: not one of the inputs, not a non-empty file
 * unless overwrite? A path that does not exist yet is OUTFILE_OK. */
enum outfile_check outfile_check(const char *path, const char *const *inputs, int ninputs, bool overwrite);

#endif
