/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTTPS fetch of a domain's MTA-STS policy (RFC 8461 3.3): one
 * connection to one address of mta-sts.<domain> on port 443, through the
 * worker's admission (so --per-host and --rate apply to the policy host as
 * to any server), wolfSSL with the policy host as SNI, one GET, the
 * response read with a 64 KiB cap. The certificate must be valid for the
 * policy host with the normal trust store; no redirect is followed. */
#ifndef STS_FETCH_H
#define STS_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

#include "scanner/base/buf.h"
#include "scanner/result/reason.h"

struct admission;
struct conn_params;

struct fetch_env {
    const struct conn_params *conn; /* with mta_sts_service */
    struct admission *admission;
};

struct fetch_result {
    const char *error; /* NULL: the policy body is in body */
    enum policy_reason why; /* ...and the error's reason */
    const char *body;
    size_t len;
};

typedef void (*fetch_cb)(void *arg, const struct fetch_result *r);

/* cb runs once, later. */
void fetch_policy(const struct fetch_env *env, const struct sockaddr *addr, const char *host, fetch_cb cb,
                  void *arg);

#endif
