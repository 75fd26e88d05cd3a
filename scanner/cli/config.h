/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line's configuration: the scan's options (what the engine
 * is asked to do) and what only the command line uses (files, format,
 * messages, check). Parsed once, then read-only. */
#ifndef STS_CONFIG_H
#define STS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/engine/options.h"
#include "scanner/input/shard.h"

struct output_format;

struct config {
    struct scan_options scan; /* the engine's part */
    const char *input;  /* NULL or "-": stdin */
    const char *output; /* NULL or "-": stdout */
    bool overwrite;
    bool resume; /* append to -o FILE, skipping the targets it has */
    const struct output_format *format; /* -f */
    bool quiet;
    bool progress;            /* --progress: a line every 10 s when stderr is no terminal */
    const char *summary_file; /* --summary FILE: the summary as JSON */
    const char *rollup_file;  /* --rollup FILE: one row per domain, from -o FILE at the end */
    const char *report_file;  /* --report FILE: the HTML report, the same way */
    const char *metrics_file; /* --metrics FILE: Prometheus text, the same way */
    bool metrics_aggregate;   /* --metrics-aggregate: no per-endpoint series */
    long expiring_within;     /* --expiring-within DAYS; -1: not asked */
    bool concurrency_given;   /* -c was given: never lowered to fit the open-file limit */
    bool ehlo_guessed;        /* the machine has no FQDN: the EHLO name is HOSTNAME.invalid */
    bool no_mx;               /* --no-mx given */
    bool srv, no_srv;         /* --srv, --no-srv given */
    struct shard shard;       /* --shard K/N (n 0: the whole input) */
    bool shard_auto;          /* --shard auto: from the scheduler's environment */
    unsigned shards;          /* --shards N: the count for --shard auto (Kubernetes) */
    const char *shard_source; /* "Slurm", "Kubernetes", or NULL: given as K/N */
    bool stdin_closed, stdout_closed; /* fd 0 or 1 was closed at start (now /dev/null) */
    /* starttls-scan check */
    bool check;
    const char *check_target; /* HOST[:PORT] */
    bool no_verify;           /* --no-verify: an invalid chain or name is a warning */
    bool nagios;              /* --nagios: a monitoring plugin's output and exit status */
    long nagios_warning, nagios_critical; /* -w, -c: days left */
    unsigned nagios_warn_only; /* --warn-only: bits of enum check_kind that are WARNING */
};

/* scanner/cli/config_values.c: strict values for the command line. Each
 * returns 0, or -1 after printing an error that names the option. */
/* Digits only, within [min, max]. */
int parse_count(const char *opt, const char *s, long min, long max, long *out);
/* Seconds with up to three decimals ("2", "0.5") → milliseconds, > 0. */
int parse_seconds(const char *opt, const char *s, uint64_t *ms);
int check_resolver(const char *s);
int check_ehlo(const char *name);
/* This machine's fully qualified name, or HOSTNAME.invalid (*guessed). */
void default_ehlo(char *out, size_t len, bool *guessed);

#endif
