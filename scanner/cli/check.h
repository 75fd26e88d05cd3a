/* starttls-scan check: one host (or the MX hosts of one mail domain), the
 * whole dialog as a readable transcript on stdout, an optional AUTH test
 * over the encrypted connection, and a verdict that follows the evidence:
 * the rows the probes published, certificate included. */
#ifndef STS_CHECK_H
#define STS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/result/row.h"
#include "scanner/dialog/reply.h"

struct conn;

/* The transcript (only in check mode; otherwise these do nothing). */
void check_connecting(const struct conn *c);
void check_sent(const struct conn *c, const char *shown);
void check_received(const struct conn *c, const struct reply *r);
/* The TLS facts and the chain as the server sent it (certs[0] the leaf),
 * from a full handshake or, hello_only, from the plaintext hello. */
void check_tls(const struct conn *c, const unsigned char *const *certs, const size_t *lens, int n);
/* The dialog's AUTH answer: ok or not, and the server's words. */
void check_auth_result(const struct conn *c, bool ok, const struct reply *r);
/* AUTH was not sent: the server does not offer that mechanism inside TLS. */
void check_auth_skipped(const struct conn *c, const char *why);
void check_finished(const struct conn *c);
/* DNS said which hosts serve target (check: which MX hosts it checks). */
struct dns_result;
void check_resolved(const char *target, bool check, const struct dns_result *dns);

/* starttls-scan check ...: parses, asks for the password, runs, reports. */
int check_main(int argc, char **argv);

/* check_print.c, for check.c: the state of the one check this process runs. */
struct check_auth {
    char ip[64];
    bool done, ok, skipped;
    char reason[512];
};

struct config;

struct check_state {
    bool active;
    const struct config *cfg;
    const char *secrets[6]; /* never shown: redacted wherever they appear */
    char secret_store[4][1100];
    int nsecrets;
    struct check_auth auth[32]; /* one per address checked */
    int nauth;
};

extern struct check_state check_state;
/* Prints server text escaped (it cannot drive the terminal) and redacted. */
void check_print_text(const char *prefix, const char *p, size_t len);
struct check_auth *check_auth_for(const char *ip);

#endif
