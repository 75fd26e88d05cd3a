/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The input feeder: a thread reads target lines into a bounded queue, so
 * memory does not grow with the input; workers take items when they have
 * room. A first pass over the input (scanner/input/prepass.h) finds the
 * duplicate targets and the targets a resumed output already holds, in
 * bounded memory; the second pass feeds the rest. A pipe is spooled to a
 * temporary file for the second pass. */
#ifndef STS_FEEDER_H
#define STS_FEEDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/base/buf.h"
#include "scanner/input/shard.h"
#include "scanner/input/linereader.h"
#include "scanner/input/targets.h"

#define FEED_LINE_MAX LINE_MAX_BYTES
/* An invalid line's row quotes at most this much of it. */
#define FEED_RAW_MAX 512

struct feed_item {
    enum target_parse kind; /* TP_OK or TP_INVALID */
    struct target target;   /* port: the port to scan (the default filled in) */
    struct text raw;        /* the line as read, for invalid_target rows */
    const char *why;
    bool retry; /* from the retry pass: the target's first attempt was refused for now */
};

struct feeder_stats {
    uint64_t lines, targets, duplicates, invalid, resumed;
    uint64_t retried; /* targets run again in the retry pass */
    int read_error; /* errno of a failed read of the input, -1: another failure, 0: none */
    bool first_pass_failed; /* it failed in the first pass: nothing was scanned */
    uint64_t other_shard;   /* --shard: lines whose target is another shard's */
    struct shard shard;     /* --shard K/N as run (n 0: all) */
};

struct feeder;

typedef void (*feeder_wake_fn)(void *arg);
/* How the output writes a domain cell (its escaping), for resume keys. */
typedef int (*feeder_cell_fn)(struct buf *out, const char *p, size_t len);

struct feeder_config {
    int fd; /* the input; the feeder does not close it */
    bool mx_mode;
    int default_port;
    bool srv; /* a name at the default port is a service's domain: SRV finds its servers */
    const char *protocol;
    FILE *done_keys; /* --resume: the keys (row_key) the output holds, a line each, or NULL */
    feeder_cell_fn domain_cell; /* NULL: the cell is the name itself */
    feeder_wake_fn wake;
    void *wake_arg;
    line_read_fn read; /* NULL: read(2); tests put a failing one here */
    bool retry;        /* after the input, run the deferred targets again */
    struct shard shard; /* --shard K/N: only the targets of shard K (n 0: all) */
};

struct feeder *feeder_start(const struct feeder_config *cfg);
/* 1: an item (the caller owns item->raw); 0: none yet; -1: input exhausted. */
int feeder_pop(struct feeder *f, struct feed_item *item);
/* Stops reading early (the scan is failing or interrupted): the reader
 * wakes even when blocked on a pipe or a terminal; feeder_pop returns -1. */
void feeder_cancel(struct feeder *f);
/* Waits for the reader, frees the feeder; stats may be NULL. */
void feeder_join(struct feeder *f, struct feeder_stats *stats);
/* The counts so far. */
void feeder_snapshot(struct feeder *f, struct feeder_stats *stats);
/* An item feeder_pop gave out is finished (its rows written, or deferred):
 * the retry pass begins once every first-pass item is. */
void feeder_done(struct feeder *f);
/* A first-pass target to run once more after the input (a spool file on
 * disk, so that memory does not grow with it). Thread-safe. */
void feeder_defer(struct feeder *f, const struct target *t);

/* The key under which a target's rows are found again (--resume, merge):
 * the domain cell as the output writes it, the port and the protocol. */
int feeder_target_key(const struct feed_item *item, const char *protocol, feeder_cell_fn cell,
                      struct buf *key);

#endif
