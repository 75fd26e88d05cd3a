/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a scan is asked to do: the engine's parameters, filled by the
 * command line (scanner/cli) and read-only once the workers run. The
 * engine's parts take the fields they need from here; none of them reads
 * the command line's own configuration. */
#ifndef STS_OPTIONS_H
#define STS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "scanner/input/addrblock.h"

#define MAX_RESOLVERS 8

struct service;
struct scan_observer;

struct scan_options {
    const struct service *service; /* -p */
    bool mx_mode;                  /* targets are mail domains: resolve MX */
    bool srv;                      /* name targets are services' domains: resolve SRV */
    int port;                      /* --port, else the service's default */
    int workers;
    int concurrency;
    int max_tls; /* TLS phases at once, all workers together (memory bound) */
    int mx_max;
    int addr_max; /* addresses kept per host name and family */
    const char *resolvers[MAX_RESOLVERS];
    int nresolvers;
    bool allow_private;
    int per_host; /* connections at once to one address */
    int rate;     /* new connections a second, all workers together; 0: no limit */
    struct cidr_list blocklist; /* never scanned */
    struct cidr_list allowlist; /* when given, only these are scanned */
    char ehlo[256];
    uint64_t timeout_ms;   /* overall, per probe */
    uint64_t connect_ms;   /* TCP connect */
    uint64_t banner_ms;    /* the greeting: inactivity */
    uint64_t reply_ms;     /* any later reply: inactivity */
    uint64_t handshake_ms; /* TLS handshake */
    uint64_t dns_ms;       /* one DNS try */
    int dns_tries;
    const char *ca_file;
    bool versions;           /* enumerate the protocol versions each server accepts */
    bool ciphers;            /* ...and the cipher suites (scanner/tls/cipherenum.h) */
    /* The domain's protection (on unless --no-*): TLSA of every named
     * server; MTA-STS and TLS-RPT of every mail domain (MX mode). */
    bool dane, mta_sts, tls_rpt;
    bool retry;              /* probe "try again later" endpoints once more */
    uint64_t retry_delay_ms; /* at least this long after the first attempt */
    /* check only: NULL in a mass scan, which never authenticates. */
    const char *auth_user, *auth_mech; /* auth_mech: a name, "auto", or NULL (the protocol's default) */
    char *password;                    /* ...or the token, when auth_token */
    bool auth_token;
    bool raw; /* --raw: keep the capability and STARTTLS replies */
    /* check's transcript; NULL in a mass scan, where it costs nothing. */
    const struct scan_observer *observer;
    void *observer_arg;
};

/* May the address be contacted? The allowlist first, then the built-in
 * special-purpose ranges (unless --allow-private), then the blocklist.
 * 1 (blocked, why says so) or 0. */
int scan_addr_blocked(const struct scan_options *opt, const struct sockaddr *sa, char *why, size_t len);

#endif
