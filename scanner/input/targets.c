/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/targets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "scanner/input/addrblock.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

const char *hostname_problem(const char *name, size_t len)
{
    if (len == 0) return "empty name";
    if (len > TARGET_NAME_MAX) return "name longer than 253 bytes";
    size_t label = 0;
    int all_digits = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0) return "empty label";
            if (name[i - 1] == '-') return "label ends with '-'";
            label = 0;
            all_digits = 1;
            continue;
        }
        if (c >= 0x80) return "non-ASCII name: give the IDNA A-label (xn--...)";
        if (!isalnum(c) && c != '-' && c != '_') return "character not allowed in a host name";
        if (c == '-' && label == 0) return "label starts with '-'";
        if (!isdigit(c)) all_digits = 0;
        if (++label > 63) return "label longer than 63 bytes";
    }
    if (label == 0) return "empty label";
    if (name[len - 1] == '-') return "label ends with '-'";
    if (all_digits) return "last label is all digits";
    return NULL;
}

/* Strict port: 1..65535, digits only. */
static int parse_port(const char *s, size_t len)
{
    if (len == 0 || len > 5) return -1;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return (v >= 1 && v <= 65535) ? v : -1;
}

static enum target_parse set_name(struct target *t, enum target_kind kind, const char *s,
                                  size_t len, const char **why)
{
    if (len > 0 && s[len - 1] == '.') len--; /* the root dot is not part of the name */
    const char *problem = hostname_problem(s, len);
    if (problem) {
        *why = problem;
        return TP_INVALID;
    }
    t->kind = kind;
    for (size_t i = 0; i < len; i++) t->name[i] = (char)tolower((unsigned char)s[i]);
    t->name[len] = '\0';
    return TP_OK;
}

/* An IPv4 or IPv6 address, stored in its canonical text form. */
static enum target_parse parse_address(struct target *t, int family, const char *s, size_t len,
                                       const char **why)
{
    char tmp[INET6_ADDRSTRLEN + 1];
    unsigned char bin[16];
    const char *bad = family == AF_INET ? "not a valid IPv4 address" : "not a valid IPv6 address";
    if (len >= sizeof tmp) {
        *why = bad;
        return TP_INVALID;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(family, tmp, bin) != 1) {
        *why = bad;
        return TP_INVALID;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = (sa_family_t)family;
    if (family == AF_INET6) {
        memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, bin, 16);
        if (addr_normalize(&ss)) { /* ::ffff:a.b.c.d is a.b.c.d */
            family = AF_INET;
            memcpy(bin, &((struct sockaddr_in *)&ss)->sin_addr, 4);
        }
    }
    t->kind = family == AF_INET ? TARGET_IPV4 : TARGET_IPV6;
    inet_ntop(family, bin, t->name, sizeof t->name);
    return TP_OK;
}

static int looks_ipv4(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '.') return 0;
    return len > 0;
}

static enum target_parse parse_host(const char *s, size_t len, struct target *t, const char **why)
{
    if (s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close) {
            *why = "missing ']' after IPv6 address";
            return TP_INVALID;
        }
        size_t rest = len - (size_t)(close + 1 - s);
        if (rest > 0) {
            if (close[1] != ':' || (t->port = parse_port(close + 2, rest - 1)) < 0) {
                *why = "bad port (1-65535)";
                return TP_INVALID;
            }
        }
        return parse_address(t, AF_INET6, s + 1, (size_t)(close - s - 1), why);
    }
    const char *colon = memchr(s, ':', len);
    if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
        return parse_address(t, AF_INET6, s, len, why); /* bare IPv6, no port */
    }
    size_t host_len = len;
    if (colon) {
        host_len = (size_t)(colon - s);
        if ((t->port = parse_port(colon + 1, len - host_len - 1)) < 0) {
            *why = "bad port (1-65535)";
            return TP_INVALID;
        }
    }
    if (looks_ipv4(s, host_len)) return parse_address(t, AF_INET, s, host_len, why);
    return set_name(t, TARGET_HOST, s, host_len, why);
}

enum target_parse target_parse_line(const char *line, size_t len, int mx_mode, struct target *t,
                                    const char **why)
{
    memset(t, 0, sizeof *t);
    *why = NULL;
    if (memchr(line, '\0', len)) {
        *why = "NUL byte in line";
        return TP_INVALID;
    }
    const char *hash = memchr(line, '#', len);
    if (hash) len = (size_t)(hash - line);
    while (len > 0 && is_space(line[0])) {
        line++;
        len--;
    }
    while (len > 0 && is_space(line[len - 1])) len--;
    if (len == 0) return TP_SKIP;
    for (size_t i = 0; i < len; i++) {
        if (is_space(line[i])) {
            *why = "more than one word on the line";
            return TP_INVALID;
        }
    }
    if (!mx_mode) return parse_host(line, len, t, why);
    if (memchr(line, ':', len) || line[0] == '[' || looks_ipv4(line, len)) {
        *why = "expected a mail domain (use --no-mx for hosts, addresses and ports)";
        return TP_INVALID;
    }
    return set_name(t, TARGET_DOMAIN, line, len, why);
}
