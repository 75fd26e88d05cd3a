/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The services (curl's scheme records): a name, a default port, implicit
 * TLS or STARTTLS, whether targets are mail domains, and the dialog that
 * serves it; several share one dialog (smtp, submission and smtps).
 * -p, --help and the error messages read this one table: adding a
 * protocol is a dialog file and a line in services.c. */
#ifndef STS_SERVICES_H
#define STS_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/dialog/dialog.h"

struct service {
    const char *name; /* -p NAME, and the protocol column */
    int default_port;
    bool implicit_tls; /* TLS from the first byte (SMTPS, IMAPS, ...) */
    bool resolves_mx;  /* targets are mail domains by default */
    const struct dialog *dialog;
    const char *what; /* for --help, after the port: ", implicit TLS" */
    const char *srv;  /* the SRV label its clients ask (RFC 6186, 6120, 5804), NULL: none */
    bool srv_always;  /* XMPP: a name target is resolved through SRV without --srv */
};

/* The MTA-STS policy fetch (scanner/dialog/https.c): implicit TLS on 443,
 * one GET; not a -p service. Its session's ctx is a struct https_exchange
 * (scanner/dialog/http.h). */
extern const struct service mta_sts_service;
/* The request for a policy host's policy, without its final CRLF. */
void https_policy_request(const char *host, char *out, size_t len);

/* Every service, in the order --help lists them; the last has no name. */
extern const struct service services[];
/* By name, in any case; NULL when there is none. */
const struct service *service_find(const char *name);
/* "smtp, submission, ..." */
void service_names(char *out, size_t len);
/* The -p entry of --help: "smtp (port 25, the default), submission (587), ...",
 * wrapped to width with indent on the lines after the first. */
void service_help(char *out, size_t len, int indent, int width);

#endif
