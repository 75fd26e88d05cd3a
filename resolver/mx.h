/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MX record logic (RFC 5321 5.1, RFC 7505), as pure functions. */
#ifndef STS_MX_H
#define STS_MX_H

#include "resolver/dnsmsg.h"

enum mx_verdict { MX_HOSTS, MX_NULL, MX_NONE };

/* Orders MX records by preference (then name, for a stable output), drops
 * duplicate hosts and root targets, keeps at most max. Returns MX_NULL for a
 * null MX (a lone record whose exchange is the root), MX_NONE when nothing
 * is left, MX_HOSTS otherwise; *n becomes the number kept. */
enum mx_verdict mx_select(struct dns_record *recs, int *n, int max);

/* SRV records (RFC 2782): MX_NULL for the lone target "." (the service is
 * decidedly not offered), else ordered by priority, then weight (the
 * heaviest first: a scanner takes every target, so the order is only the
 * report's), then name and port; duplicate (target, port) and root targets
 * dropped, at most max kept. */
enum mx_verdict srv_select(struct dns_record *recs, int *n, int max);
/* Sorts addresses and drops duplicates; keeps at most max. */
void addr_sort_unique(struct dns_record *recs, int *n, int max);

#endif
