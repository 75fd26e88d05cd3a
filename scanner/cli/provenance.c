/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/provenance.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scanner/cli/usage.h"
#include "scanner/dialog/services.h"
#include "scanner/engine/scan.h"
#include "scanner/engine/sources.h"
#include "scanner/tls/chainverify.h"

/* The nameservers of /etc/resolv.conf, as c-ares reads them when no
 * --resolver is given (up to max, into store). */
static int system_resolvers(char store[][64], int max)
{
    FILE *f = fopen("/etc/resolv.conf", "r");
    char line[512];
    int n = 0;
    while (f && n < max && fgets(line, sizeof line, f)) {
        char addr[64];
        if (sscanf(line, " nameserver %63s", addr) == 1) snprintf(store[n++], 64, "%s", addr);
    }
    if (f) fclose(f);
    return n;
}

/* Where the run came from: the summary's "run" (issue 27). */
static int command_argc;
static char **command_argv;

void provenance_command_line(int argc, char **argv)
{
    command_argc = argc;
    command_argv = argv;
}

void provenance_basic(struct run_provenance *p, int64_t started)
{
    static char scanner[400];
    usage_version_line(scanner, sizeof scanner);
    *p = (struct run_provenance){.scanner = scanner, .argc = command_argc, .argv = command_argv,
                                 .started = started, .ended = (int64_t)time(NULL)};
}

void provenance_fill(struct run_provenance *p, const struct config *cfg, int64_t started, const struct scan *scan)
{
    const struct scan_options *opt = &cfg->scan;
    static char system[8][64];
    static const char *system_list[8];
    provenance_basic(p, started);
    p->protocol = opt->service->name;
    p->ehlo = opt->ehlo;
    p->ca_bundle = opt->ca_file ? opt->ca_file : CHAIN_SYSTEM_STORE;
    if (opt->nresolvers > 0) {
        p->resolvers = opt->resolvers;
        p->nresolvers = opt->nresolvers;
        p->resolvers_from = "--resolver";
    } else {
        p->nresolvers = system_resolvers(system, 8);
        for (int i = 0; i < p->nresolvers; i++) system_list[i] = system[i];
        p->resolvers = system_list;
        p->resolvers_from = "/etc/resolv.conf";
    }
    chain_store_sha256(opt->ca_file, p->ca_sha256);
    struct sources src = {0};
    if (scan) scan_sources(scan, &src); /* NULL: stopped while the workers ran */
    for (int i = 0; i < src.n && i < 16; i++) sources_name(&src, i, p->sources[p->nsources++]);
    p->sources_more = src.more;
}

