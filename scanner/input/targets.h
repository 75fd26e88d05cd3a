/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One input line → one target, or the reason it is not one. Pure. */
#ifndef STS_TARGETS_H
#define STS_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

enum target_kind { TARGET_DOMAIN, TARGET_HOST, TARGET_IPV4, TARGET_IPV6 };

#define TARGET_NAME_MAX 253

struct target {
    enum target_kind kind;
    char name[TARGET_NAME_MAX + 1]; /* lower case, no trailing dot; or the address */
    int port;                       /* 0: the protocol's default */
    bool srv; /* its servers are found through SRV records (the feeder says so) */
};

enum target_parse { TP_OK, TP_SKIP, TP_INVALID };

/* Parses one line (without its newline). mx_mode: each line is a mail
 * domain; otherwise a host name, IPv4, [IPv6] or bare IPv6, with an
 * optional :port. Blank lines and comments give TP_SKIP. On TP_INVALID,
 * *why says what is wrong. */
enum target_parse target_parse_line(const char *line, size_t len, int mx_mode, struct target *t,
                                    const char **why);

/* Checks a DNS host name (no trailing dot): letters, digits, '-' and '_',
 * labels of 1..63 bytes not starting or ending in '-', at most 253 bytes, last label not all digits.
 * Returns NULL when valid, or the reason. */
const char *hostname_problem(const char *name, size_t len);

#endif
