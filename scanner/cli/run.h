/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One run of the command: its input and output files (checked before
 * anything is created), the scan, the signals, the progress line, the
 * summary, and the exit status. */
#ifndef STS_RUN_H
#define STS_RUN_H

#include "scanner/cli/config.h"
#include "scanner/result/row.h"

/* Runs the scan; returns the process exit status. sink NULL: the rows go
 * to the output file (-o), else to sink (check). */
int run_scan(const struct config *cfg, void (*sink)(void *, const struct row *, int), void *sink_arg);

#endif
