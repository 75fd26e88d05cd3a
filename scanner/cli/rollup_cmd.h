/* SPDX-License-Identifier: GPL-2.0-or-later */
/* starttls-scan rollup and starttls-scan report (issue 16), and the same
 * after a scan with --rollup FILE / --report FILE: the rows of output files
 * read back, one rollup row per domain (output/report/rollup_csv.h) and one HTML
 * page (output/report/report.h). Each file is written whole, then renamed into
 * place: a failed run leaves none. */
#ifndef STS_ROLLUP_CMD_H
#define STS_ROLLUP_CMD_H

#include <stdbool.h>

#include "output/report/metrics.h"

struct rollup_job {
    const char *const *inputs;
    int ninputs;
    const char *rollup; /* NULL: none */
    const char *report; /* NULL: none */
    long expiring_within; /* the report's certificate table: days */
    bool overwrite;       /* an output may replace a non-empty file */
    bool quiet;           /* no grade line on stderr */
    const char *who;      /* "rollup", "report", or "" after a scan */
    const char *metrics;  /* --metrics FILE after a scan; NULL: none */
    bool metrics_aggregate;
    struct metrics_run run; /* the scan's times, for --metrics */
};

/* 0, or 2 after a message. */
int rollup_job_run(const struct rollup_job *j);

int rollup_main(int argc, char **argv);
int report_main(int argc, char **argv);

#endif
