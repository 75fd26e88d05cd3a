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
 * special-purpose range it is in, e.g. "loopback 127.0.0.0/8". IPv4-mapped
 * and NAT64 IPv6 addresses are judged by the IPv4 address inside them. */
const char *addr_block_reason(const struct sockaddr *sa);

#endif
