/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The feeder's insides, shared by feeder.c (the queue, the thread, the
 * retry pass) and feeder_lines.c (the two passes over the input). */
#ifndef STS_FEEDER_INTERNAL_H
#define STS_FEEDER_INTERNAL_H

#include <uv.h>

#include "scanner/input/feeder.h"
#include "scanner/input/prepass.h"

#define QUEUE_CAP 1024

struct feeder {
    struct feeder_config cfg;
    struct line_reader reader;
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t not_full;
    struct feed_item ring[QUEUE_CAP];
    size_t head, count;
    bool eof, cancelled;
    uv_cond_t idle;  /* count and active reached 0 */
    uint64_t active; /* items given out, not finished */
    uv_mutex_t spool_lock;
    FILE *spool;     /* deferred targets, struct target each */
    uint64_t deferred;
    struct prepass *prepass; /* the first pass's verdicts, read in step with the second */
    int spool_fd;            /* a pipe's bytes, for the second pass; -1: none */
    uint64_t lineno;
    struct feeder_stats stats;
};

/* Queues an item (waits for room); a cancelled feeder drops it. */
void feeder_push(struct feeder *f, struct feed_item *item);
/* The passes over the input: the first finds what to skip, the second
 * feeds the rest. Each returns how the input ended. */
enum line_status feeder_first_pass(struct feeder *f);
enum line_status feeder_second_pass(struct feeder *f);

#endif
