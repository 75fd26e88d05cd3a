/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check --auth-user's SASL exchange as the dialogs carry it (SMTP's 334,
 * IMAP's and POP3's "+", ManageSieve's strings, XMPP's elements): the
 * mechanism chosen among those offered inside TLS, base64 both ways, what
 * the transcript shows, and the verdict when the mechanism itself fails.
 * The mechanisms are scanner/dialog/saslmech.c's. */
#ifndef STS_SASLFLOW_H
#define STS_SASLFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/base/buf.h"
#include "scanner/dialog/dialog.h"
#include "scanner/dialog/saslmech.h"

/* The mechanism --auth-mech asks for ("auto": the strongest offered; a
 * name: that one, when offered), or the protocol's default (dflt; it must
 * be offered too). -1 after dialog_auth_skipped says why. */
int saslflow_choose(struct dialog_session *s, const char *dflt);
/* The exchange begins (s->sasl): 0, or -1 after dialog_auth_failed. */
int saslflow_begin(struct dialog_session *s, enum sasl_mech m);
/* The initial response, base64 ("" when it is empty) and what to show: 1;
 * 0 when the mechanism waits for a challenge first. */
int saslflow_initial(struct dialog_session *s, struct buf *b64, struct buf *shown);
/* A challenge (base64) → the response (base64) and what to show: 0, or -1
 * after dialog_auth_failed (the dialog then cancels the exchange: "*"). */
int saslflow_answer(struct dialog_session *s, const char *b64, size_t len, struct buf *resp, struct buf *shown);
/* The server said success (data: base64 of its additional data, or ""):
 * true when the mechanism agrees; else dialog_auth_failed said why. */
bool saslflow_success(struct dialog_session *s, const char *b64, size_t len);
/* The mechanism's name. */
const char *saslflow_mech(const struct dialog_session *s);

/* Line protocols: sends "COMMAND MECH[ initial]" and waits in state.
 * SASL_INITIAL_INLINE: the initial response goes on that line (SMTP; "="
 * when empty); SASL_INITIAL_AFTER_PLUS: after the server's first "+" (IMAP
 * without SASL-IR, POP3); SASL_QUOTED: inline, and the mechanism and every
 * message are quoted strings (ManageSieve); SASL_XMPP: <auth>, <response>
 * and <abort/> elements (RFC 6120 6.4; command unused). 0. */
enum sasl_framing { SASL_INITIAL_INLINE, SASL_INITIAL_AFTER_PLUS, SASL_QUOTED, SASL_XMPP };
int saslflow_start_line(struct dialog_session *s, int state, const char *command, enum sasl_framing framing,
                        const char *phase);
/* A reply during a line protocol's exchange: a challenge (b64: its text
 * after "334 " or "+ "), success (b64: additional data, or ""), failure.
 * Answers a challenge (or cancels with "*" when the mechanism cannot) and
 * waits in state again; reports the verdict at the end and returns true:
 * the dialog then says goodbye. */
enum sasl_turn { SASL_CHALLENGE, SASL_SUCCESS, SASL_FAILURE };
bool saslflow_line_turn(struct dialog_session *s, int state, enum sasl_turn turn, const char *b64, size_t len,
                        const struct reply *r, const char *phase);

/* The connection's end. */
void saslflow_free(struct dialog_session *s);

#endif
