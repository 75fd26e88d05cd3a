/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What kind of failure a checked row had, for check --nagios's states
 * (scanner/cli/check_nagios.c) and --warn-only's words. */
#ifndef STS_FAILKIND_H
#define STS_FAILKIND_H

#include "scanner/result/row.h"

/* X(id, --warn-only word (NULL: not one the user may downgrade)) */
#define CHECK_KINDS(X)                                                                             \
    X(CK_OK, NULL)                                                                                 \
    X(CK_UNKNOWN, NULL)   /* nothing to judge: DNS failed, no address, null MX, blocked */          \
    X(CK_CONNECT, "connect") /* no dialog: refused connection, timeout, 4xx/5xx, broken protocol */ \
    X(CK_STARTTLS, "starttls") /* the dialog, but no TLS: no STARTTLS, refused, handshake failed */ \
    X(CK_CHAIN, "chain")                                                                           \
    X(CK_NAME, "name")                                                                             \
    X(CK_DANE, "dane")                                                                             \
    X(CK_MTA_STS, "mta-sts")                                                                       \
    X(CK_AUTH, "auth")
#define CHECK_KIND_WORDS "starttls, connect, chain, name, dane, mta-sts, auth"

#define CHECK_KIND_ENUM(id, word) id,
enum check_kind { CHECK_KINDS(CHECK_KIND_ENUM) CK_COUNT };
#undef CHECK_KIND_ENUM

/* "chain,dane" → the bits (1u << kind): 0, or -1 for a word not in the list. */
int check_kinds_parse(const char *list, unsigned *bits);
/* The kind of a row that got no TLS, by its status. */
enum check_kind check_kind_of_status(enum scan_status s);

#endif
