/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What an observer of the engine hears (check's transcript, as curl's
 * protocol code reports every line to one trace hook). NULL in a mass scan:
 * every call site tests one pointer and does nothing else. */
#ifndef STS_OBSERVER_H
#define STS_OBSERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/dialog/reply.h"

struct conn;
struct dns_result;

struct scan_observer {
    /* DNS said which hosts serve target. */
    void (*resolved)(void *arg, const char *target, const struct dns_result *dns);
    /* A connection begins (its address, port, SNI; a legacy hello's version). */
    void (*connecting)(void *arg, const struct conn *c);
    void (*sent)(void *arg, const struct conn *c, const char *shown);
    void (*received)(void *arg, const struct conn *c, const struct reply *r);
    /* The TLS facts are in c's result; the chain as the server sent it. */
    void (*tls)(void *arg, const struct conn *c, const unsigned char *const *certs,
                const size_t *lens, int n);
    void (*auth_result)(void *arg, const struct conn *c, bool ok, const struct reply *r);
    void (*auth_skipped)(void *arg, const struct conn *c, const char *why);
    void (*auth_failed)(void *arg, const struct conn *c, const char *why);
    /* The connection's result is final. */
    void (*finished)(void *arg, const struct conn *c);
};

#endif
