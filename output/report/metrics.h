/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --metrics FILE (issue 26): a scan's rows read back (rollup_read.h) as the
 * Prometheus text exposition format, for node_exporter's textfile
 * collector. Each metric family is gathered in a temporary file of its own
 * while the targets go by (a family's lines must come together), then the
 * families are copied into FILE's temporary file, which is renamed into
 * place: a scraper never sees half a file. Memory does not grow with the
 * rows. Label values are cell text (already escaped: valid UTF-8, no
 * control byte), escaped again as the format asks (\\, \", \n).
 *
 * Full mode: per endpoint (domain, host, address, port, protocol) the
 * probe's success, status, TLS version, the leaf's notAfter and its chain;
 * per domain DANE, MTA-STS and the grade. Aggregate mode: no per-endpoint
 * series, only each domain's soonest notAfter; both modes end with the
 * run's counts (rows by status, by TLS version, domains by grade, DANE and
 * MTA-STS). docs/metrics.md lists them all, with their cardinality. */
#ifndef STS_METRICS_H
#define STS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "output/report/report.h"
#include "output/report/rollup_read.h"

struct metrics;

struct metrics_run {
    int64_t started, ended; /* Unix times */
    double duration;        /* seconds */
    const char *version;    /* starttls-scan's */
};

/* NULL when out of memory or a temporary file failed (errno). */
struct metrics *metrics_new(bool aggregate);
void metrics_add(struct metrics *m, const struct rollup_target *t);
/* The whole text into f: 0, or an errno. */
int metrics_write(struct metrics *m, const struct report *r, const struct metrics_run *run, FILE *f);
void metrics_free(struct metrics *m);

/* Appends v as a label value: \ " and newline escaped. */
void metrics_label_value(FILE *f, const char *v);

/* Is this file one that --metrics may replace: missing, empty, or written
 * by --metrics (it starts with "# HELP starttls_")? */
bool metrics_file_replaceable(const char *path);

#endif
