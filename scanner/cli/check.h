/* SPDX-License-Identifier: GPL-2.0-or-later */
/* starttls-scan check: one host (or the MX hosts of one mail domain), the
 * whole dialog as a readable transcript on stdout, an optional AUTH test
 * over the encrypted connection, and a verdict that follows the evidence:
 * the rows the probes published, certificate included.
 *
 * check attaches to the engine as an observer (check_print.c), the way
 * curl's protocol code reports every line to one trace hook; in a mass
 * scan there is no observer and it costs nothing. */
#ifndef STS_CHECK_H
#define STS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/engine/observer.h"

struct config;

/* starttls-scan check ...: parses, asks for the password, runs, reports. */
int check_main(int argc, char **argv);

/* check_print.c, for check.c: the state of the one check this process runs. */
#define CHECK_SECRETS 16
struct check_auth {
    char ip[64];
    bool done, ok, skipped;
    char reason[512];
};

struct check_state {
    const struct config *cfg;
    char *secrets[CHECK_SECRETS]; /* never shown: redacted wherever they appear, longest first */
    int nsecrets;
    struct check_auth auth[32]; /* one per address checked */
    int nauth;
};

extern struct check_state check_state;
/* The transcript: every event of the engine, printed. */
extern const struct scan_observer check_observer;
/* Prints server text escaped (it cannot drive the terminal) and redacted. */
void check_print_text(const char *prefix, const char *p, size_t len);
struct check_auth *check_auth_for(const char *ip);
/* --ciphers: the suites of each version, and each weak one with why. */
struct probe_result;
void check_print_ciphers(const char *where, const struct probe_result *r);

/* check_policy.c: the domain's DANE, MTA-STS and TLS-RPT, as check shows
 * them; check_judge_policy is 1 (why set) when the row violates a policy
 * senders enforce, and sets warn for one they do not. */
struct row;
void check_print_domain_policy(const struct row *row);
int check_judge_policy(const struct row *row, const char *where, char *why, size_t len, char *warn,
                       size_t wlen);

/* check_secrets.c: the password (STARTTLS_SCAN_PASSWORD or a prompt) or
 * the token (STARTTLS_SCAN_TOKEN) for --auth-user, checked before anything
 * is sent and remembered in every form a transcript could hold: 0, or -1
 * after a message. */
int check_prepare_secrets(struct config *cfg);
void check_clear_secrets(void);

#endif
