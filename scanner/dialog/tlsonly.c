/* Implicit TLS on any port (HTTPS on 443, LDAPS, ...): the handshake is the
 * whole dialog; the server may never speak first, so nothing is read. */
#include "scanner/engine/conn.h"

static void on_reply(struct conn *c, const struct reply *r)
{
    (void)r;
    conn_done(c);
}

/* Implicit TLS: this runs once the handshake is done. */
static void on_connected(struct conn *c)
{
    conn_done(c);
}

const struct dialog tls_dialog = {
    .name = "tls",
    .default_port = 443,
    .implicit_tls = true,
    .classify = smtp_classify,
    .on_connected = on_connected,
    .on_reply = on_reply,
    .on_tls_ready = on_connected,
    .quit_command = NULL,
};
