/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Special-purpose address ranges that a scan never touches unless told to. */
#ifndef STS_ADDRBLOCK_H
#define STS_ADDRBLOCK_H

#include <stdint.h>
#include <sys/socket.h>

struct cidr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    int prefix;
    const char *name;
};

/* Parses "a.b.c.d/n", "x::y/n", or an address alone (a host route). 0 or -1. */
int cidr_parse(const char *s, struct cidr *out);
/* Does the address (4 or 16 bytes, by family) fall inside the range? */
int cidr_contains(const struct cidr *c, int family, const uint8_t *addr);

/* A list of ranges from a file in zmap's format: one address or CIDR per
 * line; '#' starts a comment; blank lines are fine. */
struct cidr_list {
    struct cidr *items;
    size_t n, cap;
    const char *path;
};

/* 0, or -1 with "FILE:LINE: ..." in err (the scan must not start). */
int cidr_list_load(struct cidr_list *list, const char *path, char *err, size_t errlen);
const struct cidr *cidr_list_find(const struct cidr_list *list, const struct sockaddr *sa);
void cidr_list_free(struct cidr_list *list);

/* NULL when the address may be scanned; otherwise the name of the
 * special-purpose range it is in, e.g. "loopback 127.0.0.0/8". An IPv6
 * address that carries an IPv4 address (see addr_embedded_ipv4) is judged by
 * that IPv4 address too. */
const char *addr_block_reason(const struct sockaddr *sa);

/* Turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into the IPv4 address
 * it is, keeping the port: 1 when it did, 0 when the address stays as it was.
 * Every address is normalised once, where it enters the scanner (a target
 * line, an A or AAAA record), so that lists, dedup and --per-host see one
 * address, not two spellings of it. */
int addr_normalize(struct sockaddr_storage *ss);
/* The IPv4 address inside an IPv6 address that carries one: IPv4-mapped,
 * IPv4-translated, IPv4-compatible (not :: or ::1), NAT64 64:ff9b::/96 or
 * 6to4 2002::/16. 1 with v4 set, or 0. */
int addr_embedded_ipv4(const uint8_t a6[16], uint8_t v4[4]);

#endif
