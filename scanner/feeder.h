/* The input feeder: a thread reads target lines into a bounded queue, so
 * memory does not grow with the input; workers take items when they have
 * room. Duplicate targets are dropped here (by a 64-bit hash of the key). */
#ifndef STS_FEEDER_H
#define STS_FEEDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/buf.h"
#include "scanner/hashset.h"
#include "scanner/targets.h"

#define FEED_LINE_MAX 4096

struct feed_item {
    enum target_parse kind; /* TP_OK or TP_INVALID */
    struct target target;
    struct text raw; /* the line as read, for invalid_target rows */
    const char *why;
};

struct feeder_stats {
    uint64_t lines, targets, duplicates, invalid, resumed;
};

struct feeder;

typedef void (*feeder_wake_fn)(void *arg);

/* done (may be NULL): --resume's targets already in the output, skipped. */
struct feeder *feeder_start(FILE *in, bool mx_mode, const struct hashset *done,
                            feeder_wake_fn wake, void *wake_arg);
/* 1: an item (the caller owns item->raw); 0: none yet; -1: input exhausted. */
int feeder_pop(struct feeder *f, struct feed_item *item);
/* Stops reading early (the scan is failing); feeder_pop then returns -1. */
void feeder_cancel(struct feeder *f);
void feeder_join(struct feeder *f, struct feeder_stats *stats);
/* The counts so far, without waiting for the reader (which an interrupted
 * scan leaves blocked on its input). */
void feeder_snapshot(struct feeder *f, struct feeder_stats *stats);

#endif
