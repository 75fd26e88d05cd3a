/* One probe of an (address, port, SNI): a sequence of connections, one at a
 * time, whose results make one published result.
 *
 *   1. the dialog and a full wolfSSL handshake;
 *   2. when the server refused it for its version or ciphers (alert
 *      protocol_version, handshake_failure, insufficient_security): the
 *      dialog again, then our own TLS 1.0-1.2 ClientHello, reading the
 *      server's plaintext ServerHello and Certificate (handshake=hello_only);
 *   3. with --versions: one hello per remaining version, lowest answer
 *      first, so each connection settles as many versions as it can. */
#ifndef STS_PROBE_H
#define STS_PROBE_H

#include <stdint.h>
#include <sys/socket.h>

#include "scanner/result/row.h"

struct conn;
struct worker;

/* Starts (or queues) the first connection. not_before_ms: 0, or (a retry,
 * the endpoint's second attempt) not before that uv_hrtime() in ms. */
int probe_start(struct worker *w, const char *key, const struct sockaddr *addr, int port,
                const char *sni, uint64_t not_before_ms);
/* A connection of the probe finished: take its result, maybe queue the next. */
void probe_conn_finished(struct conn *c);

/* Versions as bits, SSLv3 (bit 0) to TLS 1.3 (bit 4); formats "TLSv1.0 TLSv1.2". */
int tls_version_bit(uint16_t version);
/* "TLSv1.2" for its bit, and back (-1 when the name is none of them). */
const char *tls_version_bit_name(int bit);
int tls_version_bit_of_name(const char *name);
void versions_format(unsigned accepted, char *out, size_t len);

#endif
