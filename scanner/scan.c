#include "scanner/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "output/writer.h"
#include "scanner/config.h"
#include "scanner/conn.h"
#include "scanner/dedup.h"
#include "scanner/feeder.h"
#include "scanner/worker.h"

static void wake_all(void *arg)
{
    struct scan *s = arg;
    for (int i = 0; i < s->nworkers; i++) worker_wake(&s->workers[i]);
}

static FILE *open_input(const char *path)
{
    if (!path || strcmp(path, "-") == 0) return stdin;
    FILE *in = fopen(path, "rb");
    if (!in) fprintf(stderr, "starttls-scan: cannot read %s: %s\n", path, strerror(errno));
    return in;
}

/* Everything set up before the first target is read; 0 or -1 (reported). */
static int scan_prepare(struct scan *s, const struct config *cfg)
{
    char err[256];
    s->cfg = cfg;
    s->dialog = cfg->dialog;
    s->tls = tls_client_ctx_new(cfg->ca_file, err, sizeof err);
    if (!s->tls) {
        fprintf(stderr, "starttls-scan: %s\n", err);
        return -1;
    }
    s->dedup = dedup_new();
    s->workers = calloc((size_t)cfg->workers, sizeof *s->workers);
    if (!s->dedup || !s->workers) {
        fputs("starttls-scan: out of memory\n", stderr);
        return -1;
    }
    for (; s->nworkers < cfg->workers; s->nworkers++) {
        if (worker_init(&s->workers[s->nworkers], s, s->nworkers, err, sizeof err) != 0) {
            fprintf(stderr, "starttls-scan: %s\n", err);
            return -1;
        }
    }
    return 0;
}

static void scan_teardown(struct scan *s)
{
    for (int i = 0; i < s->nworkers; i++) worker_destroy(&s->workers[i]);
    free(s->workers);
    dedup_free(s->dedup);
    if (s->tls) wolfSSL_CTX_free(s->tls);
}

int scan_run(const struct config *cfg)
{
    struct scan s;
    memset(&s, 0, sizeof s);
    FILE *in = open_input(cfg->input);
    if (!in) return 2;
    int status = 2;
    s.writer = writer_open(cfg->output, cfg->overwrite);
    if (!s.writer || scan_prepare(&s, cfg) != 0) goto out;

    uint64_t t0 = uv_hrtime();
    s.feeder = feeder_start(in, cfg->mx_mode, wake_all, &s);
    if (!s.feeder) {
        fputs("starttls-scan: cannot start the input reader\n", stderr);
        goto out;
    }
    int started = 0;
    for (; started < s.nworkers; started++)
        if (worker_start(&s.workers[started]) != 0) break;
    if (started < s.nworkers) {
        fputs("starttls-scan: cannot start the worker threads\n", stderr);
        s.failed = true;
        feeder_cancel(s.feeder);
    }
    for (int i = 0; i < started; i++) worker_join(&s.workers[i]);
    struct feeder_stats stats;
    feeder_join(s.feeder, &stats);
    double seconds = (double)(uv_hrtime() - t0) / 1e9;
    status = s.failed ? 2 : 0;
    if (!cfg->quiet) summary_print(&s.summary, &stats, seconds, stderr);
out:
    scan_teardown(&s);
    if (s.writer && writer_close(s.writer) != 0) status = 2;
    if (in != stdin) fclose(in);
    return status;
}
