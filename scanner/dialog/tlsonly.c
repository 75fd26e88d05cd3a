/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implicit TLS on any port (HTTPS on 443, LDAPS, ...): the handshake is the
 * whole dialog; the server may never speak first, so nothing is read. */
#include "scanner/dialog/dialog.h"

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    (void)r;
    dialog_done(s);
}

/* Implicit TLS: this runs once the handshake is done. */
static void on_connected(struct dialog_session *s)
{
    dialog_done(s);
}

const struct dialog tls_dialog = {
    .classify = smtp_classify,
    .on_start = on_connected,
    .on_reply = on_reply,
    .on_tls_ready = on_connected,
    .quit_command = NULL,
};
