/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check --auth-user's secrets: where they come from (never argv), what is
 * refused before anything is sent, and every form a transcript could hold
 * them in, so that check_print.c can redact each: as typed, the base64 of
 * each message that carries them (PLAIN, XOAUTH2, OAUTHBEARER, LOGIN's
 * password), and the base64 of the secret at each of the three alignments
 * it can have inside a longer base64 message (whatever the mechanism). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "scanner/base/buf.h"
#include "scanner/cli/check.h"
#include "scanner/cli/config.h"
#include "scanner/dialog/sasl.h"
#include "scanner/dialog/saslmech.h"

#define TOKEN_MAX 8192

/* The password never comes from the command line: the environment, or a
 * prompt on the terminal without echo. */
static char *read_password(const char *user)
{
    const char *env = getenv("STARTTLS_SCAN_PASSWORD");
    if (env) return strdup(env);
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty || !isatty(fileno(tty))) {
        if (tty) fclose(tty);
        fprintf(stderr, "starttls-scan check: set STARTTLS_SCAN_PASSWORD (no terminal to ask on)\n");
        return NULL;
    }
    struct termios old, quiet;
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fprintf(tty, "Password for %s: ", user);
    fflush(tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    char line[1024];
    char *got = fgets(line, sizeof line, tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fprintf(tty, "\n");
    fclose(tty);
    if (!got) return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    char *copy = strdup(line);
    memset(line, 0, sizeof line);
    return copy;
}

/* An OAuth token: STARTTLS_SCAN_TOKEN only (no prompt: tokens are pasted
 * by programs, not typed). */
static char *read_token(void)
{
    const char *env = getenv("STARTTLS_SCAN_TOKEN");
    if (!env || !*env) {
        fprintf(stderr, "starttls-scan check: set STARTTLS_SCAN_TOKEN to the OAuth token (it never comes from "
                        "the command line)\n");
        return NULL;
    }
    for (const char *p = env; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || p - env >= TOKEN_MAX) {
            fprintf(stderr, "starttls-scan check: STARTTLS_SCAN_TOKEN %s; nothing was sent\n",
                    p - env >= TOKEN_MAX ? "is longer than 8192 bytes" : "holds a control character");
            return NULL;
        }
    return strdup(env);
}

/* Remembers b's text (and takes it) when it is at least min bytes long:
 * a short piece of base64 would redact what is not a secret. */
static void add(struct buf *b, size_t min)
{
    struct check_state *st = &check_state;
    if (b->len >= min && b->len > 0 && st->nsecrets < CHECK_SECRETS && buf_append(b, "", 1) == 0) {
        st->secrets[st->nsecrets++] = b->data;
        *b = (struct buf){0};
    }
    if (b->data) memset(b->data, 0, b->len);
    buf_free(b);
}

/* The base64 of a message (raw bytes). */
static void add_base64(const char *raw, size_t len)
{
    struct buf b = {0};
    if (buf_reserve(&b, (len + 2) / 3 * 4 + 1) == 0 && sasl_base64(raw, len, b.data, (len + 2) / 3 * 4 + 1) == 0)
        b.len = strlen(b.data);
    add(&b, 1);
}

/* The characters of base64 that only the secret's bytes decide, when it
 * starts `offset` bytes into a 3-byte group: the first characters share
 * bits with what comes before, the last group with what comes after. */
static void add_aligned(const char *secret, int offset)
{
    size_t len = strlen(secret), total = (size_t)offset + len;
    char *raw = calloc(1, total + 1);
    struct buf b = {0};
    size_t cap = (total + 2) / 3 * 4 + 1;
    if (raw && buf_reserve(&b, cap) == 0) {
        memcpy(raw + offset, secret, len);
        if (sasl_base64(raw, total, b.data, cap) == 0) {
            size_t head = offset == 0 ? 0 : offset == 1 ? 2 : 3;
            size_t end = total / 3 * 4; /* whole groups only */
            if (end > head) {
                memmove(b.data, b.data + head, end - head);
                b.len = end - head;
            }
        }
        memset(raw, 0, total);
    }
    free(raw);
    add(&b, 4);
}

/* Longest first: a message's base64 holds the secret's. */
static void remember(const char *user, const char *secret, bool token)
{
    struct buf msg = {0};
    if (token) {
        buf_printf(&msg, "user=%s\001auth=Bearer %s\001\001", user, secret);
        add_base64(msg.data, msg.len);
        buf_reset(&msg);
        buf_printf(&msg, "n,a=%s,\001auth=Bearer %s\001\001", user, secret);
        add_base64(msg.data, msg.len);
    } else {
        buf_append(&msg, "", 1);
        buf_append_str(&msg, user);
        buf_append(&msg, "", 1);
        buf_append_str(&msg, secret);
        add_base64(msg.data, msg.len);
    }
    if (msg.data) memset(msg.data, 0, msg.len);
    buf_free(&msg);
    add_base64(secret, strlen(secret));
    for (int offset = 0; offset < 3; offset++) add_aligned(secret, offset);
    struct buf plain = {0};
    buf_append_str(&plain, secret);
    add(&plain, 1);
}

/* Does --auth-mech (or auto with a token in the environment) take a token? */
static bool wants_token(const struct config *cfg)
{
    const char *m = cfg->scan.auth_mech;
    if (m && strcasecmp(m, "auto") == 0) return getenv("STARTTLS_SCAN_TOKEN") != NULL;
    int id = m ? sasl_mech_find(m) : -1;
    return id >= 0 && sasl_mech_takes_token((enum sasl_mech)id);
}

int check_prepare_secrets(struct config *cfg)
{
    const char *problem = sasl_credential_problem(cfg->scan.auth_user);
    if (problem) {
        fprintf(stderr, "starttls-scan check: --auth-user: the user name %s\n", problem);
        return -1;
    }
    cfg->scan.auth_token = wants_token(cfg);
    if (!(cfg->scan.password = cfg->scan.auth_token ? read_token() : read_password(cfg->scan.auth_user))) return -1;
    if (!cfg->scan.auth_token && (problem = sasl_credential_problem(cfg->scan.password)) != NULL) {
        fprintf(stderr, "starttls-scan check: the password %s; nothing was sent\n", problem);
        return -1;
    }
    /* The user name is no secret: shown in every protocol, as typed. */
    remember(cfg->scan.auth_user, cfg->scan.password, cfg->scan.auth_token);
    return 0;
}

void check_clear_secrets(void)
{
    struct check_state *st = &check_state;
    for (int i = 0; i < st->nsecrets; i++) {
        memset(st->secrets[i], 0, strlen(st->secrets[i]));
        free(st->secrets[i]);
        st->secrets[i] = NULL;
    }
    st->nsecrets = 0;
}
