/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A protocol dialog (curl's protocol handlers, zmap's probe modules) and
 * the one view of a connection it gets.
 *
 * A dialog is a const table of callbacks over the shared reply reader: it
 * says where a reply ends and what to answer. It talks to the server only
 * through dialog_session's ops, which the connection (scanner/engine)
 * provides: a dialog never names the connection, the probe or the
 * configuration, only what it was handed. */
#ifndef STS_DIALOG_H
#define STS_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/base/buf.h"
#include "scanner/dialog/reply.h"
#include "scanner/result/row.h"
#include "scanner/result/status.h"

/* What a dialog needs from the command line; the same for every connection. */
struct dialog_params {
    const char *ehlo;
    uint64_t banner_ms; /* silence allowed before the greeting completes */
    uint64_t reply_ms;  /* silence allowed before any later reply completes */
    /* check --auth-user only: NULL in a mass scan, which never authenticates. */
    const char *auth_user, *auth_mech, *password;
    bool auth_token; /* password is an OAuth token (XOAUTH2, OAUTHBEARER; auto picks among them) */
    bool raw;        /* --raw: keep the capability and STARTTLS replies (dialog_keep_raw) */
};

struct dialog_session;
struct sasl_flow;

/* The connection's actions, for dialogs. */
struct dialog_ops {
    /* Sends a command (CRLF added), moves the dialog to next_state and waits
     * for the reply; a transcript shows `shown` (credentials redacted). */
    void (*command)(struct dialog_session *s, int next_state, const char *line, const char *shown,
                    const char *phase);
    /* The same for a binary protocol: these bytes as they are. */
    void (*send)(struct dialog_session *s, int next_state, const char *data, size_t len,
                 const char *shown, const char *phase);
    /* Waits for a reply with this much silence at most. */
    void (*expect)(struct dialog_session *s, const char *phase, uint64_t timeout_ms);
    /* STARTTLS was accepted: the TLS handshake begins. */
    void (*start_tls)(struct dialog_session *s);
    /* The verdict (and why), then a polite goodbye. */
    void (*quit)(struct dialog_session *s, enum scan_status st, const char *error);
    /* Finishes with the verdict reached (after a handshake: ok). */
    void (*done)(struct dialog_session *s);
    /* check --auth-user: the AUTH answer, or why none was sent. */
    void (*auth_result)(struct dialog_session *s, bool ok, const struct reply *r);
    void (*auth_skipped)(struct dialog_session *s, const char *why);
    /* The exchange failed on our side of it (a SCRAM server that does not
     * know the password, a challenge the mechanism cannot answer). */
    void (*auth_failed)(struct dialog_session *s, const char *why);
};

/* A connection as a dialog sees it. */
struct dialog_session {
    int state;      /* the dialog's own: 0 is waiting for the greeting */
    unsigned flags; /* the dialog's own too */
    struct probe_result *result; /* what the probe publishes: banner, starttls, auth_mechs, ... */
    const struct dialog_params *params;
    bool tls_ready; /* the handshake is done: replies come through TLS */
    bool quitting;  /* goodbye sent: the next reply ends the dialog */
    const struct dialog_ops *ops;
    void *ctx;      /* the connection owner's, for a dialog that needs more state */
    const char *server_name; /* the name the connection is for (its SNI), or "" */
    void *data;     /* the dialog's own, freed by its free_data */
    struct sasl_flow *sasl; /* check --auth-user's exchange (scanner/dialog/saslflow.h) */
};

struct dialog {
    reply_classify_fn classify; /* its ctx is the dialog_session */
    /* The dialog starts: on connect, or once the handshake is done (implicit TLS). */
    void (*on_start)(struct dialog_session *s);
    void (*on_reply)(struct dialog_session *s, const struct reply *r);
    /* The handshake after STARTTLS (or its equivalent) is done. */
    void (*on_tls_ready)(struct dialog_session *s);
    const char *quit_command; /* NULL: just close */
    size_t quit_len;          /* a binary goodbye: quit_command is these bytes, */
    const char *quit_shown;   /* shown as this in a transcript */
    const char *hello_verb;   /* "EHLO" when the dialog names itself (--ehlo), else NULL */
    bool authenticates;       /* check --auth-user can test AUTH with it */
    /* A dialog that is not line-based (HTTP): the bytes inside TLS go here
     * instead of the reply reader, and the server's close too. */
    void (*on_data)(struct dialog_session *s, const char *data, size_t len);
    void (*on_close)(struct dialog_session *s);
    /* A binary protocol (PostgreSQL, MySQL, LDAP): its messages are framed
     * by this instead of classify's lines, and told in words by describe
     * (check's transcript; no byte of the server's is printed as it came). */
    reply_frame_fn frame; /* its ctx is the dialog_session */
    void (*describe)(const struct reply *r, struct text *out);
    /* Frees the session's data when the connection ends. */
    void (*free_data)(struct dialog_session *s);
};

/* scanner/dialog/dialog.c: the ops, spelled for dialogs. */
void dialog_command(struct dialog_session *s, int next_state, const char *line, const char *phase);
void dialog_command_shown(struct dialog_session *s, int next_state, const char *line,
                          const char *shown, const char *phase);
void dialog_send(struct dialog_session *s, int next_state, const char *data, size_t len,
                 const char *shown, const char *phase);
void dialog_expect(struct dialog_session *s, const char *phase, uint64_t timeout_ms);
void dialog_start_tls(struct dialog_session *s);
void dialog_quit(struct dialog_session *s, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void dialog_done(struct dialog_session *s);
void dialog_auth_result(struct dialog_session *s, bool ok, const struct reply *r);
void dialog_auth_skipped(struct dialog_session *s, const char *why);
void dialog_auth_failed(struct dialog_session *s, const char *why);
/* Every dialog's start: wait for the greeting (state 0), --banner-timeout. */
void dialog_wait_greeting(struct dialog_session *s);
/* Records SASL mechanisms the server offered ("PLAIN LOGIN"): in
 * auth_mechs inside TLS, in auth_mechs_plain before it; upper-cased, each
 * once, in the order offered. */
void dialog_add_auth_mechs(struct dialog_session *s, const char *list, size_t len);
/* --raw: keeps the reply's lines as the server said them (which: the
 * capabilities, the STARTTLS reply; RAW_CAPABILITIES is those inside TLS
 * once the handshake is done), the first reply of each, bounded by
 * RAW_LINES and RAW_BYTES; nothing without --raw. */
void dialog_keep_raw(struct dialog_session *s, enum raw_reply which, const struct reply *r);
/* The reply quoted for an error message: "421 4.7.0 Try again later". */
void dialog_reply_text(const struct reply *r, struct text *out);

#endif
