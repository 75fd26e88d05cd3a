/* starttls-scan check: one host, the whole dialog as a readable transcript
 * on stdout, and an optional AUTH test over the encrypted connection. */
#ifndef STS_CHECK_H
#define STS_CHECK_H

#include <stdbool.h>

#include "scanner/reply.h"

struct conn;

/* The transcript (only in check mode; otherwise these do nothing). */
void check_sent(const struct conn *c, const char *shown);
void check_received(const struct conn *c, const struct reply *r);
void check_tls(const struct conn *c);
/* The dialog's AUTH answer: ok or not, and the server's words. */
void check_auth_result(struct conn *c, bool ok, const struct reply *r);
void check_finished(const struct conn *c);
/* Base64 of len bytes into out (NUL-terminated); 0 or -1. */
int check_base64(const char *in, size_t len, char *out, size_t outlen);
/* 0 when TLS (and AUTH, if asked) succeeded; 1 otherwise. */
int check_exit_status(void);

/* starttls-scan check ...: parses, asks for the password, runs, reports. */
int check_main(int argc, char **argv);

#endif
