/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/addrblock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and
 * successors), plus multicast and the reserved class E. */
static const struct {
    const char *cidr;
    const char *name;
} builtin[] = {
    {"0.0.0.0/8", "this network 0.0.0.0/8"},
    {"10.0.0.0/8", "private 10.0.0.0/8"},
    {"100.64.0.0/10", "shared address space (CGNAT) 100.64.0.0/10"},
    {"127.0.0.0/8", "loopback 127.0.0.0/8"},
    {"169.254.0.0/16", "link-local 169.254.0.0/16"},
    {"172.16.0.0/12", "private 172.16.0.0/12"},
    {"192.0.0.0/24", "IETF protocol assignments 192.0.0.0/24"},
    {"192.0.2.0/24", "documentation 192.0.2.0/24"},
    {"192.31.196.0/24", "AS112-v4 192.31.196.0/24"},
    {"192.52.193.0/24", "AMT 192.52.193.0/24"},
    {"192.88.99.0/24", "deprecated 6to4 relay anycast 192.88.99.0/24"},
    {"192.168.0.0/16", "private 192.168.0.0/16"},
    {"192.175.48.0/24", "direct delegation AS112 192.175.48.0/24"},
    {"198.18.0.0/15", "benchmarking 198.18.0.0/15"},
    {"198.51.100.0/24", "documentation 198.51.100.0/24"},
    {"203.0.113.0/24", "documentation 203.0.113.0/24"},
    {"224.0.0.0/4", "multicast 224.0.0.0/4"},
    {"240.0.0.0/4", "reserved 240.0.0.0/4"},
    {"::/96", "unspecified, loopback or IPv4-compatible ::/96"},
    {"64:ff9b:1::/48", "local-use NAT64 64:ff9b:1::/48"},
    {"100::/64", "discard-only 100::/64"},
    {"2001::/23", "IETF protocol assignments 2001::/23"},
    {"2001:db8::/32", "documentation 2001:db8::/32"},
    {"3fff::/20", "documentation 3fff::/20"},
    {"5f00::/16", "segment routing SIDs 5f00::/16"},
    {"fc00::/7", "unique-local fc00::/7"},
    {"fe80::/10", "link-local fe80::/10"},
    {"fec0::/10", "site-local fec0::/10"},
    {"ff00::/8", "multicast ff00::/8"},
};

int cidr_parse(const char *s, struct cidr *out)
{
    char tmp[64];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof tmp) return -1;
    memcpy(tmp, s, len + 1);
    memset(out, 0, sizeof *out);
    char *slash = strchr(tmp, '/');
    if (slash) *slash = '\0';
    if (inet_pton(AF_INET, tmp, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = 32;
    } else if (inet_pton(AF_INET6, tmp, out->addr) == 1) {
        out->family = AF_INET6;
        out->prefix = 128;
    } else {
        return -1;
    }
    if (slash) {
        const char *p = slash + 1;
        char *end;
        if (*p < '0' || *p > '9') return -1;
        long v = strtol(p, &end, 10);
        if (*end != '\0' || v < 0 || v > out->prefix) return -1;
        out->prefix = (int)v;
    }
    return 0;
}

int cidr_contains(const struct cidr *c, int family, const uint8_t *addr)
{
    if (c->family != family) return 0;
    int full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, addr, (size_t)full) != 0) return 0;
    if (rest == 0) return 1;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

static struct cidr table[sizeof builtin / sizeof builtin[0]];

static void table_init(void)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        if (cidr_parse(builtin[i].cidr, &table[i]) != 0) abort(); /* a typo in the table */
        table[i].name = builtin[i].name;
    }
}

static const char *lookup(int family, const uint8_t *addr)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, table_init);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (cidr_contains(&table[i], family, addr)) return table[i].name;
    return NULL;
}

/* The forms of IPv6 address that carry an IPv4 address, and where. */
static const struct {
    uint8_t prefix[12];
    int prefix_bytes; /* the fixed part */
    int v4_at;        /* where the IPv4 address starts */
    const char *name;
    int compat; /* IPv4-compatible: all zero but the IPv4 address */
} embedding[] = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 12, 12, "IPv4-mapped ::ffff:0:0/96", 0},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0}, 12, 12, "IPv4-translated ::ffff:0:0:0/96", 0},
    {{0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 12, 12, "NAT64 64:ff9b::/96", 0},
    {{0x20, 0x02}, 2, 2, "6to4 2002::/16", 0},
    {{0}, 12, 12, "IPv4-compatible ::/96", 1},
};

/* Which embedding holds an IPv4 address, or -1. */
static int embedding_of(const uint8_t *a)
{
    for (size_t i = 0; i < sizeof embedding / sizeof embedding[0]; i++) {
        if (memcmp(a, embedding[i].prefix, (size_t)embedding[i].prefix_bytes) != 0) continue;
        /* :: and ::1 are the unspecified and loopback addresses (RFC 4291 2.5.5.1). */
        if (embedding[i].compat && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1) return -1;
        return (int)i;
    }
    return -1;
}

int addr_embedded_ipv4(const uint8_t a6[16], uint8_t v4[4])
{
    int e = embedding_of(a6);
    if (e < 0) return 0;
    memcpy(v4, a6 + embedding[e].v4_at, 4);
    return 1;
}

int addr_normalize(struct sockaddr_storage *ss)
{
    if (ss->ss_family != AF_INET6) return 0;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    if (embedding_of(in6->sin6_addr.s6_addr) != 0) return 0; /* only ::ffff:a.b.c.d */
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_port = in6->sin6_port;
    memcpy(&in.sin_addr, in6->sin6_addr.s6_addr + 12, 4);
    memset(ss, 0, sizeof *ss);
    memcpy(ss, &in, sizeof in);
    return 1;
}

const char *addr_block_reason(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return lookup(AF_INET, (const uint8_t *)&in->sin_addr);
    }
    if (sa->sa_family != AF_INET6) return "not an IP address";
    const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    int e = embedding_of(a);
    const char *why = e >= 0 ? lookup(AF_INET, a + embedding[e].v4_at) : NULL;
    if (!why) return lookup(AF_INET6, a);
    /* Valid until the next call on this thread (callers copy it at once). */
    static __thread char text[sizeof embedding / sizeof embedding[0]][160];
    snprintf(text[e], sizeof text[e], "%s inside %s", why, embedding[e].name);
    return text[e];
}

static int addr_bytes(const struct sockaddr *sa, int *family, const uint8_t **bytes)
{
    if (sa->sa_family == AF_INET) {
        *family = AF_INET;
        *bytes = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        *family = AF_INET6;
        *bytes = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        return 0;
    }
    return -1;
}

static const struct cidr *find_in(const struct cidr_list *list, int family, const uint8_t *bytes)
{
    for (size_t i = 0; i < list->n; i++)
        if (cidr_contains(&list->items[i], family, bytes)) return &list->items[i];
    return NULL;
}

/* An address that carries an IPv4 address (mapped, NAT64, 6to4, ...) is in
 * a list when it or the IPv4 address inside it is: an opt-out covers every
 * way of reaching the host. */
const struct cidr *cidr_list_find(const struct cidr_list *list, const struct sockaddr *sa)
{
    int family;
    const uint8_t *bytes;
    uint8_t v4[4];
    if (addr_bytes(sa, &family, &bytes) != 0) return NULL;
    const struct cidr *hit = find_in(list, family, bytes);
    if (!hit && family == AF_INET6 && addr_embedded_ipv4(bytes, v4)) hit = find_in(list, AF_INET, v4);
    return hit;
}

int cidr_list_load(struct cidr_list *list, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    int lineno = 0, rc = 0;
    list->path = path;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *p = line, *end;
        while (*p == ' ' || *p == '\t') p++;
        for (end = p; *end && *end != ' ' && *end != '\t' && *end != '\r' && *end != '\n'; end++)
            ;
        char *rest = end;
        while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n') rest++;
        *end = '\0';
        if (*p == '\0') continue;
        struct cidr c;
        if (*rest != '\0' || cidr_parse(p, &c) != 0) {
            snprintf(err, errlen, "%s:%d: '%s' is not an address or CIDR range", path, lineno, p);
            rc = -1;
            break;
        }
        if (list->n == list->cap) {
            size_t cap = list->cap ? list->cap * 2 : 64;
            struct cidr *items = realloc(list->items, cap * sizeof *items);
            if (!items) {
                snprintf(err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
            list->items = items;
            list->cap = cap;
        }
        c.name = path;
        list->items[list->n++] = c;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

void cidr_list_free(struct cidr_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}
