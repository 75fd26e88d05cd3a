/* One input target: resolve it, ask for a probe per (MX host, address),
 * and write one row per answer. Lives on one worker. */
#ifndef STS_JOB_H
#define STS_JOB_H

#include "scanner/result/row.h"
#include "scanner/input/feeder.h"

struct job;
struct worker;

/* Takes the item (and its raw text). */
void job_start(struct worker *w, struct feed_item *item);
/* A probe's result for one of the job's slots. */
void job_deliver(struct job *job, int slot, const struct probe_result *res);

#endif
