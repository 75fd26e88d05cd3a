/* One scan: the shared, read-mostly state every worker sees. */
#ifndef STS_SCAN_H
#define STS_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "output/format.h"
#include "output/summary.h"
#include "scanner/engine/admission.h"

struct config;
struct dialog;
struct dedup;
struct feeder;
struct worker;
struct writer;

/* Where a target's rows go: the output file, or check's printer. */
typedef void (*row_sink_fn)(void *arg, const struct row *rows, int n);

struct scan {
    const struct config *cfg;
    const struct dialog *dialog;
    const struct output_format *format;
    WOLFSSL_CTX *tls; /* read-only once the workers run */
    struct feeder *feeder;
    int input_fd;
    struct dedup *dedup;
    struct writer *writer;
    int summary_fd; /* --summary FILE, or -1 */
    uint64_t t0;    /* uv_hrtime() at the start */
    row_sink_fn sink;
    void *sink_arg;
    struct summary summary;
    struct hostlimit hosts; /* --per-host */
    struct ratelimit rate;  /* --rate */
    bool hosts_ready, summary_ready;
    struct worker *workers;
    int nworkers;
    atomic_bool failed;       /* take no more targets */
    atomic_bool write_failed; /* the output failed: stop at once */
    atomic_int running;       /* worker threads not finished yet */
};

/* Seconds in-flight probes get after the first SIGINT/SIGTERM/SIGHUP. */
#define STOP_GRACE_SECONDS 5

/* Runs the whole scan; returns the process exit status. sink NULL: the
 * rows go to the output file (-o), else to sink (check). */
int scan_run(const struct config *cfg, row_sink_fn sink, void *sink_arg);

#endif
