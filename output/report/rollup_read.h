/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rows of output files (one scan, shards, or a merged file), read back
 * and gathered per target: each target's rollup (output/report/grade.h) handed to
 * the caller with its rows, once all of them are read. Shards go through
 * merge's reading (output/report/merge.h): a target in two files counts once, from
 * the copy merge would keep. Bounded memory: one target at a time (its
 * rows kept for the report's per-certificate table). */
#ifndef STS_ROLLUP_READ_H
#define STS_ROLLUP_READ_H

#include <stdbool.h>

#include "output/report/grade.h"
#include "scanner/result/row.h"

/* What a row says that the report keeps past its target (escaped cell
 * text, as the file has it). */
struct kept_row {
    char mx_host[256], ip[64];
    int port; /* 0: none */
    enum scan_status status;
    enum tri chain_valid;
    char tls_version[16], cipher[64];
    char cert_sha256[65], cert_not_after[32], cert_subject[256], cert_issuer[256];
    int64_t days_left, not_after; /* not_after: Unix time, when has_days */
    bool has_cert, has_days;
};

/* What the report keeps of a row. */
void kept_row_set(struct kept_row *k, const struct row *row);

struct rollup_target {
    const char *domain; /* the domain cell as written (escaped) */
    const char *protocol;
    const struct rollup *rollup;
    char grade[2];      /* rollup_grade's, once for every reader */
    const char *reason;
    const struct kept_row *rows;
    int nrows; /* at most ROLLUP_KEPT_ROWS are kept (the rollup counts them all) */
};
#define ROLLUP_KEPT_ROWS 1024

struct rollup_reader {
    const char *const *inputs;
    int ninputs;
    const char *who; /* the command, for messages: "rollup", "report" */
    void (*on_target)(void *arg, const struct rollup_target *t);
    void *arg;
};

/* 0, or 2 after a message. rows: how many rows were read. */
int rollup_read(const struct rollup_reader *r, uint64_t *rows);

#endif
