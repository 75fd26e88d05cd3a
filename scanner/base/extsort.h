/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An external sort: sort(1) as a child, fed through a pipe and read back
 * through another, in the C collation, in bounded memory, spilling to
 * $TMPDIR (/tmp by default). What the input's first pass and merge use to
 * compare more keys than memory holds. */
#ifndef STS_EXTSORT_H
#define STS_EXTSORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct extsort {
    pid_t pid;
    FILE *in;  /* lines to sort: write, then extsort_close_input */
    FILE *out; /* the sorted lines */
};

/* keys: sort(1)'s --key options (fields split at TAB), NULL-terminated;
 * mem: "--buffer-size=32M". 0, or -1 with errno. */
int extsort_start(struct extsort *s, const char *const *keys, const char *mem);
/* All lines given: 0, or -1 (a write to sort failed). */
int extsort_close_input(struct extsort *s);
/* Closes the pipes and waits for it (kill_it: it is no longer wanted);
 * 0 when it ran to its end and exited 0. */
int extsort_end(struct extsort *s, bool kill_it);

#endif
