/* Shared between conn.c (the connection's life) and conn_tls.c (its TLS
 * phase); not for dialogs. */
#ifndef STS_CONN_INTERNAL_H
#define STS_CONN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct conn;

/* Writes bytes to the socket as they are (tls_send_fn for wolfSSL). */
int conn_write_raw(void *owner, const char *data, size_t len);
/* Feeds decrypted or plaintext bytes to the reply reader and the dialog. */
void conn_feed_replies(struct conn *c, const char *data, size_t len, size_t *used);
void conn_finish_with_verdict(struct conn *c);
/* Is the verdict already known (goodbye sent, or the handshake done)? */
bool conn_decided(const struct conn *c);
/* Bytes received while the TLS phase lasts. */
void conn_tls_input(struct conn *c, const char *data, size_t len);
/* The connection ends: gives back its --max-tls slot (or its place in the
 * queue for one) and starts those waiting. */
void conn_tls_release(struct conn *c);

#endif
