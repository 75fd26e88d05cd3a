/* One scan: the shared, read-mostly state every worker sees. */
#ifndef STS_SCAN_H
#define STS_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "output/summary.h"
#include "scanner/politeness.h"

struct config;
struct dialog;
struct dedup;
struct feeder;
struct worker;
struct writer;

struct scan {
    const struct config *cfg;
    const struct dialog *dialog;
    WOLFSSL_CTX *tls; /* read-only once the workers run */
    struct feeder *feeder;
    struct dedup *dedup;
    struct writer *writer;
    struct summary summary;
    struct hostlimit hosts; /* --per-host */
    struct ratelimit rate;  /* --rate */
    bool hosts_ready, summary_ready;
    struct worker *workers;
    int nworkers;
    atomic_bool failed; /* output failed: take no more targets */
    atomic_int running; /* worker threads not finished yet */
};

/* Seconds in-flight probes get after the first SIGINT/SIGTERM. */
#define STOP_GRACE_SECONDS 5

/* Runs the whole scan; returns the process exit status. */
int scan_run(const struct config *cfg);

#endif
