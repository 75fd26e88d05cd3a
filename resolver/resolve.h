/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resolving a mail domain (MX, then every A and AAAA of every MX), a
 * service's domain (SRV, then every A and AAAA of every target; RFC 2782)
 * or a host (A and AAAA) on a worker's c-ares channel. One callback per
 * request. */
#ifndef STS_RESOLVE_H
#define STS_RESOLVE_H

#include <stdbool.h>
#include <sys/socket.h>

#include "scanner/result/status.h"
#include "resolver/ares_uv.h"
#include "resolver/dnsmsg.h"
#include "resolver/lookup.h"
#include "scanner/result/row.h"

/* Which DNS record led to a host. */
enum host_via {
    VIA_NAME,         /* the target named it */
    VIA_MX,           /* an MX record */
    VIA_IMPLICIT_MX,  /* no MX records: the domain itself (RFC 5321 5.1) */
    VIA_SRV,          /* an SRV record */
    VIA_SRV_FALLBACK, /* no SRV records: the domain itself, the service's port */
};

struct host_result {
    char name[DNS_NAME_MAX];
    int pref; /* -1: not from an MX record; an SRV record's priority */
    enum host_via via;
    int weight, port; /* VIA_SRV: the record's weight and port */
    enum scan_status status; /* ST_OK, ST_NO_ADDRESS or ST_DNS_FAILED */
    bool resolver_failed;    /* ST_DNS_FAILED for want of an answer (not NXDOMAIN) */
    char error[400];
    int naddrs;
    struct sockaddr_storage *addrs;
};

struct dns_result {
    enum scan_status status; /* ST_OK (see hosts), ST_NULL_MX or ST_DNS_FAILED */
    bool resolver_failed;    /* ST_DNS_FAILED for want of an answer: timeout, unreachable,
                              * SERVFAIL, REFUSED, a malformed answer (not NXDOMAIN) */
    char error[400];
    bool implicit_mx; /* no MX: the domain itself stands in (RFC 5321 5.1) */
    int mx_records;   /* the MX (or SRV) records of the answer, before --mx-max (0: none) */
    enum tri mx_secure; /* the MX (or SRV) answer, or its NODATA, had the AD bit; unknown: not asked */
    char srv_owner[DNS_NAME_MAX]; /* SRV: the name asked, "_xmpp-client._tcp.example.com" */
    int nhosts;
    struct host_result *hosts;
};

typedef void (*resolve_cb)(void *arg, struct dns_result *res);

struct resolve_limits {
    int mx_max;
    int addr_max; /* per family */
    bool ad;      /* ask with the AD bit (DANE): mx_secure is then known */
};

/* The callback receives the result and owns it (free with dns_result_free).
 * It may run before the call returns. */
void resolve_mail_domain(struct ares_uv *au, const char *domain, const struct resolve_limits *lim,
                         resolve_cb cb, void *arg);
/* ST_NO_SERVICE for a lone "." target; without SRV records, the domain
 * itself (VIA_SRV_FALLBACK). label: "_xmpp-client._tcp". */
void resolve_srv_domain(struct ares_uv *au, const char *domain, const char *label,
                        const struct resolve_limits *lim, resolve_cb cb, void *arg);
void resolve_host(struct ares_uv *au, const char *host, const struct resolve_limits *lim,
                  resolve_cb cb, void *arg);
void dns_result_free(struct dns_result *res);

#endif
